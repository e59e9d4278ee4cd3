"""The HTTP API's routes and the cache-header middleware, on the tiny data, without a server.

Requests go through a Starlette app built from exactly what dashboard.py hands st.App
(api.routes(), api.middleware()), called as an ASGI app. Starlette's TestClient needs the
httpx2 package, which the locks do not carry; `call` below is the few lines of it we need.
"""

import asyncio
import concurrent.futures
import csv
import gzip
import importlib.util
import io
import json
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from csto_atlas.app import api, ui
from csto_atlas.data import paths
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.data.version import data_version
from csto_atlas.domain import export
from csto_atlas.domain.sources import provisional_from
from csto_atlas.domain.status import year_range
from csto_atlas.render import mapfile
from csto_atlas.render.payload import map_payload


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(app, target: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
    """One HTTP request through an ASGI app, as a server would hand it over."""
    url = urlsplit(target)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": url.path,
        "raw_path": url.path.encode(),
        "query_string": url.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    # In a thread of its own: after a browser test, Playwright's sync API leaves an event loop
    # running in this thread, where asyncio.run() refuses to start.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return Answer(start["status"], headers, body)


@pytest.fixture(scope="module")
def tiny_data(tiny: tuple[Path, Path, Path]) -> Path:
    return tiny[0]


@pytest.fixture
def app(tiny_data: Path, monkeypatch: pytest.MonkeyPatch) -> Starlette:
    """The API on the tiny data (the app's data folder comes from $CSTO_ATLAS_DATA)."""
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(tiny_data))
    return Starlette(routes=api.routes(), middleware=api.middleware())


@pytest.fixture(scope="module")
def served_atlas(tiny_data: Path) -> Atlas:
    """The atlas the API serves: the tiny data on the repo's geodata, as the app loads it."""
    return load_atlas(tiny_data)


@pytest.fixture(scope="module")
def digest(tiny_data: Path) -> str:
    return data_version(tiny_data).digest


@pytest.mark.parametrize("layer", export.LAYERS)
def test_every_layer_answers_as_csv_exactly_as_the_cli_writes_it(
    app, served_atlas, tiny_data, layer
):
    answer = call(app, f"/api/v1/{layer}.csv?year=2019")
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    expected = export.layer_text(served_atlas, layer, 2019, "csv", data_version(tiny_data))
    assert answer.text == expected


@pytest.mark.parametrize("layer", ["countries", "bases", "borders"])
def test_a_layer_answers_as_geojson_with_the_data_version(app, digest, layer):
    answer = call(app, f"/api/v1/{layer}.geojson?year=2019")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/geo+json"
    collection = json.loads(answer.body)
    assert collection["type"] == "FeatureCollection"
    assert collection["metadata"]["data_version"] == digest
    assert collection["metadata"]["year"] == 2019


def test_status_gives_every_region_in_every_year(app, served_atlas):
    answer = call(app, "/api/v1/status.csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    years = year_range(served_atlas.membership)
    assert answer.status == 200
    # One row per region, also for one drawn in pieces (Nagorno-Karabakh, geodata/periods.csv).
    assert sorted(row["iso3"] for row in rows) == sorted(set(served_atlas.regions["iso3"]))
    assert list(rows[0])[-len(years) - 1 :] == [*map(str, years), "provisional_from"]
    uzbekistan = next(row for row in rows if row["iso3"] == "UZB")
    assert uzbekistan["2012"] == "suspended" and uzbekistan["2010"] == "member"
    # The first year whose 31 December lies after the date the sources are checked up to.
    first = provisional_from(served_atlas.sources)
    assert {row["provisional_from"] for row in rows} == {str(first)}


def test_status_of_one_year_and_as_geojson(app):
    one = list(csv.DictReader(io.StringIO(call(app, "/api/v1/status.csv?year=2012").text)))
    assert [name for name in one[0] if name.isdigit()] == ["2012"]
    collection = json.loads(call(app, "/api/v1/status.geojson").body)
    assert collection["metadata"]["layer"] == "status"
    assert all(feature["geometry"]["type"] for feature in collection["features"])


def test_the_map_image_is_a_png_or_an_svg_of_the_year(app):
    png = call(app, "/api/v1/map.png?year=2019")
    svg = call(app, "/api/v1/map.svg?year=2019&country=tjk")
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    assert png.body.startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.status == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in svg.body[:1000] and b"2019" in svg.body
    assert svg.headers["etag"].endswith('-map-2019-TJK.svg"')


def test_version_says_the_data_version_and_the_date_checked_up_to(app, tiny_data, served_atlas):
    version = data_version(tiny_data)
    answer = call(app, "/api/v1/version.json")
    years = year_range(served_atlas.membership)
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    assert json.loads(answer.body) == {
        "api": "/api/v1",
        "data_version": version.digest,
        "checked_until": version.checked_text,
        "years": [years.start, years.stop - 1],
    }


def test_an_answer_has_a_strong_etag_of_the_data_version_and_a_max_age(app, digest):
    answer = call(app, "/api/v1/bases.csv?year=2019")
    assert answer.headers["etag"] == f'"{digest}-{api.code_digest()}-bases-2019.csv"'
    assert answer.headers["cache-control"] == f"public, max-age={api.MAX_AGE_S}"
    assert answer.headers["content-disposition"] == (
        f'inline; filename="csto-atlas-bases-2019-{digest}.csv"'
    )
    assert call(app, "/api/v1/bases.csv?year=2018").headers["etag"] != answer.headers["etag"]


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", {etag}', "*"],
    ids=["same", "weak", "list", "any"],
)
def test_a_matching_if_none_match_gets_304_without_a_body(app, if_none_match):
    etag = call(app, "/api/v1/countries.csv?year=2019").headers["etag"]
    answer = call(
        app, "/api/v1/countries.csv?year=2019", {"If-None-Match": if_none_match.format(etag=etag)}
    )
    assert answer.status == 304
    assert answer.body == b""
    assert answer.headers["etag"] == etag
    assert "max-age" in answer.headers["cache-control"]


def test_a_new_release_of_the_code_changes_every_etag(app, monkeypatch):
    before = call(app, "/api/v1/countries.csv?year=2019").headers["etag"]
    monkeypatch.setattr(api, "code_digest", lambda: "0" * 12)
    answer = call(app, "/api/v1/countries.csv?year=2019", {"If-None-Match": before})
    assert answer.status == 200 and answer.headers["etag"] != before


def test_the_code_digest_follows_code_files_but_not_compiled_ones(tmp_path):
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "atlas.js").write_text("let year = 1992;")
    (tmp_path / "panel.j2").write_text("<h2>{{ name }}</h2>")
    first = api.package_digest(tmp_path)
    (tmp_path / "panel.cpython-311.pyc").write_bytes(b"\0compiled")
    assert api.package_digest(tmp_path) == first
    (tmp_path / "web" / "atlas.js").write_text("let year = 1993;")
    assert api.package_digest(tmp_path) != first
    assert len(first) == 12 and len(api.code_digest()) == 12


def test_a_stale_etag_gets_the_whole_answer(app):
    answer = call(app, "/api/v1/countries.csv?year=2019", {"If-None-Match": '"0123456789ab-x"'})
    assert answer.status == 200 and answer.body.startswith(b"iso3,name,status")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/api/v1/countries.csv", "parameter 'year' is required: a year from 1992 to "),
        ("/api/v1/countries.csv?year=19", "year: '19' is not a year from 1992 to "),
        ("/api/v1/countries.csv?year=1800", "year: '1800' is not a year from 1992 to "),
        ("/api/v1/countries.csv?year=2019abc", "year: '2019abc' is not a year from 1992 to "),
        ("/api/v1/countries.csv?year=%3Cscript%3E", "year: '<script>' is not a year from "),
        ("/api/v1/bases.geojson?year=2019&year=2020", "parameter 'year' is given more than once"),
        ("/api/v1/bases.csv?year=2019&format=xml", "unknown parameter 'format': this path takes"),
        ("/api/v1/map.png", "parameter 'year' is required"),
        ("/api/v1/map.svg?year=2019&country=ZZZ", "country: 'ZZZ' is not a region code"),
        ("/api/v1/version.json?year=2019", "unknown parameter 'year': this path takes no param"),
    ],
)
def test_a_bad_parameter_gets_400_and_one_line_of_plain_text(app, target, message):
    answer = call(app, target)
    assert answer.status == 400
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text.startswith(message)
    assert answer.text.count("\n") == 1 and answer.text.endswith("\n")
    assert "Traceback" not in answer.text and "<" not in answer.text.replace("'<script>'", "")


@pytest.mark.parametrize(
    "target",
    [
        "/api",
        "/api/",
        "/api/v2/countries.csv",
        "/api/v1/nope.csv",
        "/api/v1/countries.xml",
        "/api/v1/map.gif?year=2019",
        "/api/v1/countries",
        "/api/v1/a/b.csv",
    ],
)
def test_an_unknown_path_under_api_gets_404_plain_text(app, target):
    answer = call(app, target)
    assert answer.status == 404
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text.startswith("not found: /api")


# --- the map file ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_map_file(served_atlas: Atlas) -> mapfile.MapFile:
    """The map file of the tiny data, made here as the app makes it."""
    return mapfile.map_file(map_payload(served_atlas, year_range(served_atlas.membership)))


def test_the_map_file_is_immutable_and_gzipped_for_a_browser(app, served_map_file):
    answer = call(app, served_map_file.url, {"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert answer.status == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["etag"] == f'"{served_map_file.digest}"'
    assert gzip.decompress(answer.body) == served_map_file.data


def test_the_map_file_is_sent_as_it_is_to_a_client_without_gzip(app, served_map_file):
    answer = call(app, served_map_file.url)
    assert answer.status == 200
    assert "content-encoding" not in answer.headers
    assert answer.body == served_map_file.data


def test_a_map_file_named_in_if_none_match_gets_304(app, served_map_file):
    answer = call(app, served_map_file.url, {"If-None-Match": f'"{served_map_file.digest}"'})
    assert (answer.status, answer.body) == (304, b"")


def test_a_server_serves_the_current_datas_map_file_before_any_page_made_it(app, served_map_file):
    ui.MAP_FILES.clear()  # a fresh replica: no page view has made it yet
    assert call(app, served_map_file.url).status == 200


@pytest.mark.parametrize(
    "target",
    ["/atlas/0123456789abcdef.js", "/atlas/index.html", "/atlas/0123456789ABCDEF.js"],
)
def test_a_map_file_of_other_data_or_no_map_file_gets_404_plain_text(app, target):
    answer = call(app, target)
    assert answer.status == 404
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.text.startswith(f"not found: {target}")


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        (None, False),
        ("", False),
        ("br", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
    ],
)
def test_gzip_is_sent_only_where_accept_encoding_accepts_it(header, accepted):
    assert api.accepts_gzip(header) is accepted


# --- the cache headers of versioned files ---------------------------------------------------


def file_app() -> Starlette:
    """Stand-ins for Streamlit's file routes, with Streamlit's own Cache-Control."""

    def serve(request):
        return PlainTextResponse("file", headers={"Cache-Control": "public"})

    return Starlette(routes=[Route("/{path:path}", serve)], middleware=api.middleware())


@pytest.mark.parametrize(
    "target",
    [
        "/component/streamlit_folium.st_folium/static/js/main.521860b0.js",
        "/component/streamlit_folium.st_folium/static/css/main.0a1b2c3d.css",
        "/app/static/leaflet/images/layers.png?v=0123456789abcdef",
    ],
)
def test_a_content_hashed_or_versioned_file_is_cached_for_a_year_as_immutable(target):
    answer = call(file_app(), target)
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "target",
    [
        "/component/streamlit_folium.st_folium/index.html",
        "/component/streamlit_folium.st_folium/bootstrap.min.css",
        "/app/static/leaflet/images/layers.png",
        "/app/static/leaflet/leaflet.js?v=latest",
        "/",
        "/api/v1/countries.csv",
    ],
)
def test_a_file_without_a_version_in_its_url_keeps_its_headers(target):
    assert call(file_app(), target).headers["cache-control"] == "public"


def test_streamlit_folium_files_with_a_hash_match_the_pattern():
    # found, not imported: see test_the_server_imports_dashboard_without_the_map_component
    package = importlib.util.find_spec("streamlit_folium").submodule_search_locations[0]
    build = Path(package) / "frontend" / "build"
    files = [path.relative_to(build).as_posix() for path in build.rglob("*") if path.is_file()]
    hashed = [
        name
        for name in files
        if api.HASHED_COMPONENT_FILE.search(f"/component/streamlit_folium.st_folium/{name}")
    ]
    assert hashed and all(name.startswith("static/") for name in hashed)
    assert "index.html" not in hashed and "bootstrap.min.css" not in hashed


# --- how `streamlit run dashboard.py` finds the app --------------------------------------------


def test_streamlit_run_finds_the_app_of_dashboard_py():
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(paths.REPO_DIR / "dashboard.py")
    assert found.is_asgi_app and found.import_string == "dashboard:app"


def test_the_server_imports_dashboard_without_the_map_component():
    # The server imports dashboard.py outside a script run; a component declared then is never
    # registered (the map's frame would 404), so streamlit-folium must wait for the first run.
    script = "import sys, dashboard; print(type(dashboard.app).__name__, 'streamlit_folium' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=paths.REPO_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["App", "False"]


def accepted_nodelay() -> int:
    """TCP_NODELAY of a connection accepted by an asyncio server on a socket made with protocol
    0, as Streamlit binds it for uvicorn."""

    async def run() -> int:
        listener = socket.socket(socket.AF_INET)  # protocol 0, like Streamlit's
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            value = await asyncio.wait_for(seen, 10)
            writer.close()
        return value

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def stdlib_set_nodelay(sock: socket.socket) -> None:
    """Python 3.11's own rule: TCP_NODELAY only on a socket whose protocol is IPPROTO_TCP."""
    if sock.type == socket.SOCK_STREAM and sock.proto == socket.IPPROTO_TCP:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def test_connections_accepted_on_a_protocol_0_socket_send_without_delay(monkeypatch):
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", stdlib_set_nodelay)
    assert accepted_nodelay() == 0  # Nagle's algorithm on: answers wait for delayed ACKs
    api.send_without_delay()
    assert accepted_nodelay() != 0
    api.send_without_delay()  # a second call changes nothing
    assert getattr(asyncio.base_events._set_nodelay, "for_any_tcp_socket", False)


def test_the_app_turns_nagle_off_before_it_serves():
    source = (Path(__file__).parents[1] / "dashboard.py").read_text(encoding="utf-8")
    assert source.index("api.send_without_delay()") < source.index("app = st.App(")
