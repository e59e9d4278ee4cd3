"""The loaded atlas, the map payload and its map file are kept by the process
(csto_atlas/app/memo.py), where a client's `clear_cache` message, which empties st.cache_data and
st.cache_resource for everyone, cannot reach them."""

import threading
import time
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.runtime.app_session import AppSession

from csto_atlas.app import ui
from csto_atlas.app.memo import ProcessCache


def clear_cache_as_a_client_asks() -> None:
    """What Streamlit 1.67 does on a client's clear_cache message (AppSession's own handler)."""
    AppSession._handle_clear_cache_request(SimpleNamespace(_session_state={}))  # type: ignore[arg-type]


def test_the_least_recently_used_entry_goes_first():
    cache: ProcessCache[str, int] = ProcessCache(max_entries=2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 0)  # a is used again: b is now the oldest
    cache.get("c", lambda: 3)
    assert "a" in cache and "c" in cache and "b" not in cache
    assert len(cache) == 2
    assert cache.values() == [1, 3]


def test_a_value_is_computed_once_when_many_threads_ask_at_once():
    cache: ProcessCache[str, object] = ProcessCache(max_entries=4)
    calls = []

    def slow() -> object:
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to ask meanwhile
        return object()

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("atlas", slow))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(result) for result in results}) == 1


def test_an_error_is_not_kept():
    cache: ProcessCache[str, int] = ProcessCache(max_entries=1)
    with pytest.raises(ZeroDivisionError):
        cache.get("x", lambda: 1 // 0)
    assert cache.get("x", lambda: 7) == 7


def test_a_cache_needs_room():
    with pytest.raises(ValueError):
        ProcessCache(max_entries=0)


@pytest.fixture
def counted_loads(monkeypatch):
    """ui's caches emptied, load_atlas and map_payload counting their calls (still real)."""
    ui.ATLASES.clear()
    ui.PAYLOADS.clear()
    ui.MAP_FILES.clear()
    loads = {"atlas": 0, "payload": 0}
    real_load, real_payload = ui.load_atlas, ui.map_payload

    def load(*args):
        loads["atlas"] += 1
        return real_load(*args)

    def payload(*args):
        loads["payload"] += 1
        return real_payload(*args)

    monkeypatch.setattr(ui, "load_atlas", load)
    monkeypatch.setattr(ui, "map_payload", payload)
    yield loads
    ui.ATLASES.clear()
    ui.PAYLOADS.clear()
    ui.MAP_FILES.clear()


def test_a_clients_clear_cache_leaves_the_atlas_the_map_payload_and_its_file(counted_loads):
    atlas = ui.atlas_or_stop()
    years = ui.years_of(atlas)
    payload = ui.payload_for(years)
    map_file = ui.map_file_for(years)
    clear_cache_as_a_client_asks()
    assert ui.atlas_or_stop() is atlas
    assert ui.payload_for(years) is payload
    assert ui.map_file_for(years) is map_file
    assert ui.map_file_named(map_file.name) is map_file
    assert counted_loads == {"atlas": 1, "payload": 1}


def test_the_same_message_does_empty_streamlits_own_caches():
    """The handler above is the real one: a st.cache_resource value does not survive it."""
    calls = []

    @st.cache_resource
    def loader() -> object:
        calls.append(1)
        return object()

    loader()
    clear_cache_as_a_client_asks()
    loader()
    assert len(calls) == 2


def test_edited_data_is_read_again(counted_loads, tmp_path, monkeypatch):
    """The key is still the data's fingerprint: a changed file means a new load."""
    stamp = ui.data_stamp()
    ui.cached_atlas(str(ui.paths.data_dir()), stamp)
    changed = (*stamp, (str(tmp_path / "new.csv"), 1, 1))
    ui.cached_atlas(str(ui.paths.data_dir()), changed)
    assert counted_loads["atlas"] == 2
