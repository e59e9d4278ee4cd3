"""The contract between Python and web/atlas.js: the shapes of what the map's script reads.

Everything the browser receives is built here as typed structures and serialised by one
function, so a change on either side shows up as a type or a test failure, not as a silent
`undefined` in the browser. tests/test_contract.py checks one serialised sample. The browser side
declares the same TypedDicts as JSDoc typedefs (web/atlas/05-types.js), checked by TypeScript and
kept to the same keys by tests/test_jstypes.py.
"""

import base64
import gzip
import json
from typing import Any, TypedDict

from jinja2.utils import htmlsafe_json_dumps

from csto_atlas.data.alliance import Alliance
from csto_atlas.data.schema import STATUS_CODES, STATUSES, TERRITORY_CODES
from csto_atlas.domain import citation
from csto_atlas.domain.changes import MEMBER_STATUSES
from csto_atlas.domain.status import DEFAULT_STATUS
from csto_atlas.domain.yearmodel import LOOK_KEYS
from csto_atlas.render.style import (
    FIT_PADDING_PX,
    MARKER_LOOK,
    NARROW_PX,
    PLAY_INTERVAL_MS,
    REGION_LOOK,
    STATUS_COLOURS,
    UNCERTAINTY_LOOK,
    UNCERTAINTY_MIN_KM,
    marker_look,
    region_looks,
    status_labels,
    ui_text,
)


class StatusEntry(TypedDict):
    """One status as the browser knows it: its letter in a region's `codes`, name, colour."""

    code: str
    name: str
    label: str
    colour: str
    member: bool  # counted as a member (domain/changes.MEMBER_STATUSES): named on the map


# "from" is a Python keyword, so the marker data is declared with the functional syntax too.
MarkerData = TypedDict(
    "MarkerData",
    {
        "kind": str,
        "id": str,
        "from": int,
        "to": int | None,
        "fade": bool,
        "radius": int,
        "radiusKm": float,
        "tip": str,
        "popup": str,
    },
)


class MarkerOptions(TypedDict):
    """A marker as atlas.js creates it: position, Leaflet path options, and our data."""

    lat: float
    lon: float
    options: dict[str, Any]


class RegionLookEntry(TypedDict):
    """One look of a region (render/style.py `region_look`): a feature's `looks` holds, per
    year, the index of its entry in `regionLooks`; atlas.js applies it as it is."""

    key: str
    fillColor: str
    fillOpacity: float
    color: str
    weight: float
    dashArray: str | None
    opacity: float
    pattern: dict[str, Any] | None


class MarkerLookEntry(TypedDict):
    """How one kind of marker looks this year (`current`) and in later years (`past`)."""

    current: dict[str, Any]
    past: dict[str, Any] | None
    pastRadius: int


class LegendMarker(TypedDict):
    label: str
    color: str
    fillColor: str
    opacity: float


class ChangeEntry(TypedDict):
    """One change of status in a year, as the year box lists it ("Uzbekistan suspended")."""

    iso3: str
    status: str
    text: str


def pack_json(value: object) -> str:
    """JSON, gzipped, in base64: what atlas.js unpacks (`unpackJson`) after the first paint.

    For what the first paint does not need (the panels, the citations): the browser neither
    receives nor parses it in full before the map is drawn. gzip's timestamp is fixed, so the
    same data always gives the same script (streamlit-folium remounts the map when its script
    changes).
    """
    packed = gzip.compress(json.dumps(value).encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def unpack_json(packed: str) -> Any:
    """What `pack_json` packed."""
    return json.loads(gzip.decompress(base64.b64decode(packed)))


class CiteConfig(TypedDict):
    """Cite this view in the browser: a (plain text, BibTeX) template per country code ("" for
    the map), packed (`pack_json`: they are needed only once the user opens the citation), the
    slots atlas.js fills in them, the month names and the URL escapes of BibTeX."""

    templates: str
    slots: dict[str, str]
    months: list[str]
    urlEscapes: dict[str, str]


def cite_config(templates: dict[str, tuple[str, str]]) -> CiteConfig:
    """The citation templates (domain/citation.cite_view_templates) as atlas.js reads them."""
    return CiteConfig(
        templates=pack_json(templates),
        slots={
            "year": citation.YEAR_SLOT,
            "url": citation.URL_SLOT,
            "accessedYear": citation.ACCESSED_YEAR_SLOT,
            "accessedOn": citation.ACCESSED_ON_SLOT,
            "urldate": citation.URLDATE_SLOT,
        },
        months=list(citation.MONTHS),
        urlEscapes=dict(citation.URL_UNSAFE),
    )


class ClientConfig(TypedDict):
    """What CstoAtlas.attach(map, layers, config, packedPanels) reads.

    The view (year, country) is not in it: atlas.js reads it from the page URL, so the map's
    script is the same for every view and session (streamlit-folium never remounts it).
    `year` is the year shown when the URL names none. `cite` is None where no data version
    is known (the map then shows no citation). `ownPage`: the map is a page of its own (the
    static atlas, render/site.py), whose own URL holds the view; otherwise the view is in the URL
    of the app's page around streamlit-folium's frame. `imageApi`: the path of the app's HTTP API
    (`/api/v1`, app/api.py), where the year box links the map of the view as PNG and SVG; ""
    where there is none (the static atlas): no links then.
    """

    first: int
    last: int
    year: int
    frame: list[list[float]]
    fitPadding: int
    narrowPx: int
    changes: dict[str, list[ChangeEntry]]
    layerNames: dict[str, str]
    fallback: str
    statuses: list[StatusEntry]
    look: dict[str, Any]
    markerLook: dict[str, MarkerLookEntry]
    legendMarkers: list[LegendMarker]
    playMs: int
    text: dict[str, str]
    territoryCodes: dict[str, str]
    regionLooks: list[RegionLookEntry]
    uncertainty: dict[str, Any]
    checkedUntil: str
    provisionalFrom: int
    cite: CiteConfig | None
    ownPage: bool
    imageApi: str


def status_codes() -> dict[str, str]:
    """One letter per status, as the browser reads it in a region's `codes`."""
    return dict(STATUS_CODES)


def status_entries(alliance: Alliance | None = None) -> list[StatusEntry]:
    """Every status in legend order."""
    labels = status_labels(alliance)
    return [
        StatusEntry(
            code=STATUS_CODES[status],
            name=status,
            label=labels[status],
            colour=STATUS_COLOURS[status],
            member=status in MEMBER_STATUSES,
        )
        for status in STATUSES
    ]


def legend_markers(alliance: Alliance | None = None) -> list[LegendMarker]:
    """The legend's marker rows: this year's look, and the faded look where there is one."""
    rows = []
    for look in marker_look(alliance).values():
        looks = [(look["legend"], look["current"])]
        if look["past"]:
            looks.append((look["legend_past"], look["past"]))
        rows += [
            LegendMarker(
                label=label,
                color=style["color"],
                fillColor=style["fillColor"],
                opacity=style.get("opacity", 1.0),
            )
            for label, style in looks
        ]
    return rows


def territory_codes() -> dict[str, str]:
    """One letter per territory status, as the browser reads it in a region's `terr`."""
    return dict(TERRITORY_CODES)


def layer_names(alliance: Alliance | None = None) -> dict[str, str]:
    """The layer control's names: the backgrounds, the regions, each kind of marker."""
    return {
        "plain": "Plain background (offline)",
        "osm": "OpenStreetMap (online)",
        "countries": "Countries and regions",
        **{kind: look["name"] for kind, look in marker_look(alliance).items()},
    }


def client_config(
    first: int,
    last: int,
    frame: list[list[float]],
    changes: dict[str, list[ChangeEntry]],
    checked_until: str = "",
    provisional_from: int = 0,
    cite: CiteConfig | None = None,
    own_page: bool = False,
    image_api: str = "",
    alliance: Alliance | None = None,
) -> ClientConfig:
    """What atlas.js needs: years, opening frame, changes per year, status and territory
    letters, colours, marker looks, texts (in `alliance`'s words), up to when the statuses were
    checked, and the first year whose statuses are provisional (0: none)."""
    return ClientConfig(
        first=first,
        last=last,
        year=last,
        frame=frame,
        fitPadding=FIT_PADDING_PX,
        narrowPx=NARROW_PX,
        changes=changes,
        layerNames=layer_names(alliance),
        fallback=STATUS_CODES[DEFAULT_STATUS],
        statuses=status_entries(alliance),
        look=REGION_LOOK,
        markerLook={
            kind: MarkerLookEntry(
                current=look["current"], past=look["past"], pastRadius=look["past_radius"]
            )
            for kind, look in MARKER_LOOK.items()
        },
        legendMarkers=legend_markers(alliance),
        playMs=PLAY_INTERVAL_MS,
        text=ui_text(alliance),
        territoryCodes=territory_codes(),
        regionLooks=[RegionLookEntry(**look) for look in region_looks(LOOK_KEYS)],
        uncertainty={"minKm": UNCERTAINTY_MIN_KM, "look": UNCERTAINTY_LOOK},
        checkedUntil=checked_until,
        provisionalFrom=provisional_from,
        cite=cite,
        ownPage=own_page,
        imageApi=image_api,
    )


def script_json(value: object) -> str:
    """JSON safe inside a <script> element (Jinja's htmlsafe_json_dumps), keys sorted, compact.

    Compact separators: a space after every comma was 12 % of the map's message (26,000
    coordinates), received and parsed by every session on its cold open.
    """
    return str(
        htmlsafe_json_dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    )
