"""The prepared panels and the year box's changes: content tagged by year, escaped, no browser."""

import html
import re
from datetime import date
from pathlib import Path

import pytest

from csto_atlas.data import paths
from csto_atlas.data.load import Atlas, load_atlas
from csto_atlas.domain import export
from csto_atlas.domain.changes import changes_in_year
from csto_atlas.domain.panel import CYRILLIC, panel_contents
from csto_atlas.domain.sources import first_provisional_year
from csto_atlas.domain.status import year_range
from csto_atlas.render import payload as payloads
from tests.tiny import tables, write_dataset

YEARS = range(1992, 2027)
EVIL = '<script>alert("x")</script> <img src=x onerror=alert(1)>'


@pytest.fixture
def panels(tiny_atlas: Atlas) -> dict[str, str]:
    return payloads.map_payload(tiny_atlas, YEARS).panels()


@pytest.fixture(scope="module")
def bundled_atlas() -> Atlas:
    """The bundled data, as the app shows it."""
    return load_atlas(paths.data_dir(), paths.GEODATA_DIR)


def atlas_with(tmp_path: Path, change) -> Atlas:
    data = tables()
    change(data)
    data_dir, geodata_dir, _ = write_dataset(tmp_path, data)
    return load_atlas(data_dir, geodata_dir)


def tagged(html: str, text: str) -> str:
    """The opening tag of the innermost tagged element (data-from) around `text`."""
    before = html[: html.index(text)]
    tags = re.findall(r"<(?:li|div|span)[^>]*data-from[^>]*>", before)
    return tags[-1]


def test_uzbekistan_is_suspended_in_2012_by_the_event_of_that_year(tiny_atlas):
    changes = changes_in_year(tiny_atlas, 2012)
    columns = ["iso3", "name", "date", "old_status", "new_status", "kind", "source_id", "id"]
    assert changes[columns].to_dict("records") == [
        {
            "iso3": "UZB",
            "name": "Uzbekistan",
            "date": "2012-12-31",
            "old_status": "member",
            "new_status": "suspended",
            "kind": "suspended",
            "source_id": "tiny-treaty",
            "id": "uzb-suspends",
        }
    ]
    assert changes_in_year(tiny_atlas, 2013).empty


def test_the_year_box_says_who_joined_left_and_returned_in_the_storys_words(tiny_atlas):
    changes = payloads.year_changes(tiny_atlas, YEARS)
    assert [c["text"] for c in changes["1992"]] == ["Uzbekistan joined", "Armenia joined"]
    assert [c["text"] for c in changes["1999"]] == ["Uzbekistan left"]
    assert [c["text"] for c in changes["2006"]] == ["Uzbekistan returned"]
    assert [(c["iso3"], c["text"]) for c in changes["2012"]] == [("UZB", "Uzbekistan suspended")]
    assert "2013" not in changes


def test_each_status_period_names_the_event_that_began_it(tiny_atlas):
    periods = panel_contents(tiny_atlas, YEARS)["UZB"]["periods"]
    assert [(p["from"], p["to"], p["status"], p["event"]["id"]) for p in periods] == [
        (1992, 1998, "member", "uzb-signs"),
        (1999, 2005, "former", "uzb-leaves"),
        (2006, 2011, "member", "uzb-rejoins"),
        (2012, 2026, "suspended", "uzb-suspends"),
    ]
    (georgia,) = panel_contents(tiny_atlas, YEARS)["GEO"]["periods"]
    assert (georgia["from"], georgia["to"], georgia["event"]) == (1992, 2026, None)


def test_the_status_line_is_shown_only_in_its_own_years_with_its_date(panels):
    html = panels["UZB"]
    assert re.search(
        r'class="csto-status" data-from="2012" data-to="2026"><p><strong>Suspended', html
    )
    assert 'data-goto="2012" title="Show 2012 on the map">31 Dec 2012</button>' in html
    assert 'class="csto-status" data-from="1992" data-to="1998"' in html


def test_notes_bases_and_incidents_are_tagged_with_the_years_they_apply_to(panels):
    uzbekistan, armenia = panels["UZB"], panels["ARM"]
    assert tagged(uzbekistan, "Uzbekistan left.") == '<li data-from="1999" data-until="1999">'
    assert tagged(uzbekistan, "Border clash") == '<li data-from="2018" data-until="2018">'
    assert tagged(armenia, "Gyumri base") == '<li data-from="1995">'
    assert '<span data-from="1995">active</span>' in armenia


def test_two_accounts_of_one_event_read_as_one_event(panels):
    html = panels["UZB"]
    assert html.count("membership suspended") == 2  # the status line and the event, not the alt
    assert re.search(
        r'<li class="csto-alt"><em>Another account, dated <button[^>]*>Jun 2012</button>', html
    )


def test_events_shared_by_many_signatories_are_folded_away(tmp_path):
    def protocol(data):
        for iso3 in ("UZB", "ARM", "GEO"):
            data["membership"].append(
                dict(
                    data["membership"][0],
                    id=f"{iso3.lower()}-protocol",
                    iso3=iso3,
                    date="1994-04-02",
                    detail="Signed the protocol.",
                )
            )

    atlas = atlas_with(tmp_path, protocol)
    content = panel_contents(atlas, YEARS)
    assert [e["id"] for e in content["ARM"]["treaty_events"]] == ["arm-protocol"]
    # For Georgia the protocol is what made it a member: its own event.
    assert [e["id"] for e in content["GEO"]["events"]] == ["geo-protocol"]
    html = payloads.map_payload(atlas, YEARS).panels()["ARM"]
    folded = html[html.index('<details class="csto-treaty">') :]
    assert "Signed the protocol." in folded


def test_every_dataset_string_in_a_panel_is_escaped(tmp_path):
    def evil(data):
        data["notes"][0]["text"] = f"Uzbekistan left. {EVIL}"
        data["incidents"][0]["summary"] = EVIL
        data["sources"][1]["title"] = f"Tiny Treaty {EVIL}"

    panels = payloads.map_payload(atlas_with(tmp_path, evil), YEARS).panels()
    html = panels["UZB"]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Tiny Treaty &lt;script&gt;" in html
    packed = payloads.map_payload(atlas_with(tmp_path / "again", evil), YEARS).panels_packed
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", packed)  # base64: nothing a page could read as markup


def item(html: str, text: str) -> str:
    """The opening tag of the list item holding `text`."""
    return re.findall(r"<li[^>]*>", html[: html.index(text)])[-1]


def test_the_event_of_a_status_is_listed_only_after_its_status_line_ends(panels):
    html = panels["UZB"]
    history = html[html.index('<ul class="csto-history">') :]
    # Left in 1999, a member again from 2006: the history says so from 2006 on, not beside it.
    assert item(history, 'data-goto="1999"') == '<li data-from="2006">'
    # Still suspended in the last year: the status line alone says it.
    assert item(history, "membership suspended") == '<li data-from="2027">'


def test_earlier_notes_and_incidents_are_folded_under_the_years_own(panels):
    html = panels["UZB"]
    for section in ("Notes", "Incidents"):
        body = html[html.index(f"<h3>{section}</h3>") :].split("</section>")[0]
        assert '<ul class="csto-' in body and "csto-recent" in body
        folded = body[body.index('<details class="csto-older">') :]
        assert folded.count("data-until=") == body.count("data-until=") > 0


def test_a_quote_without_a_quote_says_why_and_a_russian_quote_carries_our_translation(
    tmp_path,
):
    def russian(data):
        data["notes"][1]["quote"] = ""
        data["notes"][1]["source_id"] = "tiny-treaty"
        data["notes"][1]["locator"] = ""
        data["notes"][0]["quote"] = "Узбекистан вышел"
        data["notes"][0]["source_id"] = "tiny-treaty"
        data["notes"][0]["locator"] = ""
        data["notes"][0]["quote_translation"] = "Uzbekistan left"

    html = payloads.map_payload(atlas_with(tmp_path, russian), YEARS).panels()["UZB"]
    signed = html[html.index("Uzbekistan signed.") :]
    assert signed.index('class="csto-no-quote"') < signed.index("</li>")
    assert '<blockquote lang="ru">“Узбекистан вышел”</blockquote>' in html
    assert "<em>Our translation:</em> “Uzbekistan left”" in html


def test_every_bundled_quote_in_russian_has_our_translation(bundled_atlas):
    for name in ("membership", "notes", "bases", "incidents", "meetings"):
        frame = getattr(bundled_atlas, name)
        russian = frame[frame["quote"].str.contains(CYRILLIC, na=False)]
        assert russian["quote_translation"].notna().all(), (name, list(russian["id"]))


def test_no_panel_shows_a_row_or_source_id(bundled_atlas):
    atlas = bundled_atlas
    ids = set(atlas.sources["id"])
    for name in ("membership", "territories", "notes", "bases", "incidents", "meetings"):
        ids |= set(getattr(atlas, name)["id"])
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(map(re.escape, sorted(ids, key=len, reverse=True)))
        + r")(?![\w-])"
    )
    panels = payloads.map_payload(atlas, year_range(atlas.membership)).panels()
    shown = {
        iso3: pattern.findall(html.unescape(re.sub(r"<[^>]+>", " ", panel)))
        for iso3, panel in panels.items()
    }
    assert {iso3: found for iso3, found in shown.items() if found} == {}


@pytest.mark.parametrize(
    ("checked", "first"),
    [(date(2026, 2, 13), 2026), (date(2025, 12, 31), 2026), (date(2026, 1, 1), 2026)],
)
def test_a_year_whose_31_december_is_after_the_checked_date_is_provisional(checked, first):
    assert first_provisional_year(checked) == first


def test_provisional_years_are_marked_in_the_panel_and_the_exports(tiny_atlas):
    # The tiny sources that report events are checked up to 15 March 2007.
    html = payloads.map_payload(tiny_atlas, YEARS).panels()["UZB"]
    assert re.search(r'<p class="csto-provisional" data-from="2007"><strong>Provisional', html)
    countries = export.countries_frame(tiny_atlas, 2006).set_index("iso3")["provisional"]
    assert not countries.any()
    assert export.countries_frame(tiny_atlas, 2007)["provisional"].all()
    table = export.status_table(tiny_atlas, YEARS)
    assert list(table.columns)[-2:] == ["2026", "provisional_from"]
    assert set(table["provisional_from"]) == {"2007"}
