"""The Data, Sources and About pages and the map page's evidence, through Streamlit's AppTest."""

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from csto_atlas.app import evidence
from csto_atlas.data import paths
from csto_atlas.data.alliance import bundled_alliance
from csto_atlas.data.version import data_version
from csto_atlas.domain import evidence as readable
from csto_atlas.domain import export
from csto_atlas.domain.citation import cite_view, fill_citation
from csto_atlas.render.contract import unpack_json
from tests.tiny import tables, write_dataset

DASHBOARD = str(paths.REPO_DIR / "dashboard.py")
PLACEHOLDER = "(not named in the retrieved copy)"


class KeptStorage(MemoryMediaFileStorage):
    """The media storage of an AppTest run, kept so a test can read a download's bytes."""

    latest: "KeptStorage | None" = None

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        KeptStorage.latest = self


@pytest.fixture(scope="module")
def tiny_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny dataset, one source an unsigned page with a placeholder, written once for the
    module (so the app's caches hit from test to test): read it only."""
    data = tables()
    data["sources"][1]["author"] = PLACEHOLDER
    data["notes"][2]["text"] = '=HYPERLINK("http://x","y")'
    data_dir, _, _ = write_dataset(tmp_path_factory.mktemp("evidence"), data)
    return data_dir


@pytest.fixture
def tiny_data(tiny_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads the module's tiny dataset, and keeps its downloads' bytes."""
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(tiny_data_dir))
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", KeptStorage)
    return tiny_data_dir


def run_page(page: str | None, query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=90)
    app.query_params.update(query or {})
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def data_tables(app: AppTest) -> dict[str, object]:
    """The Data page's dataset tables (its last ones) by their label."""
    labels = list(readable.table_labels(bundled_alliance()).values())
    return dict(zip(labels, app.dataframe[-len(labels) :], strict=True))


def downloaded(button) -> bytes:
    """The bytes a download button serves."""
    file_name = button.proto.url.rsplit("/", 1)[-1]
    return KeptStorage.latest.get_file(file_name).content


def test_the_data_page_shows_every_dataset_with_readable_headers_and_no_none(tiny_data):
    app = run_page("pages/data.py")
    tables = {label: frame.value for label, frame in data_tables(app).items()}
    assert len(app.dataframe) == 4 + len(tables)  # the quality summary's four, radii included
    headings = " ".join(block.value for block in app.markdown)
    assert "Membership events (6 of 6)" in headings and "Notes (3 of 3)" in headings
    membership = tables["Membership events"]
    assert list(membership.columns[:2]) == ["citation", "source_url"]
    for name, frame in tables.items():  # an id is for machines: last
        assert "id" not in frame or list(frame.columns)[-1] == "id", name
    assert "15 May 1992" in set(membership["date"])
    for name, frame in tables.items():
        text = frame.select_dtypes(exclude="number").astype(str)
        assert not text.isin(["None", "nan", "<NA>"]).any().any(), name
        # the data keeps its own words; the citation a reader reads has no placeholder
        if "citation" in text:
            assert not text["citation"].str.contains(PLACEHOLDER, regex=False).any(), name
    assert "Unsigned, “Tiny Treaty”, Signed at Tashkent, 1992-05-15" in set(
        tables["Sources"]["citation"]
    )


def test_the_data_page_tables_carry_column_configuration(tiny_data):
    app = run_page("pages/data.py")
    notes = data_tables(app)["Notes"]
    config = json.loads(notes.proto.columns)
    # The reader's columns share a 1400 px window: the long texts take what the short leave.
    assert config["text"]["label"] == "Note" and config["text"]["width"] > evidence.SHORT_COLUMN_PX
    shown = list(notes.proto.column_order)
    assert shown[0] == "iso3" and "id" not in shown and "source_id" not in shown
    assert config["quote"]["label"] == "Quote (verbatim)"
    assert config["source_url"]["type_config"]["type"] == "link"
    places = json.loads(data_tables(app)["Places (GeoNames gazetteer)"].proto.columns)
    whole = [name for name, column in places.items() if column.get("type_config", {}).get("format")]
    # Whole numbers (the gazetteer's ids) read as integers; coordinates keep their decimals.
    assert {places[name]["type_config"]["format"] for name in whole} >= {"%d", "%.4f"}


def test_the_search_box_filters_every_table(tiny_data):
    app = run_page("pages/data.py")
    app.text_input(key="data_search").input("UZBEKISTAN LEFT").run()
    notes = data_tables(app)["Notes"].value
    assert list(notes["id"]) == ["uzb-withdrew"]
    assert "Notes (1 of 3)" in " ".join(block.value for block in app.markdown)


def test_the_data_page_downloads_the_export_files_of_the_chosen_year(tiny_data):
    app = run_page("pages/data.py")
    app.selectbox(key="data_year").select(2013).run()
    version = data_version(tiny_data)
    buttons = {button.proto.label: button for button in app.get("download_button")}
    assert set(buttons) - {"All years (CSV)", "All years (GEOJSON)"} == {
        f"{layer.capitalize()} ({fmt.upper()})"
        for layer in export.LAYERS
        for fmt in export.formats_of(layer)
    }
    countries = list(csv.DictReader(io.StringIO(downloaded(buttons["Countries (CSV)"]).decode())))
    assert {row["iso3"]: row["status"] for row in countries}["UZB"] == "suspended"
    bases = json.loads(downloaded(buttons["Bases (GEOJSON)"]))
    assert bases["metadata"] == {
        "title": "CSTO Atlas: bases in 2013",
        "layer": "bases",
        "year": 2013,
        "boundaries": export.BOUNDARIES,
        "data_version": version.digest,
        "data_checked": version.checked_text,
    }
    notes = downloaded(buttons["Notes (CSV)"]).decode()
    assert "'=HYPERLINK" in notes
    assert next(f.name for f in evidence.cached_exports(str(tiny_data), version.digest, 2013)) == (
        f"csto-atlas-countries-2013-{version.digest}.csv"
    )


def test_the_data_page_shows_every_year_in_one_table_and_offers_it_for_download(tiny_data):
    app = run_page("pages/data.py")
    grid = next(block.proto.body for block in app.get("html") if "csto-grid" in block.proto.body)
    years = export.year_range(load_tiny_atlas(tiny_data).membership)
    assert all(f"<span>{year}</span>" in grid for year in years)
    # Uzbekistan's row: suspended in 2013, with the label on hover; China (never more than a
    # non-member) is left out until the toggle asks for every region.
    assert 'title="Uzbekistan, 2013: Suspended"' in grid
    assert "China" not in grid
    app.toggle(key="status_everyone").set_value(True).run()
    grid = next(block.proto.body for block in app.get("html") if "csto-grid" in block.proto.body)
    assert ">China</th>" in grid
    buttons = {button.proto.label: button for button in app.get("download_button")}
    version = data_version(tiny_data)
    rows = list(csv.DictReader(io.StringIO(downloaded(buttons["All years (CSV)"]).decode())))
    assert {row["iso3"]: row["2013"] for row in rows}["UZB"] == "suspended"
    assert buttons["All years (CSV)"].proto.url  # served, and named with the version:
    assert export.status_file_name(years, version, "csv", "csto-atlas").endswith(
        f"-{version.digest}.csv"
    )
    assert "python -m csto_atlas export status" in " ".join(c.value for c in app.caption)


def load_tiny_atlas(data_dir: Path):
    from csto_atlas.data.load import load_atlas

    return load_atlas(data_dir)


def test_the_data_page_makes_the_time_lapse_of_every_year(tiny_data):
    app = run_page("pages/data.py")
    assert app.button(key="make_timelapse").label == "Make the time-lapse 1992–2026 (GIF)"


def test_the_data_page_summarises_data_quality(tiny_data):
    app = run_page("pages/data.py")
    summary = " ".join(block.value for block in app.markdown)
    assert "Data checked up to 2007-03-15" in summary
    assert "12 of 12 facts rest on a single source" in summary
    rows, per_fact, precision = (frame.value for frame in app.dataframe[:3])
    assert dict(zip(rows["file"], rows["rows"], strict=True))["notes.csv"] == 3
    assert per_fact.set_index("file").at["membership.csv", "one source"] == 5
    assert precision.set_index("file").at["bases.csv", "gazetteer place"] == 2


def source_blocks(app: AppTest) -> list[str]:
    return [block.value for block in app.html if "csto-source" in block.value]


def test_the_sources_page_reads_unsigned_sources_without_placeholders_or_ids(tiny_data):
    app = run_page("pages/sources.py")
    labels = [expander.proto.label for expander in app.expander]
    assert len(labels) == 3
    assert any(label.startswith("Unsigned, “Tiny Treaty”") for label in labels)
    text = " ".join(labels + source_blocks(app))
    assert PLACEHOLDER not in text
    assert "tiny-treaty" not in text and "tiny.txt" not in text


def test_the_sources_page_counts_what_each_article_supports(tiny_data):
    app = run_page("pages/sources.py")
    articles = app.dataframe[0].value
    assert articles.to_dict("records") == [
        {"citation": "A. Writer, “Tiny Article”, Test Press, 15 Mar 2007", "facts": 6}
    ]
    article = next(block for block in source_blocks(app) if "one of the source articles" in block)
    assert "supports 6 facts" in article
    assert "“Uzbekistan withdrew from the pact in 1999”" in article


def test_the_sources_page_filters_by_source(tiny_data):
    app = run_page("pages/sources.py")
    app.selectbox(key="sources_source").select("tiny-places").run()
    (block,) = source_blocks(app)
    assert "Positions (coordinates taken from this source)" in block
    assert "Position of Gyumri base (within 5 km)" in block


def test_the_sources_page_filters_by_country(tiny_data):
    app = run_page("pages/sources.py")
    app.selectbox(key="sources_country").select("ARM").run()
    html = " ".join(source_blocks(app))
    assert "Gyumri base" in html and "Armenia hosts Russia" in html
    assert "Uzbekistan left." not in html


def test_the_about_page_shows_the_data_version(tiny_data):
    app = run_page("pages/about.py")
    version = data_version(tiny_data)
    text = " ".join(block.value for block in app.markdown)
    assert f"`{version.digest}`" in text and "checked up to **2007-03-15**" in text


def test_the_map_page_links_the_map_images_to_the_api_and_cites_the_view(tiny_data):
    app = run_page(None, {"year": "2013", "country": "UZB"})
    # No Streamlit button above the map: the year box links the view's PNG and SVG to the API
    # (tests/e2e/test_image_links.py follows them in a browser); the time-lapse is on the Data page
    assert app.get("download_button") == [] and app.button == []
    (component,) = app.get("component_instance")
    script = json.loads(component.proto.json_args)["script"]
    assert '"imageApi":"/api/v1"' in script
    # Cite this view is in the map's script, one template per country, filled by the browser
    cite = json.loads(re.search(r'"cite":(\{.*?"urlEscapes":\{.*?\}\})', script).group(1))
    templates = unpack_json(cite["templates"])  # packed: unpacked after the first paint
    plain, bibtex = templates["UZB"]
    version = data_version(tiny_data)
    filled = fill_citation(plain, 2013, "http://h/?year=2013&country=UZB", date(2026, 1, 2), False)
    assert (
        filled
        == cite_view(
            "CSTO Atlas",
            2013,
            "Uzbekistan",
            version,
            "http://h/?year=2013&country=UZB",
            date(2026, 1, 2),
        )[0]
    )
    assert bibtex.startswith("@misc{csto-atlas-@@YEAR@@-uzbekistan-")
    assert {"", "UZB", "ARM"} <= set(templates)


def test_the_map_image_is_drawn_once_per_version_and_year(tiny_data, monkeypatch):
    from csto_atlas.render import images

    drawn = []
    draw = images.render_map
    monkeypatch.setattr(images, "render_map", lambda *a, **k: drawn.append(a[1]) or draw(*a, **k))
    version = data_version(tiny_data)
    evidence.cached_map_image.clear()
    png = evidence.cached_map_image(str(tiny_data), version.digest, 2013, "png")
    assert png.startswith(b"\x89PNG")
    assert evidence.cached_map_image(str(tiny_data), version.digest, 2013, "png") == png
    assert drawn == [2013]
