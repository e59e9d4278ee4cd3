"""The HTTP API beside the app, and long-lived caching of the app's versioned files.

`dashboard.py` hands `routes()` and `middleware()` to Streamlit's `st.App`, so `streamlit run
dashboard.py` serves them from the app's own process (Starlette, no second server):

    GET /api/v1/{countries,bases,incidents,meetings,notes,sources,borders}.{csv,geojson}?year=Y
    GET /api/v1/status.{csv,geojson}           every region's status in every year (?year=Y: one)
    GET /api/v1/map.{png,svg}?year=Y[&country=ISO3]
    GET /api/v1/version.json                   the data version and the date checked up to
    GET /atlas/<digest>.js                     the map file (render/mapfile.py), immutable

The answers are the CLI's exports (`domain/export.layer_text`) and the map images
(`render/images.render_map`), cached with the app's own caches and keyed on the data's
fingerprint. Each carries a strong ETag made of the data version, the code's digest (so a new
release of the code does not answer 304 with an old body) and the request, and a
Cache-Control max-age; a matching If-None-Match gets 304. A bad parameter gets 400 with one line
of plain text, a path under /api/ that is none of these gets 404: never a traceback, never the
app's HTML.
"""

import asyncio.base_events
import functools
import hashlib
import json
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csto_atlas.app import evidence, ui
from csto_atlas.data.errors import DataError
from csto_atlas.data.load import Atlas
from csto_atlas.data.version import DataVersion
from csto_atlas.domain import export
from csto_atlas.domain.status import year_range
from csto_atlas.render import mapfile

PREFIX = "/api/v1"
STATUS = "status"
TABLES = (*export.LAYERS, STATUS)
TABLE_FORMATS = ("csv", "geojson")
IMAGE_FORMATS = ("png", "svg")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "json": "application/json",
    "png": "image/png",
    "svg": "image/svg+xml",
}
# A client may keep an answer this long without asking again; after that it revalidates with
# If-None-Match and gets a 304 while the data is unchanged.
MAX_AGE_S = 300
# The files of the package whose change can change an answer: code, templates, styles, scripts.
CODE_SUFFIXES = frozenset({".py", ".j2", ".js", ".css", ".json", ".toml"})
IMMUTABLE = "public, max-age=31536000, immutable"
YEAR = re.compile(r"[0-9]{4}")


class BadRequest(Exception):
    """A parameter the API cannot serve: its message is the whole (one-line) answer."""


@dataclass(frozen=True)
class Data:
    """The data the app shows now: its cache key, the atlas, its version."""

    key: ui.DataKey
    atlas: Atlas
    version: DataVersion

    @property
    def years(self) -> range:
        return year_range(self.atlas.membership)


def current_data() -> Data:
    """The app's data as it is now (the app's caches: loaded once per data fingerprint)."""
    key = ui.data_key()
    return Data(key, ui.atlas_for(key), evidence.cached_version(key))


# --- parameters ------------------------------------------------------------------------------


def query_values(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query's parameters, each at most once and each one of `allowed`."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            takes = ", ".join(allowed) if allowed else "no parameter"
            raise BadRequest(f"unknown parameter {name!r}: this path takes {takes}")
        if name in values:
            raise BadRequest(f"parameter {name!r} is given more than once")
        values[name] = value
    return values


def parse_year(text: str | None, years: range, required: bool) -> int | None:
    """?year=: a year of the data, e.g. 2019."""
    span = f"{years.start} to {years.stop - 1}"
    if text is None:
        if required:
            raise BadRequest(f"parameter 'year' is required: a year from {span}")
        return None
    text = text.strip()
    if not YEAR.fullmatch(text) or int(text) not in years:
        raise BadRequest(f"year: {text[:20]!r} is not a year from {span}")
    return int(text)


def parse_country(text: str | None, atlas: Atlas) -> str | None:
    """?country=: a region code of the atlas, e.g. TJK (any case)."""
    if text is None:
        return None
    code = text.strip().upper()
    if code not in set(atlas.regions["iso3"]):
        raise BadRequest(f"country: {text[:20]!r} is not a region code of the atlas (e.g. TJK)")
    return code


# --- cached answers ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=256)
def cached_table(key: ui.DataKey, table: str, year: int | None, fmt: str) -> bytes:
    """One export as the CLI writes it (status: every year, or one)."""
    atlas, version = ui.atlas_for(key), evidence.cached_version(key)
    if table == STATUS:
        years = range(year, year + 1) if year is not None else None
        return export.status_text(atlas, fmt, version, years).encode("utf-8")
    assert year is not None  # parse_year requires it for every other table
    return export.layer_text(atlas, table, year, fmt, version).encode("utf-8")


def version_json(data: Data) -> bytes:
    """What /version.json says."""
    body = {
        "api": PREFIX,
        "data_version": data.version.digest,
        "checked_until": data.version.checked_text,
        "years": [data.years.start, data.years.stop - 1],
    }
    return (json.dumps(body, indent=2) + "\n").encode("utf-8")


# --- responses --------------------------------------------------------------------------------


def plain(message: str, status: int) -> PlainTextResponse:
    """One line of plain text, never cached, never HTML."""
    return PlainTextResponse(message + "\n", status, headers={"Cache-Control": "no-store"})


@functools.cache
def code_digest() -> str:
    """The digest of this package's code, computed once per process: a new release changes it."""
    return package_digest(Path(__file__).resolve().parents[1])


def package_digest(package: Path) -> str:
    """12 hex digits of SHA-256 over a package's code files (CODE_SUFFIXES: names and bytes),
    what draws the answers; caches and compiled files do not count."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in CODE_SUFFIXES:
            digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def etag_of(version: DataVersion, name: str) -> str:
    """A strong ETag: the data version, the code's digest and what was asked for
    (`countries-2019.csv`)."""
    return f'"{version.digest}-{code_digest()}-{name}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weak comparison, as RFC 9110 asks for it)."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def cached_answer(
    request: Request, data: Data, stem: str, fmt: str, body: Callable[[], bytes]
) -> Response:
    """200 with `body()` (computed only when needed), or 304 if the client has it already.
    `stem` names what was asked for (`countries-2019`), in the ETag and the file name."""
    etag = etag_of(data.version, f"{stem}.{fmt}")
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={MAX_AGE_S}",
        "Access-Control-Allow-Origin": "*",  # public, read-only data without cookies
    }
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    file_name = f"{export.file_prefix(data.atlas.alliance)}-{stem}-{data.version.digest}.{fmt}"
    headers["Content-Disposition"] = f'inline; filename="{file_name}"'
    return Response(body(), media_type=MEDIA_TYPES[fmt], headers=headers)


def guarded(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """An endpoint whose bad parameters get 400 and whose invalid data gets 503, one line each."""

    def run(request: Request) -> Response:
        try:
            return endpoint(request)
        except BadRequest as error:
            return plain(str(error), 400)
        except DataError as error:
            return plain(f"the data does not validate ({len(error.problems)} problems)", 503)

    run.__name__ = endpoint.__name__
    return run


# --- endpoints (plain functions: Starlette runs them in its thread pool) ------------------------


def table_endpoint(request: Request) -> Response:
    """/api/v1/{table}.{csv,geojson}?year=Y"""
    table, fmt = request.path_params["table"], request.path_params["fmt"]
    if table not in TABLES or fmt not in TABLE_FORMATS:
        return not_found(request)
    values = query_values(request, ("year",))
    data = current_data()
    year = parse_year(values.get("year"), data.years, required=table != STATUS)
    stem = f"{table}-{year if year is not None else 'all'}"
    return cached_answer(request, data, stem, fmt, lambda: cached_table(data.key, table, year, fmt))


def map_endpoint(request: Request) -> Response:
    """/api/v1/map.{png,svg}?year=Y[&country=ISO3]"""
    fmt = request.path_params["fmt"]
    if fmt not in IMAGE_FORMATS:
        return not_found(request)
    values = query_values(request, ("year", "country"))
    data = current_data()
    year = parse_year(values.get("year"), data.years, required=True)
    country = parse_country(values.get("country"), data.atlas)
    highlight = (country,) if country else ()
    stem = f"map-{year}-{country}" if country else f"map-{year}"
    data_dir = data.key[0]
    return cached_answer(
        request,
        data,
        stem,
        fmt,
        lambda: evidence.cached_map_image(data_dir, data.version.digest, year, fmt, highlight),
    )


def version_endpoint(request: Request) -> Response:
    """/api/v1/version.json"""
    query_values(request, ())
    data = current_data()
    return cached_answer(request, data, "version", "json", lambda: version_json(data))


def not_found(request: Request) -> Response:
    """Any other path under /api/: 404, plain text."""
    return plain(f"not found: {request.url.path} (the API is under {PREFIX}/, see the README)", 404)


MAP_FILE_NAME = re.compile(rf"[0-9a-f]{{{mapfile.DIGEST_CHARS}}}\.js")


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header accepts gzip (by name or `*`, with a quality above 0)."""
    qualities: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        qualities[coding.lower()] = quality
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def map_file_endpoint(request: Request) -> Response:
    """/atlas/<digest>.js: the map's file, the same for every visitor of this code and data.

    Its name changes whenever its content does, so it is served as immutable: a browser (and
    nginx, deploy/nginx.conf.j2) keeps it for a year and asks again only for a new name. Sent
    gzipped (compressed once) to a client that accepts it.
    """
    name = request.path_params["name"]
    file = ui.map_file_named(name) if MAP_FILE_NAME.fullmatch(name) else None
    if file is None:
        return plain(f"not found: {request.url.path} (not a map file of this server's data)", 404)
    etag = f'"{file.digest}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "Vary": "Accept-Encoding"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    body = file.data
    if accepts_gzip(request.headers.get("accept-encoding")):
        body = file.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=mapfile.MEDIA_TYPE, headers=headers)


def send_without_delay() -> None:
    """Turn Nagle's algorithm off on every TCP connection this process accepts.

    asyncio sets TCP_NODELAY on a connection only when its socket says it is IPPROTO_TCP
    (`asyncio.base_events._set_nodelay`); the listening socket Streamlit 1.67 binds for uvicorn is
    made with protocol 0, so its connections keep Nagle's algorithm. uvicorn writes an answer's
    head and body in two sends, and the body then waits for the client's delayed ACK: every
    answer on a kept-alive connection took about 44 ms instead of about 3 (the API, and every file
    a browser fetches over one connection). Called once at import by dashboard.py, before the
    server accepts anything; a Python without the function is left as it is.
    """
    original = getattr(asyncio.base_events, "_set_nodelay", None)
    if original is None or getattr(original, "for_any_tcp_socket", False):
        return

    def set_nodelay(sock: socket.socket) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    set_nodelay.for_any_tcp_socket = True  # type: ignore[attr-defined]
    asyncio.base_events._set_nodelay = set_nodelay  # type: ignore[attr-defined]


def routes() -> list[BaseRoute]:
    """The API's routes and the map file's, for st.App (they come before Streamlit's own)."""
    return [
        Route(f"{PREFIX}/version.json", guarded(version_endpoint)),
        Route(PREFIX + "/map.{fmt}", guarded(map_endpoint)),
        Route(PREFIX + "/{table}.{fmt}", guarded(table_endpoint)),
        Route(mapfile.URL_PREFIX + "/{name}", guarded(map_file_endpoint)),
        Route("/api", not_found),
        Route("/api/{rest:path}", not_found),
    ]


# --- cache headers of versioned files ---------------------------------------------------------

# A component's build file with a content hash in its name (streamlit-folium's
# static/js/main.521860b0.js); its index.html and bootstrap.min.css have none and keep
# Streamlit's own headers.
HASHED_COMPONENT_FILE = re.compile(r"/component/[^/]+/(?:[^/]+/)*[^/]+\.[0-9a-f]{8,}\.[a-z0-9]+$")
# A file of the app's static/ folder asked for with its content hash (render/assets.py).
VERSIONED_STATIC_FILE = re.compile(r"/app/static/")
VERSION_QUERY = re.compile(rb"(?:^|&)v=[0-9a-f]{12,}(?:&|$)")


def is_immutable(scope: Scope) -> bool:
    """Whether a request asks for a file whose URL changes whenever its content does."""
    path = scope.get("path", "")
    if HASHED_COMPONENT_FILE.search(path):
        return True
    return bool(
        VERSIONED_STATIC_FILE.search(path) and VERSION_QUERY.search(scope.get("query_string", b""))
    )


class ImmutableAssets:
    """ASGI middleware: `Cache-Control: public, max-age=31536000, immutable` on the answers for
    content-hashed or versioned files (is_immutable); everything else passes untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_immutable(scope):
            await self.app(scope, receive, send)
            return

        async def send_immutable(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                MutableHeaders(scope=message)["Cache-Control"] = IMMUTABLE
            await send(message)

        await self.app(scope, receive, send_immutable)


def middleware() -> list[Middleware]:
    """The middleware for st.App (it wraps Streamlit's own)."""
    return [Middleware(ImmutableAssets)]
