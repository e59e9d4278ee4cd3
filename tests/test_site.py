"""The static atlas (python -m csto_atlas export site): one page, the app's map, nothing fetched."""

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from csto_atlas.cli import main
from csto_atlas.data.alliance import load_alliance
from csto_atlas.data.load import Atlas
from csto_atlas.data.paths import REPO_DIR
from csto_atlas.data.version import DataVersion, data_version
from csto_atlas.render import assets, site
from csto_atlas.render.contract import script_json
from csto_atlas.render.payload import map_payload
from csto_atlas.render.web import atlas_js, web_asset

MAX_BYTES = 1_500_000
MAX_GZIPPED_BYTES = 450_000
GUAM_DIR = REPO_DIR / "examples" / "guam"
VERSION_FOR_TITLE = DataVersion(
    digest="1a2b3c4d5e6f", checked=date(2026, 1, 1), checked_text="2026"
)


@pytest.fixture(scope="module")
def exported(tiny: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny data's static atlas, written once by the command line: read it only."""
    out = tmp_path_factory.mktemp("site")
    assert main(["export", "site", "--out", str(out), "--data", str(tiny[0])]) == 0
    return out


def test_export_site_writes_one_page_drawn_from_the_data_folder(exported):
    assert sorted(path.name for path in exported.iterdir()) == ["index.html"]
    page = (exported / "index.html").read_text("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>CSTO Atlas</title>" in page
    assert "Gyumri base" in page  # the tiny data's, not the bundled data's
    assert "CSTO-Osh" not in page


def test_the_static_atlas_keeps_the_view_in_its_own_url_the_app_in_its_page(exported):
    page = (exported / "index.html").read_text("utf-8")
    assert '"ownPage":true' in page
    assert '"ownPage":false' not in page


def test_the_static_atlas_loads_no_file_and_no_url(exported):
    page = (exported / "index.html").read_text("utf-8")
    assert re.findall(r"<script[^>]*\ssrc=", page) == []
    assert re.findall(r"<link[^>]*\shref=", page) == []
    # Leaflet's images are data: URLs, not the app's static copy (absent beside the page).
    assert assets.STATIC_URL not in page
    # CSS and SVG url(): data: URLs, and in-page references (hatch patterns, Leaflet's VML)
    assert re.findall(r"url\((?!data:|#|\"?url\(#)", page) == []
    assert re.findall(r"url\(\"?/", page) == []
    # the layer control's icon (and its 2x), the default marker icon Leaflet's style names
    assert page.count("url(data:image/png;base64,") == 3


def test_the_static_atlas_runs_the_apps_own_scripts_and_payload(tiny_atlas: Atlas, tiny):
    page = site.site_html(tiny_atlas, data_version(tiny[0], tiny[1]), range(1992, 2027))
    payload = map_payload(tiny_atlas, range(1992, 2027))
    # atlas.js, its style, markercluster and Leaflet as the app's map frame has them, no copy
    for part in (atlas_js(), web_asset("atlas.css"), assets.markercluster_js()):
        assert part in page
    assert assets.leaflet_js() in page
    assert payload.regions_json in page
    assert script_json(payload.panels_packed) in page
    assert "CstoAtlas.attach(" in page


def test_the_static_atlas_takes_its_title_from_the_data_folder(tiny_atlas):
    page = site.site_html(tiny_atlas, VERSION_FOR_TITLE, range(1992, 1994))
    assert "<title>CSTO Atlas</title>" in page
    guam = replace(tiny_atlas, alliance=load_alliance(GUAM_DIR))
    page = site.site_html(guam, VERSION_FOR_TITLE, range(1992, 1994))
    assert "<title>GUAM Atlas</title>" in page
    assert "The GUAM Atlas needs JavaScript" in page


def test_export_site_without_out_is_a_usage_error(capsys, tiny):
    with pytest.raises(SystemExit) as exited:
        main(["export", "site", "--data", str(tiny[0])])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.splitlines()[-1].endswith("argument --out: export site needs --out FOLDER")


def test_a_layer_export_still_needs_its_year(capsys, tiny):
    with pytest.raises(SystemExit) as exited:
        main(["export", "bases", "--data", str(tiny[0])])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.splitlines()[-1].endswith("argument --year: export bases needs --year YEAR")


def test_the_bundled_static_atlas_fits_its_size_budget(bundled_atlas: Atlas):
    (page,) = site.site_files(bundled_atlas, data_version())
    assert len(page.data) <= MAX_BYTES
    assert page.gzipped_size <= MAX_GZIPPED_BYTES


def test_the_static_atlas_links_no_map_image(tiny_atlas: Atlas, tiny):
    # No HTTP API beside a static page: its year box has no PNG and SVG links (the app's has).
    page = site.site_html(tiny_atlas, data_version(tiny[0], tiny[1]), range(1992, 2027))
    assert '"imageApi":""' in page


def test_the_same_data_gives_the_same_static_atlas_byte_for_byte(tiny_atlas: Atlas):
    first, second = (site.site_files(tiny_atlas, data_version())[0].data for _ in range(2))
    assert first == second
    assert re.search(r'id="map_0{8}"', first.decode("utf-8"))
