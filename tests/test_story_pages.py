"""The timeline, changes and borders pages through AppTest, and the timeline's chart specs."""

from datetime import date
from pathlib import Path

import pytest

from csto_atlas.app import evidence, story, ui
from csto_atlas.data import paths
from csto_atlas.domain import changes
from csto_atlas.render import charts
from csto_atlas.render.style import STATUS_COLOURS, status_labels
from tests.test_pages import run_app
from tests.tiny import write_dataset

STATUS_LABELS = status_labels(None)  # the bundled data folder's words


@pytest.fixture(scope="module")
def tiny_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny dataset, written once for the module (so the app's caches hit): read it only."""
    data_dir, _, _ = write_dataset(tmp_path_factory.mktemp("story"))
    return data_dir


@pytest.fixture
def tiny_data(tiny_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads the tiny dataset."""
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(tiny_data_dir))
    return tiny_data_dir


def test_the_story_pages_sit_between_the_map_and_the_data_in_the_navigation():
    labels = [label for _, label in ui.NAV_PAGES]
    assert labels[:5] == ["Map", "Timeline", "Changes", "Borders", "Data"]


def test_the_timeline_page_draws_its_two_charts_on_the_tiny_data(tiny_data):
    app = run_app(page="pages/timeline.py")
    assert app.title[0].value == "Timeline"
    assert not app.error
    assert len(app.get("vega_lite_chart")) == 2


def test_the_changes_page_lists_every_change_by_default(tiny_data):
    app = run_app(page="pages/changes.py")
    (table,) = (frame.value for frame in app.dataframe)
    assert list(table["Change"]) == ["joined", "joined", "left", "returned", "suspended"]
    assert "Jun 2012 (Signatory states, 15 May 1992)" in set(table["Other accounts"])
    assert "Uzbekistan withdrew from the pact in 1999" in set(table["Quote"])


def test_the_changes_table_reads_as_prose_with_no_codes_ids_or_empty_markers(tiny_data):
    app = run_app(page="pages/changes.py")
    (frame,) = app.dataframe
    table = frame.value
    assert list(table.columns) == list(story.CHANGES_WIDTHS)  # no event id, no locator column
    assert "15 May 1992" in set(table["Date"])  # the date at its precision, not 1992-05-15
    assert set(table["To"]) <= set(STATUS_LABELS.values())
    assert not table.isna().any().any()
    assert not table.isin(["None", "nan", "NaN", "", "<NA>"]).any().any()
    assert not any("tiny-" in cell for cell in table.to_numpy().ravel())  # no source ids
    assert evidence.table_height(10, evidence.WRAPPED_ROW_PX) >= 10 * evidence.WRAPPED_ROW_PX
    assert sum(story.CHANGES_WIDTHS.values()) <= 1240  # the content of a 1400 px window


def test_the_changes_page_narrows_to_the_two_years_picked(tiny_data):
    app = run_app(page="pages/changes.py")
    app.selectbox(key=story.FIRST_YEAR_KEY).select(1999)
    app.selectbox(key=story.LAST_YEAR_KEY).select(2006).run()
    (table,) = (frame.value for frame in app.dataframe)
    assert list(table["Country"]) == ["Uzbekistan"] and list(table["Change"]) == ["returned"]


def test_the_changes_page_takes_reversed_years_in_order(tiny_data):
    app = run_app(page="pages/changes.py")
    app.selectbox(key=story.FIRST_YEAR_KEY).select(2006)
    app.selectbox(key=story.LAST_YEAR_KEY).select(1999).run()
    assert "earlier year comes first" in app.info[0].value
    (table,) = (frame.value for frame in app.dataframe)
    assert list(table["Change"]) == ["returned"]


def test_the_changes_page_says_so_when_nothing_changed(tiny_data):
    app = run_app(page="pages/changes.py")
    app.selectbox(key=story.FIRST_YEAR_KEY).select(2000)
    app.selectbox(key=story.LAST_YEAR_KEY).select(2001).run()
    assert "No country's status changed" in app.info[0].value
    assert not app.dataframe


def test_the_borders_page_shows_the_chart_the_years_table_and_the_accuracy_note(tiny_data):
    app = run_app(page="pages/borders.py")
    assert not app.error
    borders_table, accuracy = (frame.value for frame in app.dataframe)
    # The tiny data's members in the last year: Armenia only (Uzbekistan is suspended).
    assert set(borders_table["Member"]) == {"Armenia"}
    assert list(borders_table.columns) == ["Member", "Neighbour", "Neighbour's status", "km"]
    assert set(borders_table["Neighbour's status"]) <= set(STATUS_LABELS.values())
    assert str(borders_table["km"].dtype) == "int64"
    assert "Afghanistan–Tajikistan" in set(accuracy["border"])
    (download,) = app.get("download_button")
    assert download.proto.label == "Download this year's borders (CSV)"
    assert "km" in app.metric[0].value
    text = " ".join(block.value for block in app.markdown)
    assert "shorter" in text and "suspended" in text


def test_the_borders_page_follows_the_year_slider(tiny_data):
    app = run_app(page="pages/borders.py")
    app.select_slider(key=story.BORDER_YEAR_KEY).set_value(1995).run()
    borders_table = app.dataframe[0].value
    assert set(borders_table["Member"]) == {"Armenia", "Uzbekistan"}


def test_the_story_pages_run_on_the_bundled_data(monkeypatch):
    monkeypatch.delenv(paths.DATA_ENV_VAR, raising=False)
    for page in ("pages/timeline.py", "pages/changes.py", "pages/borders.py"):
        app = run_app(page=page)
        assert not app.error, page


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ({"selection": {"span": [{"iso3": "UZB", "map_year": 2006}]}}, ui.View(2006, "UZB")),
        ({"selection": {"span": [{"iso3": "UZB", "map_year": 2006.0}]}}, ui.View(2006, "UZB")),
        ({"selection": {"span": []}}, None),
        ({"selection": {}}, None),
        ({"selection": {"span": [{"iso3": "ZZZ", "map_year": 2006}]}}, None),
        ({"selection": {"span": [{"iso3": "UZB", "map_year": 1800}]}}, None),
        ({"selection": {"span": ["UZB"]}}, None),
        (None, None),
    ],
)
def test_only_a_click_on_a_known_country_and_year_opens_the_map(tiny_atlas, selection, expected):
    assert story.picked_view(selection, tiny_atlas) == expected


def test_the_timeline_colours_statuses_as_the_map_does(tiny_atlas):
    timeline, _ = story.timeline_charts(tiny_atlas, date(2026, 6, 1))
    spec = timeline.to_dict()
    bars = spec["layer"][0]
    scale = bars["encoding"]["color"]["scale"]
    # The legend says the map legend's words, in the map's colours.
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        STATUS_LABELS[status]: colour for status, colour in STATUS_COLOURS.items()
    }
    assert spec["params"][0]["name"] == charts.SPAN_SELECTION or any(
        param["name"] == charts.SPAN_SELECTION for param in bars.get("params", [])
    )


def test_the_timeline_outlines_the_disputed_date_as_a_dashed_stretch(tiny_atlas):
    timeline, _ = story.timeline_charts(tiny_atlas, date(2026, 6, 1))
    spec = timeline.to_dict()
    stretch = spec["layer"][1]
    assert stretch["mark"]["strokeDash"] == [3, 2]
    rows = spec["datasets"][stretch["data"]["name"]]
    suspension = next(row for row in rows if row["event_id"] == "uzb-suspends")
    # 2012-06 (another account) to 2012-12-31 (the primary one), both ends included.
    assert (suspension["start"], suspension["end"]) == ("2012-06-01", "2013-01-01")


def test_the_timeline_spans_start_with_the_event_and_cite_its_source(tiny_atlas):
    spans = changes.status_spans(tiny_atlas, date(2026, 6, 1))
    uzbek = spans[spans["iso3"] == "UZB"]
    assert list(uzbek["status"]) == ["member", "former", "member", "suspended"]
    assert list(uzbek["map_year"]) == [1992, 1999, 2006, 2012]
    assert uzbek.iloc[1]["source"] == "A. Writer, “Tiny Article”, Test Press, 2007-03-15"
    assert uzbek.iloc[1]["start"] == uzbek.iloc[0]["end"]
    assert uzbek.iloc[-1]["end"].date() == date(2026, 6, 1)


def test_the_timeline_leaves_out_a_country_that_never_changed(bundled_atlas):
    timeline, _ = story.timeline_charts(bundled_atlas, date(2026, 6, 1))
    spec = timeline.to_dict()
    rows = spec["datasets"][spec["layer"][0]["data"]["name"]]
    by_country: dict[str, set[str]] = {}
    for row in rows:
        by_country.setdefault(row["iso3"], set()).add(row["status"])
    assert all(statuses != {"non-member"} for statuses in by_country.values())
    # Moldova, Turkmenistan and Ukraine have events but were never more than non-members.
    assert {"MDA", "TKM", "UKR"} <= set(changes.timeline_countries(bundled_atlas))
    assert not {"MDA", "TKM", "UKR"} & set(by_country)


def test_the_member_count_of_a_year_is_drawn_over_that_year(tiny_atlas):
    _, counts = story.timeline_charts(tiny_atlas, date(2026, 6, 1))
    spec = counts.to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    year_1999 = next(row for row in rows if row["year"] == 1999)
    # Hovering anywhere over 1999 reads 31 December 1999's count.
    assert (year_1999["start"], year_1999["end"]) == ("1999-01-01", "2000-01-01")
    assert spec["encoding"]["x2"]["field"] == "end"


def test_the_border_chart_gives_each_long_border_its_own_colour_and_names(bundled_atlas):
    from csto_atlas.domain import borders

    series = borders.border_series(bundled_atlas, range(1992, 2027))
    spec = charts.border_chart(series).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert len(set(scale["range"])) == len(scale["range"])  # no two bands share a colour
    assert not any(len(name) == 3 and name.isupper() for name in scale["domain"])  # no codes
    assert scale["domain"][-1] == charts.OTHER_NEIGHBOURS
    legend = spec["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom" and legend["labelLimit"] >= 200


def test_the_member_count_counts_members_on_31_december(tiny_atlas):
    counts = changes.member_counts(tiny_atlas, range(1998, 2014)).set_index("year")["members"]
    assert (counts[1998], counts[1999], counts[2006], counts[2012]) == (2, 1, 2, 1)


def test_the_border_chart_stacks_the_neighbours_of_every_year(tiny_atlas):
    from csto_atlas.domain import borders

    spec = charts.border_chart(borders.border_series(tiny_atlas, range(1992, 2000))).to_dict()
    assert spec["encoding"]["y"]["aggregate"] == "sum"
    rows = spec["datasets"][spec["data"]["name"]]
    assert {row["year"] for row in rows} == set(range(1992, 2000))


def test_the_changes_page_shows_the_two_years_maps_side_by_side(tiny_data):
    app = run_app(page="pages/changes.py")
    app.selectbox(key=story.FIRST_YEAR_KEY).select(1999)
    app.selectbox(key=story.LAST_YEAR_KEY).select(2006).run()
    captions = [image.proto.imgs[0].caption for image in app.get("image")]
    alts = [image.proto.imgs[0].alt for image in app.get("image")]
    assert all(alt.startswith("Map of CSTO membership by country on 31 December") for alt in alts)
    assert captions == [
        "31 December 1999: the countries that changed are outlined",
        "31 December 2006: the countries that changed are outlined",
    ]
