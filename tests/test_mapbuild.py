"""Map builders rendered to HTML, no browser: offline assets, year letters, escaping, stability."""

import gzip
import json
import pickle
import re
from dataclasses import replace
from pathlib import Path

import pytest

from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.domain import borders
from csto_atlas.render import assets, contract, mapbuild, mapfile, style, web
from csto_atlas.render import payload as payloads
from csto_atlas.render.web import atlas_js
from tests.tiny import tables, write_dataset

YEARS = range(1992, 2027)
EVIL = '<img src=x onerror="alert(1)"> ${alert(2)} `tick` </script><script>alert(3)</script>'


@pytest.fixture(scope="module")
def payload(tiny_atlas: Atlas) -> payloads.MapPayload:
    """The tiny atlas's map payload, built once: read it only."""
    return payloads.map_payload(tiny_atlas, YEARS)


@pytest.fixture
def evil_atlas(tmp_path: Path) -> Atlas:
    """The tiny data with markup and script in every string a user sees."""
    data = tables()
    data["bases"][0]["name"] = f"Base {EVIL}"
    data["bases"][0]["note"] = f"Note {EVIL}"
    data["incidents"][0]["name"] = f"Clash {EVIL}"
    data["incidents"][0]["summary"] = f"Summary {EVIL}"
    data["meetings"][0]["place"] = f"Place {EVIL}"
    data["sources"][1]["title"] = f"Treaty {EVIL}"
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    return load_atlas(data_dir, geodata_dir)


def render(fmap) -> str:
    """The standalone HTML page of a map."""
    return fmap.get_root().render()


def test_the_map_loads_no_script_or_style_file_leaflet_and_its_clusters_are_inlined(payload):
    page = render(mapbuild.build_map(payload))
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]*)"', page)
    styles = re.findall(r'<link[^>]*\shref="([^"]*)"', page)
    assert scripts == []
    assert styles == []
    # Leaflet itself first, then Leaflet.markercluster, then our own script, all from their
    # installed packages; Leaflet's style too, its images pointed at the app's static copy.
    assert page.index("Leaflet 1.9.3") < page.index("L.MarkerClusterGroup=")
    assert page.index("L.MarkerClusterGroup=") < page.index("CstoAtlas.attach(")
    assert "sourceMappingURL" not in page
    assert ".leaflet-pane" in page and ".marker-cluster-small" in page
    assert re.search(r"url\(/app/static/leaflet/images/layers\.png\?v=[0-9a-f]{16}\)", page)
    assert "url(images/" not in page
    assert "cdn" not in " ".join(scripts + styles)
    for dropped in ("jquery", "bootstrap", "awesome-markers", "font-awesome", "fontawesome"):
        assert dropped not in page.lower()


@pytest.fixture(scope="module")
def map_file(payload: payloads.MapPayload) -> mapfile.MapFile:
    """The tiny atlas's map file, as the app serves it."""
    return mapfile.map_file(payload)


def message_parts(fmap) -> tuple[str, str, str, list[str]]:
    """What streamlit-folium sends for a map, as ui.show_folium calls it (render=False): its
    header, html, script and the script files it loads first."""
    from streamlit_folium import _get_header, _get_html, _get_map_string

    fmap.render()
    links = [url for _, url in fmap.default_js]
    return _get_header(fmap), _get_html(fmap), _get_map_string(fmap), links


def shared_texts(payload: payloads.MapPayload) -> dict[str, str]:
    """What every visitor's map has in common: code, style and the payload of all years."""
    texts = mapfile.inline_texts(payload)
    return {
        "Leaflet": texts.leaflet_js,
        "markercluster and atlas.js": texts.code_js,
        "the style": texts.css,
        "the regions": texts.regions,
        **{f"the {kind}": text for kind, text in texts.markers.items()},
        "the panels": texts.panels,
    }


def test_the_apps_map_loads_its_map_file_and_its_message_carries_nothing_every_visitor_shares(
    payload, map_file
):
    header, html, script, links = message_parts(mapbuild.build_map(payload, map_file=map_file))
    assert links == [map_file.url]
    assert re.fullmatch(r"/atlas/[0-9a-f]{16}\.js", map_file.url)
    message = header + html + script
    for what, text in shared_texts(payload).items():
        assert text.strip()[:200] not in message, what
    # It reads them from the file's entry, by the file's own digest.
    assert f'CstoAtlasData["{map_file.digest}"].regions' in script
    assert f'CstoAtlasData["{map_file.digest}"].panels' in script
    assert "CstoAtlas.attach(" in script
    inlined = message_parts(mapbuild.build_map(payload))
    assert len(message) < len("".join(inlined[:3])) / 10


def test_the_map_file_holds_the_style_the_code_and_the_payload_in_the_order_they_run(
    payload, map_file
):
    text = map_file.data.decode("utf-8")
    texts = mapfile.inline_texts(payload)
    # Style first (added to the page at once), then Leaflet, markercluster, atlas.js, the data.
    order = [
        text.index(contract.script_json(texts.css)),
        text.index("Leaflet 1.9.3"),
        text.index("L.MarkerClusterGroup="),
        text.index(atlas_js()),
        text.index(f'CstoAtlasData["{map_file.digest}"] = {{'),
        text.index(payload.regions_json),
    ]
    assert order == sorted(order)
    for kind, markers in payload.markers_json.items():
        assert f'"{kind}": {markers}' in text
    assert f"panels: {contract.script_json(payload.panels_packed)}" in text
    assert "sourceMappingURL" not in text
    assert gzip.decompress(map_file.gzipped) == map_file.data


def test_the_map_file_is_named_by_its_content(payload, map_file):
    again = mapfile.map_file(pickle.loads(pickle.dumps(payload)))
    assert (again.digest, again.data) == (map_file.digest, map_file.data)
    changed = mapfile.map_file(replace(payload, panels_packed=contract.pack_json({"ARM": "x"})))
    assert changed.digest != map_file.digest
    # A map built for the other file reads the other entry: streamlit-folium remounts it.
    script = message_parts(mapbuild.build_map(payload, map_file=map_file))[2]
    assert message_parts(mapbuild.build_map(payload, map_file=changed))[2] != script


def test_the_static_atlas_map_inlines_what_the_apps_map_loads(payload, map_file):
    page = render(mapbuild.build_map(payload))
    for what, text in shared_texts(payload).items():
        assert text in page, what
    assert "CstoAtlasData" not in page and map_file.url not in page


def test_the_online_basemap_is_optional_and_off_by_default(payload):
    page = render(mapbuild.build_map(payload))
    tile_layer = re.search(r"var (tile_layer_\w+) = L\.tileLayer\(", page)
    assert tile_layer is not None
    assert f"{tile_layer.group(1)}.addTo(" not in page
    assert "OpenStreetMap (online)" in page
    assert "Plain background (offline)" in page


def test_every_region_feature_carries_one_status_letter_per_year(payload, tiny_atlas):
    features = payload.regions["features"]
    assert {f["properties"]["iso3"] for f in features} == set(tiny_atlas.regions["iso3"])
    for feature in features:
        codes = feature["properties"]["codes"]
        assert len(codes) == len(YEARS)
        assert set(codes) <= set(contract.status_codes().values())
    page = render(mapbuild.build_map(payload))
    assert page.count('"codes":') == len(features)


def test_uzbekistan_letters_say_member_in_2008_and_suspended_in_2013(payload):
    uzbekistan = next(f for f in payload.regions["features"] if f["id"] == "UZB")
    statuses = {code: status for status, code in contract.status_codes().items()}
    letters = uzbekistan["properties"]["codes"]
    assert [statuses[letters[year - payload.first]] for year in (2008, 2013, 2000)] == [
        "member",
        "suspended",
        "former",
    ]


def test_the_map_script_names_no_view_so_every_session_gets_the_same_map(payload):
    # atlas.js reads the year and country from the page URL; the last year is the default.
    config = mapbuild.map_config(payload)
    page = render(mapbuild.build_map(payload))
    assert f"{contract.script_json(config)},\n" in page
    assert page.count(contract.script_json(payload.panels_packed)) == 1
    assert config["year"] == YEARS.stop - 1
    assert "selected" not in config
    assert set(payload.panels()) == {f["id"] for f in payload.regions["features"]}


def test_the_regions_and_markers_are_embedded_as_the_payload_serialised_them(payload):
    page = render(mapbuild.build_map(payload))
    assert page.count(payload.regions_json) == 1
    for markers_json in payload.markers_json.values():
        assert page.count(markers_json) == 1
    assert "csto-region csto-iso-" in page


def test_breakaway_regions_are_drawn_last_and_name_their_parent_state(payload):
    features = payload.regions["features"]
    kinds = [f["properties"]["kind"] for f in features]
    assert kinds == sorted(kinds, key=payloads.kind_order)
    abkhazia = next(f for f in features if f["id"] == "XAB")
    assert abkhazia["properties"]["parent"] == "Georgia"


def test_markers_carry_the_years_they_show(payload):
    bases = {record["id"]: record for record in payload.markers["bases"]}
    assert (bases["gyumri"]["from"], bases["gyumri"]["to"]) == (1995, None)
    assert (bases["gudauta"]["from"], bases["gudauta"]["to"]) == (2009, 2020)
    assert not bases["gyumri"]["fade"]
    (incident,) = payload.markers["incidents"]
    assert (incident["from"], incident["to"], incident["fade"]) == (2018, None, True)
    page = render(mapbuild.build_map(payload))
    assert page.count('"csto":{') == sum(len(r) for r in payload.markers.values())
    assert '"from":2009' in page and '"to":2020' in page


def test_another_sources_account_appears_in_the_incident_popup(tmp_path):
    data = tables()
    other = dict(data["incidents"][0], id="border-clash-alt", date="2018-07", killed="11")
    data["incidents"].append(other | {"same_as": "border-clash", "summary": "Other account."})
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    payload = payloads.map_payload(load_atlas(data_dir, geodata_dir), YEARS)
    (incident,) = payload.markers["incidents"]
    assert "Another account" in incident["popup"]
    assert "11 killed" in incident["popup"] and "8 killed" in incident["popup"]


def test_every_popup_cites_its_source(payload):
    for records in payload.markers.values():
        for record in records:
            assert 'class="csto-cite"' in record["popup"]
    (meeting,) = payload.markers["meetings"]
    assert "A. Writer, “Tiny Article”, Test Press, 2007-03-15, ¶2" in meeting["popup"]
    assert "<blockquote>“A treaty was signed at Tashkent”</blockquote>" in meeting["popup"]
    assert "<em>Where:</em> The town of Tashkent." in meeting["popup"]
    assert (
        "Position: GeoNames 1512569; within about 5 km; from Natural Earth, “Populated Places”"
        in meeting["popup"]
    )


def test_dataset_strings_are_escaped_in_tooltips_and_popups(evil_atlas):
    payload = payloads.map_payload(evil_atlas, YEARS)
    texts = [r["tip"] + r["popup"] for records in payload.markers.values() for r in records]
    for text in texts:
        assert "<img" not in text and "<script" not in text and "</script" not in text
    assert any("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in text for text in texts)
    page = render(mapbuild.build_map(payload))
    assert "<img src=x" not in page
    assert "</script><script>alert(3)" not in page
    # No folium Popup/Tooltip templates: they put text inside JS template literals (`${...}`).
    assert not re.search(r"bindTooltip\(\s*`", page) and "$(`" not in page


def test_the_client_config_is_safe_inside_a_script_element():
    text = contract.script_json({"label": "</script><b>&'"})
    assert "<" not in text and ">" not in text and "&" not in text and "'" not in text
    assert json.loads(text) == {"label": "</script><b>&'"}


def test_the_same_payload_gives_the_same_map_script(payload):
    from streamlit_folium import _get_map_string, generate_js_hash

    def key_of() -> str:
        script = _get_map_string(mapbuild.build_map(payload))
        return generate_js_hash(script, "atlas_map", False)

    assert key_of() == key_of()


def test_a_cached_copy_of_the_payload_builds_the_very_same_map_script(payload):
    from streamlit_folium import _get_map_string

    copy = pickle.loads(pickle.dumps(payload))  # what st.cache_data hands each rerun
    assert copy == payload
    first = _get_map_string(mapbuild.build_map(payload))
    assert _get_map_string(mapbuild.build_map(copy)) == first


def test_our_own_javascript_and_css_are_inlined(payload):
    page = render(mapbuild.build_map(payload))
    assert "CstoAtlas.attach(" in page
    assert ".csto-year" in page
    assert atlas_js().strip()[:40] in page


def test_atlas_js_is_every_file_of_its_folder_joined_in_the_documented_order():
    folder = Path(web.__file__).parent / web.ATLAS_FOLDER
    assert tuple(sorted(path.name for path in folder.glob("*.js"))) == web.ATLAS_PARTS
    script = atlas_js()
    starts = [script.index(web.atlas_part(name)) for name in web.ATLAS_PARTS]
    assert starts == sorted(starts)
    assert script.startswith(web.ATLAS_HEAD) and script.endswith(web.ATLAS_TAIL)


def test_each_part_of_atlas_js_is_at_most_400_lines():
    for name in web.ATLAS_PARTS:
        assert web.atlas_part(name).count("\n") <= 400, name


def test_the_map_opens_on_the_member_states_and_the_markers(payload, tiny_atlas):
    (south, west), (north, east) = payload.frame
    points = [record for records in payload.markers.values() for record in records]
    assert south < min(r["lat"] for r in points) and north > max(r["lat"] for r in points)
    assert west < min(r["lon"] for r in points) and east > max(r["lon"] for r in points)
    # Uzbekistan (a member, 56-73 E) is inside; Russia (60 degrees wide) does not stretch it.
    assert west <= 56 and east >= 73 and east < 90


def test_status_letters_are_distinct():
    codes = contract.status_codes()
    assert len(set(codes.values())) == len(codes)
    assert set(style.STATUS_COLOURS) == set(codes)


def test_leaflet_is_published_from_the_xstatic_package_once(tmp_path):
    written = assets.publish_leaflet(tmp_path)
    assert (tmp_path / "leaflet" / "leaflet.js").is_file()
    assert (tmp_path / "leaflet" / "images" / "layers.png").is_file()
    assert len(written) == len(assets.LEAFLET_FILES)
    assert assets.publish_leaflet(tmp_path) == []
    assert assets.leaflet_source_dir() not in tmp_path.parents


def test_rendering_the_map_alone_gives_st_folium_the_same_script_header_and_html(payload):
    # ui.show_map calls st_folium(render=False): st_folium then renders only the map.
    from streamlit_folium import _get_header, _get_html, _get_map_string

    def parts(render_page: bool) -> tuple[str, str, str]:
        fmap = mapbuild.build_map(payload)
        if render_page:
            fmap.get_root().render()
        fmap.render()
        return _get_header(fmap), _get_html(fmap), _get_map_string(fmap)

    assert parts(render_page=False) == parts(render_page=True)


def test_an_incident_popup_says_how_far_it_is_from_a_members_border(payload, tiny_atlas):
    distances = borders.incident_border_distance(tiny_atlas).round(0)
    for record in payload.markers["incidents"]:
        expected = (
            f"{int(distances[record['id']])} km from the nearest land border of a CSTO member"
        )
        assert expected in record["popup"]
