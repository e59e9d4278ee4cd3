"""The evidence layer: data version, readable dates and citations, exports, quality, facts."""

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from csto_atlas.data.dates import readable_date
from csto_atlas.data.load import load_atlas
from csto_atlas.data.version import DataVersion, data_version
from csto_atlas.domain import evidence, export, quality
from csto_atlas.domain.citation import (
    cite_view,
    cite_view_templates,
    fill_citation,
    latex_escape,
)
from csto_atlas.domain.sources import citation_text, readable_note, reader_citation
from tests.tiny import tables, write_dataset

VERSION = DataVersion("0123456789ab", date(2007, 3, 15), "2007-03-15")
FORMULA = '=HYPERLINK("http://x","y")'


# --- the data version ----------------------------------------------------------------------


def test_the_data_version_is_a_short_digest_and_the_newest_source_date(tiny):
    data_dir, geodata_dir, _ = tiny
    version = data_version(data_dir, geodata_dir)
    assert len(version.digest) == 12 and int(version.digest, 16) >= 0
    # The newest source reporting events: the 2017 dataset (a gazetteer) is dated by when it was
    # taken, not by what it reports, so it does not count.
    assert (version.checked, version.checked_text) == (date(2007, 3, 15), "2007-03-15")


def test_the_same_files_give_the_same_version_anywhere(tmp_path):
    first = write_dataset(tmp_path / "a")
    second = write_dataset(tmp_path / "b")
    assert data_version(*first[:2]) == data_version(*second[:2])


@pytest.mark.parametrize("changed", ["datasets/notes.csv", "geodata/regions.geojson"])
def test_any_change_to_a_row_or_a_boundary_gives_another_version(tmp_path, changed):
    data_dir, geodata_dir, _ = write_dataset(tmp_path)  # its own copy: `tiny` is shared
    before = data_version(data_dir, geodata_dir)
    path = data_dir.parent / changed
    path.write_bytes(path.read_bytes().replace(b"Uzbekistan", b"Uzbekistan!", 1))
    assert data_version(data_dir, geodata_dir).digest != before.digest


def test_a_source_dated_only_to_a_year_checks_the_data_into_that_year(tmp_path):
    data = tables()
    data["sources"][1]["date"] = "2008"
    data["sources"][0]["date"] = "2007-12-31"
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    version = data_version(data_dir, geodata_dir)
    assert (version.checked, version.checked_text) == (date(2008, 1, 1), "2008")


# --- readable dates and citations ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1999", "1999"), ("2006-08", "Aug 2006"), ("2006-08-16", "16 Aug 2006"), (None, "")],
)
def test_dates_read_at_their_precision(text, expected):
    assert readable_date(text) == expected


def test_an_unsigned_untitled_page_reads_without_placeholder_text():
    source = {
        "author": "(not named in the retrieved copy)",
        "title": "(title not shown in the retrieved copy)",
        "publisher": "report (publisher not named in the text)",
        "date": "2023-11-24",
    }
    assert citation_text(source) == "Unsigned, Untitled, report, 2023-11-24"
    assert reader_citation(source) == "Unsigned, Untitled, report, 24 Nov 2023"


def test_a_signed_source_reads_author_title_publisher_date():
    source = {"author": "A. Writer", "title": "Tiny", "publisher": "Press", "date": "2007-03"}
    assert reader_citation(source) == "A. Writer, “Tiny”, Press, Mar 2007"


def test_source_ids_in_a_note_become_short_citations():
    shorts = {"tass-2012": "TASS, 28 Jun 2012", "tass": "never matched alone"}
    text = "Date also in tass-2012; see tass-2012-extra."
    assert readable_note(text, shorts) == "Date also in TASS, 28 Jun 2012; see tass-2012-extra."


# --- cite this view ------------------------------------------------------------------------


def test_a_view_is_cited_in_plain_text_with_version_url_and_access_date():
    plain, _ = cite_view(
        "CSTO Atlas", 2019, "Tajikistan", VERSION, "http://h/?year=2019", date(2026, 11, 2)
    )
    assert "“CSTO Atlas: Tajikistan in 2019”" in plain
    assert "Data version 0123456789ab, checked up to 2007-03-15" in plain
    assert plain.endswith("http://h/?year=2019 (accessed 2 November 2026).")


def test_bibtex_escapes_latex_special_characters_and_keeps_the_url_usable():
    _, bibtex = cite_view(
        "CSTO Atlas",
        2019,
        "A & B_{x} 100% #1 $~^\\",
        VERSION,
        "http://h/?a=1&b={2}",
        date(2026, 1, 1),
    )
    assert r"title = {{CSTO Atlas: A \& B\_\{x\} 100\% \#1 \$" in bibtex
    assert r"\textasciitilde{}\textasciicircum{}\textbackslash{} in 2019}}" in bibtex
    assert "url = {http://h/?a=1&b=%7B2%7D}" in bibtex
    assert bibtex.startswith("@misc{csto-atlas-2019-a-b-x-100-1-012345,")
    assert bibtex.count("{") == bibtex.count("}") + bibtex.count(r"\{") - bibtex.count(r"\}")


@pytest.mark.parametrize(
    ("year", "name", "code", "url", "accessed"),
    [
        (2019, "Tajikistan", "TJK", "http://h/?year=2019&country=TJK", date(2026, 11, 2)),
        (1992, None, "", "https://atlas.example.org/?year=1992", date(2027, 1, 31)),
        (2024, "A & B_{x} 100%", "ABX", "http://h/a b/?year=2024&country=ABX", date(2026, 5, 9)),
    ],
)
def test_a_filled_citation_template_is_the_citation_of_that_view(year, name, code, url, accessed):
    templates = cite_view_templates("CSTO Atlas", {code: name} if name else {}, VERSION)
    plain, bibtex = templates[code]
    assert (
        fill_citation(plain, year, url, accessed, bibtex=False)
        == cite_view("CSTO Atlas", year, name, VERSION, url, accessed)[0]
    )
    assert (
        fill_citation(bibtex, year, url, accessed, bibtex=True)
        == cite_view("CSTO Atlas", year, name, VERSION, url, accessed)[1]
    )


def test_citation_templates_cover_the_map_and_every_country():
    templates = cite_view_templates("CSTO Atlas", {"UZB": "Uzbekistan", "ARM": "Armenia"}, VERSION)
    assert set(templates) == {"", "UZB", "ARM"}
    assert "the map in @@YEAR@@" in templates[""][0]
    assert "csto-atlas-@@YEAR@@-uzbekistan-" in templates["UZB"][1]


def test_latex_escape_leaves_plain_text_alone():
    assert latex_escape("Kazakhstan in 2022") == "Kazakhstan in 2022"


# --- exports -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (FORMULA, "'" + FORMULA),
        ("+7 495", "'+7 495"),
        ("-drop", "'-drop"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.5", "-12.5"),
        ("plain = text", "plain = text"),
        (12.5, 12.5),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_kept(cell, expected):
    assert export.neutralise(cell) == expected


def test_a_formula_in_the_data_reaches_the_csv_as_text(tmp_path):
    data = tables()
    data["notes"][0]["text"] = FORMULA
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    atlas = load_atlas(data_dir, geodata_dir)
    text = export.to_csv(export.layer_frame(atlas, "notes", 2000))
    cells = [row["text"] for row in csv.DictReader(io.StringIO(text))]
    assert "'" + FORMULA in cells and FORMULA not in cells


@pytest.mark.parametrize("layer", ["countries", "bases", "incidents", "meetings", "notes"])
def test_every_exported_row_carries_its_source_columns(tiny_atlas, layer):
    frame = export.layer_frame(tiny_atlas, layer, 2020)
    assert {"source_id", "locator", "quote", "citation"} <= set(frame.columns)


def test_the_countries_export_names_the_event_and_source_behind_each_status(tiny_atlas):
    frame = export.layer_frame(tiny_atlas, "countries", 2013).set_index("iso3")
    assert frame.at["UZB", "event_id"] == "uzb-suspends"
    assert frame.at["UZB", "citation"].startswith("Signatory states, “Tiny Treaty”")
    assert pd.isna(frame.at["RUS", "source_id"])  # no event: no source claimed


def test_geojson_exports_carry_the_data_version(tiny_atlas):
    text = export.layer_text(tiny_atlas, "bases", 2009, "geojson", VERSION)
    collection = json.loads(text)
    assert collection["metadata"]["data_version"] == "0123456789ab"
    assert collection["metadata"]["data_checked"] == "2007-03-15"
    assert len(collection["features"]) == 2


def test_export_files_are_named_with_layer_year_and_version(tiny_atlas):
    names = {file.name for file in export.export_files(tiny_atlas, 2013, VERSION)}
    assert "csto-atlas-bases-2013-0123456789ab.csv" in names
    assert "csto-atlas-countries-2013-0123456789ab.geojson" in names
    assert "csto-atlas-notes-2013-0123456789ab.geojson" not in names


@pytest.mark.parametrize("layer", export.LAYERS)
def test_every_export_of_a_year_carries_that_year_in_its_last_column(tiny_atlas, layer):
    frame = export.layer_frame(tiny_atlas, layer, 2013)
    column = export.year_column_of(layer)
    assert list(frame.drop(columns="geometry", errors="ignore").columns)[-1] == column
    assert set(frame[column]) <= {2013}
    text = export.layer_text(tiny_atlas, layer, 2013, "csv", VERSION)
    assert text.splitlines()[0].endswith("," + column)


def test_the_notes_export_keeps_the_notes_own_year_beside_the_exports():
    assert export.year_column_of("notes") == "map_year"
    assert "year" in export.layer_columns("notes")  # the note's first year, as in notes.csv


def test_the_status_table_has_every_region_and_every_year(tiny_atlas):
    table = export.status_table(tiny_atlas, range(2011, 2014)).set_index("iso3")
    assert list(table.columns) == [
        *["name", "kind", "parent_iso3", "2011", "2012", "2013"],
        "provisional_from",
    ]
    assert set(table.index) == set(tiny_atlas.regions["iso3"])
    assert list(table.loc["UZB", ["2011", "2013"]]) == ["member", "suspended"]
    assert table.at["XAB", "parent_iso3"] == "GEO"
    assert not table.isna().any().any()


def test_the_status_table_agrees_with_each_years_countries_export(bundled_atlas):
    table = export.status_table(bundled_atlas).set_index("iso3")
    # One row per region, also for a region drawn in pieces (Nagorno-Karabakh, geodata/periods.csv).
    assert bundled_atlas.regions["iso3"].duplicated().any()
    assert table.index.is_unique and set(table.index) == set(bundled_atlas.regions["iso3"])
    for year in (1992, 1999, 2012, 2024):
        countries = export.layer_frame(bundled_atlas, "countries", year).set_index("iso3")
        assert table[str(year)].to_dict() == countries["status"].to_dict(), year


def test_the_status_files_are_csv_and_geojson_named_with_years_and_version(tiny_atlas):
    files = export.status_files(tiny_atlas, VERSION)
    years = export.year_range(tiny_atlas.membership)
    assert [file.name for file in files] == [
        f"csto-atlas-status-{years.start}-{years.stop - 1}-0123456789ab.csv",
        f"csto-atlas-status-{years.start}-{years.stop - 1}-0123456789ab.geojson",
    ]
    collection = json.loads(files[1].data)
    uzbekistan = next(f for f in collection["features"] if f["properties"]["iso3"] == "UZB")
    assert uzbekistan["properties"]["2013"] == "suspended"
    assert uzbekistan["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert collection["metadata"]["data_version"] == "0123456789ab"


def write_as_dataset(atlas, year: int, folder: Path, source_dir: Path) -> Path:
    """Export every dataset-shaped layer of `year` as a data folder (citation and year dropped)."""
    folder.mkdir()
    for layer in export.DATASET_LAYERS:
        text = export.layer_text(atlas, layer, year, "csv", VERSION)
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        frame.drop(columns=["citation", export.year_column_of(layer)]).to_csv(
            folder / f"{layer}.csv", index=False
        )
    for table in ("countries", "membership", "places", "territories"):
        shutil.copy(source_dir / f"{table}.csv", folder / f"{table}.csv")
    return folder


def test_exports_round_trip_through_the_loader(tiny, tmp_path):
    data_dir, geodata_dir, _ = tiny
    atlas = load_atlas(data_dir, geodata_dir)
    again = load_atlas(write_as_dataset(atlas, 2013, tmp_path / "again", data_dir), geodata_dir)
    for table in export.DATASET_LAYERS:
        exported = getattr(again, table).reset_index(drop=True)
        original = getattr(atlas, table)
        original = original[original["id"].isin(exported["id"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(exported[original.columns], original, check_dtype=False)
    assert list(again.bases["id"]) == ["gyumri", "gudauta"]  # both active in 2013
    assert list(again.incidents["id"]) == []  # the clash is of 2018


def test_the_bundled_data_round_trips_through_the_loader(bundled_atlas, tmp_path):
    from csto_atlas.data import paths

    again = load_atlas(
        write_as_dataset(bundled_atlas, 2026, tmp_path / "again", paths.BUNDLED_DATA_DIR),
        paths.GEODATA_DIR,
    )
    # Every row of the year comes back: all incidents, meetings, notes and sources up to 2026,
    # and the bases active in 2026 (the Kulob garrison left in 2015).
    assert [len(getattr(again, t)) for t in export.DATASET_LAYERS] == [
        len(export.layer_frame(bundled_atlas, t, 2026)) for t in export.DATASET_LAYERS
    ]
    assert len(again.bases) < len(bundled_atlas.bases)


# --- quality and facts ---------------------------------------------------------------------


def test_quality_counts_rows_sources_per_fact_and_positions(tiny_atlas):
    summary = quality.quality(tiny_atlas, VERSION)
    rows = dict(zip(summary.rows["file"], summary.rows["rows"], strict=True))
    assert (rows["sources.csv"], rows["membership.csv"], rows["notes.csv"]) == (3, 6, 3)
    membership = summary.sources_per_fact.set_index("file").loc["membership.csv"]
    # uzb-suspends and its other account share one source: five facts, each on one source
    assert (membership["facts"], membership["one source"]) == (5, 5)
    assert summary.single_source == summary.facts == 5 + 2 + 1 + 1 + 3
    assert summary.precision.set_index("file").loc["bases.csv", "gazetteer place"] == 2
    assert summary.checked == "2007-03-15"
    radius = summary.radius.set_index("file")
    assert radius.at["bases.csv", "with a radius"] == 2 and radius.at["bases.csv", "without"] == 0


def test_a_fact_with_a_second_source_is_not_single_sourced(tmp_path):
    data = tables()
    data["membership"][4]["source_id"] = "tiny-article"
    data["membership"][4]["locator"] = "¶3"
    data["membership"][4]["quote"] = "Uzbekistan withdrew"
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    summary = quality.quality(load_atlas(data_dir, geodata_dir), VERSION)
    membership = summary.sources_per_fact.set_index("file").loc["membership.csv"]
    assert (membership["one source"], membership["two sources"]) == (4, 1)


def test_radii_are_counted_when_a_point_file_has_them(tiny_atlas):
    bases = tiny_atlas.bases.assign(radius_km=[5.0, None])
    atlas = type(tiny_atlas)(**{**tiny_atlas.__dict__, "bases": bases})
    radius = quality.radius_counts(atlas).set_index("file").loc["bases.csv"]
    assert (radius["with a radius"], radius["without"], radius["largest (km)"]) == (1, 1, 5.0)


def test_each_article_shows_how_many_facts_it_supports(tiny_atlas):
    facts = evidence.facts_frame(tiny_atlas)
    counts = evidence.article_counts(tiny_atlas, facts)
    # tiny-article: 1 membership event, 3 notes, 1 base, 1 meeting
    assert counts.to_dict("records") == [
        {
            "source_id": "tiny-article",
            "citation": "A. Writer, “Tiny Article”, Test Press, 15 Mar 2007",
            "facts": 6,
        }
    ]


def test_facts_about_a_country_include_bases_in_its_breakaway_region(tiny_atlas):
    facts = evidence.facts_about(evidence.facts_frame(tiny_atlas), "XAB")
    assert list(facts["what"]) == ["Abkhazia base", "Position of Abkhazia base (within 5 km)"]


def test_readable_tables_have_no_missing_text_and_cite_early(tiny_atlas):
    for table in evidence.readable_tables(tiny_atlas):
        text = table.frame.select_dtypes(exclude="number")
        assert not text.isna().any().any(), table.label
        assert not text.isin(["None", "nan", "NaN", "<NA>"]).any().any(), table.label
        if "citation" in table.frame:
            assert list(table.frame.columns).index("citation") <= 2, table.label
    membership = next(t for t in evidence.readable_tables(tiny_atlas) if t.label.startswith("Memb"))
    assert list(membership.frame["date"][:2]) == ["15 May 1992", "15 May 1992"]
    assert "Uzbekistan (UZB)" in set(membership.frame["iso3"])


def test_search_finds_rows_by_any_cell_in_any_case(tiny_atlas):
    notes = next(t for t in evidence.readable_tables(tiny_atlas) if t.label == "Notes").frame
    assert list(evidence.search(notes, "ARMENIA HOSTS")["id"]) == ["arm-base"]
    assert len(evidence.search(notes, "  ")) == len(notes)


def test_the_status_rows_name_breakaways_with_their_state_and_skip_lifelong_non_members(
    tiny_atlas,
):
    table = export.status_table(tiny_atlas, range(2011, 2014))
    shown = evidence.status_rows(table)
    assert "China" not in set(shown["name"]) and "Uzbekistan" in set(shown["name"])
    everyone = evidence.status_rows(table, everyone=True)
    assert "Abkhazia (Georgia)" in set(everyone["name"])
    assert list(everyone["name"]) == sorted(everyone["name"])


def test_the_status_grid_colours_each_cell_and_stripes_a_frozen_member():
    from csto_atlas.render import charts
    from csto_atlas.render.style import STATUS_COLOURS

    table = pd.DataFrame(
        {"iso3": ["ARM"], "name": ["Armenia <b>"], "kind": ["state"], "parent_iso3": [""]}
    ).assign(**{"2023": ["member"], "2024": ["frozen"]})
    grid = charts.status_grid_html(table, "caption")
    assert f"background: {STATUS_COLOURS['member']}; color: #ffffff" in grid
    assert (
        "repeating-linear-gradient(" in grid and 'title="Armenia &lt;b&gt;, 2024: Member, ' in grid
    )
    assert "<b>" not in grid.split("</style>", 1)[1].replace("<b style", "")


def test_the_readers_columns_of_every_dataset_fit_a_1400_px_window(tiny_atlas):
    from csto_atlas.app import evidence as glue

    for table in evidence.readable_tables(tiny_atlas):
        assert table.shown and set(table.shown) <= set(table.frame.columns), table.label
        assert "id" not in table.shown and "source_id" not in table.shown, table.label
        widths = glue.column_widths(table, table.shown)
        assert sum(widths.values()) <= glue.TABLE_WIDTH_PX, table.label
        assert min(widths.values()) >= 100, table.label  # every column readable
