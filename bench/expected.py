"""What the map must show, computed from the data with the package (no browser here).

The colours come from `csto_atlas.render.style.STATUS_COLOURS`, the mapping the front end draws
with, and the statuses from the model of a year (`csto_atlas.domain.yearmodel`: as drawn, a
territory part of its parent in its parent's colour, an annexed one grey): the benchmark only
counts a slider step as done when every region's fill equals these.
"""

from dataclasses import dataclass

from bench.naive import naive_statuses
from csto_atlas.data.load import Atlas
from csto_atlas.domain.yearmodel import ANNEXED_LOOK_KEY, feature_model, years_model
from csto_atlas.render.style import ANNEXED_LOOK, STATUS_COLOURS

Fills = dict[str, str]

KEY_FOR_DIRECTION = {1: "ArrowRight", -1: "ArrowLeft"}


def fills_of_year(atlas: Atlas, year: int) -> Fills:
    """iso3 -> fill colour (lower-case hex) of every region in `year`: the status it is drawn
    with (its parent's while it is part of its parent), or the annexed look. A region drawn in
    pieces (geodata/periods.csv) has each piece's fill, sorted and joined by commas, as
    probe.js reads them (a piece outside its years is drawn as part of its parent)."""
    features = feature_model(atlas, years_model(atlas, range(year, year + 1)))
    pieces: dict[str, list[str]] = {}
    for iso3, status, look in zip(
        features["iso3"], features["status"], features["look"], strict=True
    ):
        fill = ANNEXED_LOOK["fill"] if look == ANNEXED_LOOK_KEY else STATUS_COLOURS[status]
        pieces.setdefault(iso3, []).append(fill.lower())
    return {iso3: ",".join(sorted(fills)) for iso3, fills in pieces.items()}


def baseline_fills(atlas: Atlas, years: range, drawn: set[str]) -> dict[int, Fills]:
    """What the naive baseline must show: the membership status colour of each region it draws
    (it models no territorial change: Crimea stays in Russia's Natural Earth polygon)."""
    fills = {}
    for year in years:
        frame = naive_statuses(atlas, year)
        fills[year] = {
            iso3: STATUS_COLOURS[status].lower()
            for iso3, status in zip(frame["iso3"], frame["status"], strict=True)
            if iso3 in drawn
        }
    return fills


def expected_fills(atlas: Atlas, years: range) -> dict[int, Fills]:
    """The fills of every year in `years`."""
    return {year: fills_of_year(atlas, year) for year in years}


def changed_regions(before: Fills, after: Fills) -> list[str]:
    """The regions whose colour differs between two years, sorted."""
    return sorted(
        iso3 for iso3 in before.keys() | after.keys() if before.get(iso3) != after.get(iso3)
    )


@dataclass(frozen=True)
class Step:
    """One key press on the slider: from one year to the next, and whether colours change."""

    key: str
    start: int
    end: int
    changes: bool


def plan_steps(
    fills: dict[int, Fills], start: int, changing_steps: int, bounces: int = 2
) -> list[Step]:
    """Key presses from `start` giving at least `changing_steps` steps that change colours.

    Walks one year at a time towards the farther end of the range (turning at the ends); at
    every year boundary where colours change, it crosses back and forth `bounces` more times, so
    few presses are spent on years that look alike. Steps that change nothing are kept (they are
    needed to walk), but only changing ones are timed.
    """
    years = sorted(fills)
    first, last = years[0], years[-1]
    if start not in fills:
        raise ValueError(f"start year {start} is not in {first}..{last}")
    if all(fills[year] == fills[first] for year in years):
        raise ValueError(f"no year in {first}..{last} changes any colour: nothing to time")
    direction = -1 if start - first >= last - start else 1
    steps: list[Step] = []
    year = start
    counted = 0

    def press(towards: int) -> bool:
        nonlocal year
        end = year + towards
        changes = fills[end] != fills[year]
        steps.append(Step(KEY_FOR_DIRECTION[towards], year, end, changes))
        year = end
        return changes

    while counted < changing_steps:
        if not first <= year + direction <= last:
            direction = -direction
            continue
        if press(direction):
            counted += 1
            for _ in range(bounces):
                counted += press(-direction) + press(direction)
    return steps
