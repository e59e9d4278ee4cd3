"""The API and the cache headers on the real `streamlit run dashboard.py` (tooling/server.py)."""

import json
import re
import urllib.error
import urllib.request

import pytest

from csto_atlas.render import assets
from tooling.browser import MAP_FRAME

pytestmark = pytest.mark.e2e

IMMUTABLE = "public, max-age=31536000, immutable"
# The first visit to a fresh app server loads the atlas and builds the map's payload.
FIRST_APP_VISIT_MS = 120_000


def lowered(items) -> dict[str, str]:
    """Header names in lower case (HTTP's are case-insensitive)."""
    return {name.lower(): value for name, value in items}


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, lowered(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, lowered(error.headers.items()), error.read()


def test_streamlit_run_serves_the_api_beside_the_app(app_server):
    status, headers, body = fetch(f"{app_server.url}/api/v1/version.json")
    version = json.loads(body)
    assert status == 200 and re.fullmatch(r"[0-9a-f]{12}", version["data_version"])
    assert re.fullmatch(
        rf'"{version["data_version"]}-[0-9a-f]{{12}}-version\.json"', headers["etag"]
    )

    status, headers, body = fetch(f"{app_server.url}/api/v1/countries.csv?year=2019")
    assert status == 200 and headers["content-type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"iso3,name,status,") and b"\nTJK,Tajikistan,member," in body
    assert (
        fetch(
            f"{app_server.url}/api/v1/countries.csv?year=2019", {"If-None-Match": headers["etag"]}
        )[0]
        == 304
    )

    status, headers, body = fetch(f"{app_server.url}/api/v1/countries.csv?year=nope")
    assert (status, headers["content-type"]) == (400, "text/plain; charset=utf-8")
    assert body == b"year: 'nope' is not a year from 1992 to " + body.split(b" to ")[1]
    status, headers, body = fetch(f"{app_server.url}/api/v2/whatever")
    assert (status, headers["content-type"]) == (404, "text/plain; charset=utf-8")

    # The app's own pages are still Streamlit's.
    for page in ("/", "/data"):
        status, headers, body = fetch(app_server.url + page)
        assert status == 200 and b'<div id="root">' in body, page


def test_versioned_files_are_served_as_immutable_and_the_rest_as_before(app_server, page, sync_api):
    assets.publish_leaflet()  # what the map page does on its first run
    layers = assets.leaflet_image_url("images/layers.png")
    assert fetch(app_server.url + layers)[1]["cache-control"] == IMMUTABLE
    unversioned = fetch(app_server.url + layers.split("?")[0])[1]
    assert unversioned.get("cache-control") != IMMUTABLE

    answers = []
    page.on("response", lambda response: answers.append(response))
    page.goto(app_server.url)
    drawn = page.frame_locator(MAP_FRAME).locator("path.csto-iso-UZB")
    sync_api.expect(drawn).to_be_visible(timeout=FIRST_APP_VISIT_MS)
    component = {
        re.sub(r"\?.*", "", answer.url.split("/component/")[1]): answer.headers["cache-control"]
        for answer in answers
        if "/component/streamlit_folium.st_folium/" in answer.url
    }
    hashed = [name for name in component if re.search(r"\.[0-9a-f]{8,}\.js$", name)]
    assert hashed, component
    assert all(component[name] == IMMUTABLE for name in hashed)
    assert component["streamlit_folium.st_folium/index.html"] == "no-cache"
