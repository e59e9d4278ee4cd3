"""Which paragraphs of the source articles mention a country, and whether a note covers each."""

import re
from pathlib import Path

import pandas as pd

from csto_atlas.data.errors import Problem
from csto_atlas.data.load import Atlas, display_path
from csto_atlas.data.quotes import read_source_texts


def mention_patterns(countries: pd.DataFrame) -> dict[str, re.Pattern[str]]:
    """A whole-word pattern per iso3 matching its name or any of its aliases."""
    patterns = {}
    for _, row in countries.iterrows():
        names = (
            [row["name"], *(row["aliases"] or "").split(";")]
            if pd.notna(row["aliases"])
            else [row["name"]]
        )
        words = "|".join(re.escape(name.strip()) for name in names if name.strip())
        patterns[row["iso3"]] = re.compile(rf"(?<![\w-])(?:{words})(?![\w-])")
    return patterns


def mentions(atlas: Atlas, texts: dict[str, dict[int, str]]) -> pd.DataFrame:
    """One row per (source_id, locator, iso3) where a body paragraph names the country."""
    patterns = mention_patterns(atlas.countries)
    rows = [
        (source_id, f"¶{number}", iso3)
        for source_id, paras in texts.items()
        for number, para in paras.items()
        for iso3, pattern in patterns.items()
        if pattern.search(para)
    ]
    return pd.DataFrame(rows, columns=["source_id", "locator", "iso3"])


def uncovered_mentions(atlas: Atlas, data_dir: Path, sources_dir: Path) -> list[Problem]:
    """A paragraph that names a country needs at least one note about that country citing it."""
    texts, problems = read_source_texts(
        atlas.sources, sources_dir, display_path(data_dir / "sources.csv")
    )
    found = mentions(atlas, texts)
    noted = atlas.notes[["source_id", "locator", "iso3"]].drop_duplicates()
    missing = found.merge(noted, how="left", indicator=True).query("_merge == 'left_only'")
    shown = display_path(data_dir / "notes.csv")
    problems += [
        Problem(
            shown,
            None,
            None,
            f"no note about {row.iso3} cites {row.source_id} {row.locator}, which names it",
        )
        for row in missing.itertuples()
    ]
    return problems
