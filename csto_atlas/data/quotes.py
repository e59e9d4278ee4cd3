"""The source articles: paragraphs (what a `¶N` locator counts) and verbatim-quote checks."""

from pathlib import Path

import pandas as pd

from csto_atlas.data.errors import Problem
from csto_atlas.data.load import Atlas, display_path
from csto_atlas.data.schema import BODY, LOCATOR

CITING_TABLES = ("membership", "bases", "incidents", "meetings", "notes")
_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalise(text: str) -> str:
    """Collapse whitespace and map typographic quotes to plain ones."""
    return " ".join(text.translate(_TYPOGRAPHIC).split())


def paragraphs(text: str) -> list[str]:
    """Paragraph N (1-based) of a source text is its N-th non-blank line."""
    return [line for line in text.splitlines() if line.strip()]


def body_range(body: str) -> range:
    """The paragraph numbers of `¶A-¶B`, inclusive."""
    first, last = (int(number) for number in BODY.match(body).groups())
    return range(first, last + 1)


def read_source_texts(
    sources: pd.DataFrame, sources_dir: Path, shown: str
) -> tuple[dict[str, dict[int, str]], list[Problem]]:
    """The body paragraphs (by number) of every source that names a file, keyed by source id.

    Only the article's own text counts: headers, bylines and contact details are never quoted.
    """
    texts, problems = {}, []
    for line, row in sources[sources["file"].notna()].iterrows():
        path = sources_dir / row["file"]
        if path.is_file():
            paras = paragraphs(path.read_text(encoding="utf-8"))
            texts[row["id"]] = {n: paras[n - 1] for n in body_range(row["body"]) if n <= len(paras)}
        else:
            problems.append(
                Problem(shown, int(line), "file", f"{row['file']!r} is not in {sources_dir}")
            )
    return texts, problems


def quote_problem(quote: str, locator: str, paras: dict[int, str]) -> str | None:
    """Why the quote is not verbatim in the located body paragraph, or None when it is."""
    number = int(LOCATOR.match(locator).group(1))
    if number not in paras:
        return f"{locator!r} is outside the article's body (¶{min(paras)}-¶{max(paras)})"
    wanted = normalise(quote)
    if wanted in normalise(paras[number]):
        return None
    elsewhere = [n for n, para in paras.items() if wanted in normalise(para)]
    if elsewhere:
        return f"quote is in ¶{elsewhere[0]}, not in {locator}"
    return f"{quote!r} is not verbatim in {locator} of the source"


def check_quotes(atlas: Atlas, data_dir: Path, sources_dir: Path) -> list[Problem]:
    """Every quote from a source article appears verbatim in the paragraph its locator names."""
    texts, problems = read_source_texts(
        atlas.sources, sources_dir, display_path(data_dir / "sources.csv")
    )
    for table in CITING_TABLES:
        frame = getattr(atlas, table)
        shown = display_path(data_dir / f"{table}.csv")
        cited = frame[frame["source_id"].isin(list(texts))]
        for line, row in cited.iterrows():
            reason = quote_problem(row["quote"], row["locator"], texts[row["source_id"]])
            if reason:
                problems.append(Problem(shown, int(line), "quote", reason))
    return problems
