"""axe-core, the standard accessibility engine, injected into every frame of a page.

tests/run installs the pinned npm package (tests/e2e/axe/package.json) into .cache/axe;
$CSTO_ATLAS_AXE may point at another axe.min.js. Without it the accessibility tests skip
(fail under CI), like the other browser tests.
"""

import os
from pathlib import Path

from csto_atlas.data.paths import REPO_DIR

AXE_ENV_VAR = "CSTO_ATLAS_AXE"
AXE_JS = REPO_DIR / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"], iframes: false});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


def axe_path() -> Path:
    """Where axe.min.js is."""
    return Path(os.environ.get(AXE_ENV_VAR, AXE_JS))


def serious_violations(page, axe_source: str) -> list[dict]:
    """axe's serious and critical violations in every frame of `page`, each naming its frame."""
    found = []
    for frame in page.frames:
        if frame.url in ("", "about:blank") or frame.is_detached():
            continue
        frame.evaluate(axe_source)
        for violation in frame.evaluate(RUN_AXE):
            if violation["impact"] in SERIOUS:
                found.append({**violation, "frame": frame.url})
    return found
