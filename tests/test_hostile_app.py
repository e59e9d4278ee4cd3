"""The app under hostile input: any query string, and data edited (or broken) while it runs."""

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from csto_atlas.app import ui
from csto_atlas.data import paths
from csto_atlas.render.contract import unpack_json
from tests.tiny import tables, write_csv, write_dataset

DASHBOARD = str(paths.REPO_DIR / "dashboard.py")
PAGES = (None, "pages/data.py", "pages/sources.py", "pages/about.py")


@pytest.fixture
def tiny_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app reads the tiny dataset."""
    data_dir, _, _ = write_dataset(tmp_path)
    monkeypatch.setenv(paths.DATA_ENV_VAR, str(data_dir))
    return data_dir


def run(query: dict | None = None, page: str | None = None, app: AppTest | None = None) -> AppTest:
    """Run the dashboard (or rerun `app`), optionally with a query string or on another page."""
    if app is None:
        app = AppTest.from_file(DASHBOARD, default_timeout=60)
        app.query_params.update(query or {})
    if page is not None:
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def map_script(app: AppTest) -> str:
    """The map's script as st_folium receives it, then the map file it loads (served by this
    process), with its packed panels unpacked after them."""
    (component,) = app.get("component_instance")
    args = json.loads(component.proto.json_args)
    (link,) = args["js_links"]
    map_file = ui.map_file_named(link.rsplit("/", 1)[-1])
    assert map_file is not None, link
    script = args["script"] + "\n" + map_file.data.decode("utf-8")
    (packed,) = re.findall(r'panels: "([A-Za-z0-9+/]{200,}={0,2})"', script)
    return script + "\n" + json.dumps(unpack_json(packed), ensure_ascii=False)


# Values a URL can carry: digits (huge ones too), ISO3-like codes, any unicode, markup.
VALUES = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet=string.ascii_letters, min_size=0, max_size=4),
    st.text(max_size=40),
    st.sampled_from(["UZB", "uzb", "2013", "<script>alert(1)</script>", "%00", "\u202e", "../.."]),
    st.text(min_size=2000, max_size=3000, alphabet="9"),
)
KEYS = st.one_of(st.sampled_from(["year", "country", "page", "embed"]), st.text(max_size=10))
QUERIES = st.dictionaries(
    KEYS, st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3)), max_size=4
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=QUERIES, page=st.sampled_from(PAGES))
def test_any_query_string_gives_the_page_and_at_most_a_notice(tiny_data, query, page):
    app = run(query, page)
    assert not app.error
    assert all("<script" not in notice.value for notice in app.warning)


def test_a_repeated_key_is_read_without_an_error(tiny_data):
    app = run({"year": ["2013", "1999"], "country": ["UZB", "ARM"]})
    assert not app.error
    # The map is the same for every view (atlas.js reads the URL): it is drawn with its panels.
    assert "csto-panel" in map_script(app) and "Uzbekistan left." in map_script(app)


def test_data_edited_under_a_running_app_is_seen_on_the_next_run(tiny_data):
    app = run({"year": "2013", "country": "UZB"})
    assert "Uzbekistan left." in map_script(app)
    rows = tables()["notes"]
    rows[0]["text"] = "Uzbekistan walked out of the treaty."
    write_csv(tiny_data / "notes.csv", rows)
    app = run(app=app)
    assert "Uzbekistan walked out of the treaty." in map_script(app)
    assert "Uzbekistan left." not in map_script(app)


def test_data_that_turns_invalid_while_running_shows_the_error_page_then_recovers(tiny_data):
    app = run({"year": "2013", "country": "UZB"})
    good = (tiny_data / "bases.csv").read_bytes()
    (tiny_data / "bases.csv").write_bytes(good.replace(b"40.79", b"240.79"))
    app = run(app=app)
    assert "did not validate" in app.error[0].value
    assert "datasets/bases.csv line 2, column lat: 240.79 is not a latitude" in app.code[0].value
    (tiny_data / "bases.csv").write_bytes(good)
    app = run(app=app)
    assert not app.error and "Uzbekistan left." in map_script(app)


def test_a_file_removed_while_running_shows_the_error_page_on_every_page_of_data(tiny_data):
    run()
    (tiny_data / "notes.csv").unlink()
    for page in (None, "pages/data.py", "pages/sources.py"):
        app = run(page=page)
        assert app.code[0].value.startswith("datasets/notes.csv: file is missing")
