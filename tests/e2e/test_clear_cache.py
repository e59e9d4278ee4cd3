"""A client's `clear_cache` message leaves the loaded atlas where it was (csto_atlas/app/memo.py).

A real server and a session speaking Streamlit's protocol (tooling/server.py ScriptSession), no
browser. To see whether the next visit reads the data again, a data file is changed under the
server so that its fingerprint (names, sizes, modification times) stays the same but a fresh
read would refuse it: a warm visit still draws the map, a cold one shows the data error.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from csto_atlas.data.errors import DataError
from csto_atlas.data.load import load_atlas
from csto_atlas.data.paths import BUNDLED_DATA_DIR, DATA_ENV_VAR
from tooling.server import AppServer, ScriptSession

pytestmark = pytest.mark.e2e

DATA_ERROR = b"did not validate"
CHANGED_FILE = "membership.csv"
GOOD_DATE, BAD_DATE = b"1992-05-15", b"1992-13-15"  # same length: the file keeps its size


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data") / "datasets"
    shutil.copytree(BUNDLED_DATA_DIR, folder)
    return folder


@pytest.fixture(scope="module")
def server(data_copy: Path) -> Iterator[AppServer]:
    with AppServer("clear-cache", extra_env={DATA_ENV_VAR: str(data_copy)}) as running:
        yield running


def texts(messages: list[ForwardMsg]) -> bytes:
    return b"".join(message.SerializeToString() for message in messages)


def change_keeping_the_fingerprint(path: Path) -> None:
    """Make the file invalid with the same size and modification time."""
    stat = path.stat()
    data = path.read_bytes()
    assert GOOD_DATE in data
    path.write_bytes(data.replace(GOOD_DATE, BAD_DATE, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def test_a_clients_clear_cache_does_not_make_the_next_visit_load_the_atlas(server, data_copy):
    with ScriptSession(server.url) as first:
        assert DATA_ERROR not in texts(first.run())  # the atlas is loaded and kept
        change_keeping_the_fingerprint(data_copy / CHANGED_FILE)
        clear = BackMsg()
        clear.clear_cache = True
        first.send(clear)
        first.run()  # the message is handled before this run
    with ScriptSession(server.url) as second:
        assert DATA_ERROR not in texts(second.run())
    # ... and that means something: the file as it now is does not validate.
    with pytest.raises(DataError):
        load_atlas(data_copy)
