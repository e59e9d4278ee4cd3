"""The contract between Python and atlas.js: one serialised sample, and every key is read."""

import json
import re
import typing
from pathlib import Path

from csto_atlas.render import contract
from csto_atlas.render.web import atlas_js

SAMPLE = Path(__file__).parent / "samples" / "client_config.json"


def test_the_client_config_serialises_to_the_committed_sample():
    changes = {
        "2012": [contract.ChangeEntry(iso3="UZB", status="suspended", text="Uzbekistan suspended")]
    }
    config = contract.client_config(1992, 2026, [[33.0, 23.2], [61.4, 87.3]], changes, "2026-01-20")
    # To accept a deliberate change: write contract.script_json(config) to the sample file.
    assert json.loads(contract.script_json(config)) == json.loads(SAMPLE.read_text("utf-8"))


def test_every_key_of_the_client_config_is_read_by_atlas_js():
    script = atlas_js()
    for key in typing.get_type_hints(contract.ClientConfig):
        assert re.search(rf"config\.{key}\b", script), f"atlas.js never reads config.{key}"


def test_every_marker_field_is_read_by_atlas_js():
    script = atlas_js()
    for key in typing.get_type_hints(contract.MarkerData):
        assert re.search(rf"data\.{key}\b|data\[\"{key}\"\]", script), f"atlas.js never reads {key}"


def test_each_status_has_its_own_letter():
    letters = [entry["code"] for entry in contract.status_entries()]
    assert len(set(letters)) == len(letters) == len(contract.status_codes())
