"""How the map looks: status colours, region and marker looks, the texts of its controls.

The browser (web/atlas.js) receives these through the client config (render/contract.py); the
static images and charts read the same constants, so every view of a year looks alike.
"""

from typing import Any

from csto_atlas.data.alliance import Alliance, bundled_alliance
from csto_atlas.data.schema import STATUS_CODES, STATUSES
from csto_atlas.domain.yearmodel import UNCERTAIN_FORM

# Every pair differs by at least 12 ΔE2000 as plain fills under normal vision and under protan,
# deutan and tritan vision (Machado et al. 2009, full severity): tests/test_palette.py. Red is
# kept for incidents alone and yellow for "changed this year", so no colour means two things.
STATUS_COLOURS = {
    "member": "#2f6db5",
    "frozen": "#7fa0c8",
    "suspended": "#d77d22",
    "former": "#80395e",
    "observer": "#b2df8a",
    "non-member": "#dcdcd4",
}
# Statuses that share another's hue are told apart by a pattern as well: a frozen member is a
# member's blue, paler, under stripes. Each entry: the SVG pattern's stripe colour, opacity, width
# and spacing (px) and angle (degrees); region_look puts it into the look of a state with that
# status, so the map, the images and the time-lapse all draw it.
STATUS_PATTERNS: dict[str, dict[str, Any]] = {
    "frozen": {"stripe": "#1f4f8a", "opacity": 0.75, "width": 2, "size": 6, "angle": -45},
}
# The statuses' labels and what each means are the data folder's words (alliance.toml), read
# through status_labels() and status_examples() below.
# What a cell of the all-years table says (beside its colour), and what that short word means.
STATUS_SHORT = {
    "member": "M",
    "frozen": "Fz",
    "suspended": "S",
    "former": "Ex",
    "observer": "Ob",
    "non-member": "·",
}
if set(STATUS_COLOURS) != set(STATUSES) or set(STATUS_SHORT) != set(STATUSES):
    raise ValueError("every status needs a colour and a short word in render/style.py")
if not set(STATUS_PATTERNS) <= set(STATUSES):
    raise ValueError("a pattern in render/style.py names no status")

# An annexed territory's own look (never a CSTO status colour): grey, hatched, dotted outline.
ANNEXED_LOOK = {
    "fill": "#8f8f8f",
    "hatch": "#e4e4e4",
    "stroke": "#4d4d4d",
    "weight": 1.4,
    "dash": "2 3",
}
# A marker's uncertainty circle: drawn only where its radius exceeds this many km.
UNCERTAINTY_MIN_KM = 2.0
UNCERTAINTY_LOOK = {
    "color": "#333333",
    "weight": 1,
    "opacity": 0.35,
    "dashArray": "3 4",
    "fillColor": "#333333",
    "fillOpacity": 0.06,
}

PLAY_INTERVAL_MS = 900
MAP_HEIGHT_PX = 680
FOCUS_PADDING_DEG = 1.5
# The opening frame covers every member state narrower than this (degrees of longitude); a wider
# one (Russia, 19°E to 180°) is framed by its part round the others and the markers.
FRAME_MAX_SPAN_DEG = 60
# Room (pixels) kept round the member states when the map opens.
FIT_PADDING_PX = 12
# Below this width (CSS px of the map's frame) the panel is a bottom sheet and the layer control
# and legend start collapsed.
NARROW_PX = 700

REGION_LOOK = {
    "fillOpacity": 0.88,
    "stroke": "#ffffff",
    "weight": 1,
    "breakawayStroke": "#4a2a6b",
    "breakawayWeight": 1.6,
    "breakawayDash": "5 3",
    # A breakaway region in a period of uncertain extent: the later outline, dotted in orange
    # (Leaflet's round caps turn "1 5" into dots), so it never reads as a precise line.
    "uncertainStroke": "#c2410c",
    "uncertainWeight": 2.4,
    "uncertainDash": "1 5",
    # Dark stripes: white ones vanished on the grey of "not a member".
    "hatch": "#3a2258",
    "hatchOpacity": 0.55,
    "hoverStroke": "#5a5a5a",
    "hoverWeight": 2,
    "hoverDash": "4 3",
    "selectedStroke": "#000000",
    "selectedWeight": 3.5,
    "changedStroke": "#ffd000",
    "changedWeight": 3,
}

# Marker layers: the look of this year's markers and of earlier ones (None: shown only while
# active), radii, and whether the layer is on at first. Their names and legend rows are the
# data folder's words (alliance.toml), added by marker_look().
MARKER_LOOK: dict[str, dict[str, Any]] = {
    "bases": {
        "current": {"color": "#ffffff", "weight": 2, "fillColor": "#1d1d1f", "fillOpacity": 1.0},
        "past": None,
        "radius": 6,
        "past_radius": 6,
        "show": True,
    },
    "incidents": {
        "name": "Incidents",
        "current": {
            "color": "#5c0a0a",
            "weight": 2,
            "opacity": 1.0,
            "fillColor": "#e03a24",
            "fillOpacity": 0.95,
        },
        "past": {
            "color": "#7a3b3b",
            "weight": 1,
            "opacity": 0.45,
            "fillColor": "#e07a6a",
            "fillOpacity": 0.3,
        },
        "radius": 8,
        "past_radius": 5,
        "show": True,
    },
    "meetings": {
        "name": "Meetings",
        "current": {
            "color": "#0d4d45",
            "weight": 2,
            "opacity": 1.0,
            "fillColor": "#2aa198",
            "fillOpacity": 0.95,
        },
        "past": {
            "color": "#3b6b66",
            "weight": 1,
            "opacity": 0.45,
            "fillColor": "#7cc4bc",
            "fillOpacity": 0.3,
        },
        "radius": 7,
        "past_radius": 4,
        "show": False,
    },
}

# The texts of the map's controls; None: the data folder's words, filled in by ui_text().
UI_TEXT: dict[str, str | None] = {
    "year": "Year",
    "play": "Play the years",
    "pause": "Pause",
    "legendTitle": None,
    "breakaway": "Breakaway region (hatched)",
    "extentUncertain": "Breakaway region, extent uncertain (dotted: a later outline)",
    "extentUncertainNote": "extent uncertain: the outline is a later one",
    "breakawayOf": "Breakaway region of",
    "annexed": "Annexed territory, not recognised",
    "cluster": "Markers at one place (a click spreads them)",
    "legendMarkers": "Bases, incidents, meetings",
    "annexedBy": "Annexed by",
    "notRecognised": "(not recognised)",
    "partOf": "Part of",
    "checkedUntil": "Statuses checked against sources up to",
    "provisional": "Provisional: checked up to",
    "inYear": "in",
    "country": "Country",
    "chooseCountry": "Choose a country…",
    "changesIn": "Changes in",
    "noChanges": "no change of status",
    "hint": "Click a country on the map, or choose it in the Country box, to read its history.",
    "panel": "Country notes",
    "loadingPanel": "Loading the notes…",
    "citeView": "Cite this view",
    "citePlain": "Plain text (a click selects it all, ready to copy)",
    "citeBibtex": "BibTeX",
    "panelFailed": "The notes could not be unpacked in this browser: the Data page lists them all.",
    "showPanel": "Show the notes",
    "hidePanel": "Hide the notes",
    "summaryIn": "Status on 31 December",
    "mapLabel": None,
    "tilesFailed": "OpenStreetMap tiles could not be loaded (offline?). The plain background works offline.",
    "layers": "Layers",
    "mapImages": "Map image of",
}


def status_labels(alliance: Alliance | None) -> dict[str, str]:
    """The statuses' labels in the alliance's words (None: the bundled data folder's)."""
    return (alliance or bundled_alliance()).status_labels


def status_examples(alliance: Alliance | None) -> dict[str, str]:
    """What each status means, in the alliance's words (None: the bundled data folder's)."""
    return (alliance or bundled_alliance()).status_examples


def marker_look(alliance: Alliance | None) -> dict[str, dict[str, Any]]:
    """MARKER_LOOK with the layers' names and legend rows in the alliance's words."""
    layers = (alliance or bundled_alliance()).layers
    return {kind: {**look, **layers[kind]} for kind, look in MARKER_LOOK.items()}


def template_words(alliance: Alliance | None) -> dict[str, str]:
    """What the popups' and panels' templates call the alliance and its bases."""
    alliance = alliance or bundled_alliance()
    return {
        "short_name": alliance.short_name,
        "bases": alliance.layers["bases"]["name"],
        "base": alliance.layers["bases"].get("one", alliance.layers["bases"]["name"]),
        "shared_events": alliance.shared_events,
        "member_of": alliance.member_of,
    }


def ui_text(alliance: Alliance | None) -> dict[str, str]:
    """UI_TEXT with the legend's title and the map's label in the alliance's words."""
    alliance = alliance or bundled_alliance()
    words = {"legendTitle": alliance.legend_title, "mapLabel": alliance.map_label}
    return {key: words.get(key, text) or "" for key, text in UI_TEXT.items()}


# --- the look of a region: one entry per look key of domain/yearmodel.py ---------------------
# Every view draws a region by its look key: the web map (atlas.js reads this table through the
# client config and one index per region and year), the images and the time-lapse.
HATCH_LOOK = {"size": 8, "angle": 45, "stripeWidth": 2.5}
ANNEXED_HATCH_LOOK = {"size": 6, "angle": -45, "stripeWidth": 2}


def region_look(key: str) -> dict[str, Any]:
    """How a look key (`form:status`, or `annexed`) is drawn: Leaflet path options (fillColor,
    fillOpacity, color, weight, dashArray, opacity) and its hatch (None, or the pattern's id,
    ground and stripe colours, stripe opacity, angle, size and stripe width in pixels). A
    hatched look's fillColor is its pattern, `url(#id)`."""
    if key == "annexed":
        pattern = {
            "id": "csto-hatch-annexed",
            "ground": ANNEXED_LOOK["fill"],
            "stripe": ANNEXED_LOOK["hatch"],
            "stripeOpacity": 1,
            **ANNEXED_HATCH_LOOK,
        }
        return {
            "fillColor": f"url(#{pattern['id']})",
            "fillOpacity": 1,
            "color": ANNEXED_LOOK["stroke"],
            "weight": ANNEXED_LOOK["weight"],
            "dashArray": ANNEXED_LOOK["dash"],
            "opacity": 1,
            "pattern": pattern,
        }
    form, status = key.split(":", 1)
    colour = STATUS_COLOURS[status]
    look = REGION_LOOK
    if form == UNCERTAIN_FORM:
        breakaway = region_look(f"breakaway:{status}")
        pattern = {**breakaway["pattern"], "id": f"csto-hatch-uncertain-{STATUS_CODES[status]}"}
        return {
            **breakaway,
            "fillColor": f"url(#{pattern['id']})",
            "pattern": pattern,
            "color": look["uncertainStroke"],
            "weight": look["uncertainWeight"],
            "dashArray": look["uncertainDash"],
        }
    if form == "breakaway":
        pattern = {
            "id": f"csto-hatch-{STATUS_CODES[status]}",
            "ground": colour,
            "stripe": look["hatch"],
            "stripeOpacity": look["hatchOpacity"],
            **HATCH_LOOK,
        }
        return {
            "fillColor": f"url(#{pattern['id']})",
            "fillOpacity": 1,
            "color": look["breakawayStroke"],
            "weight": look["breakawayWeight"],
            "dashArray": look["breakawayDash"],
            "opacity": 1,
            "pattern": pattern,
        }
    if form == "part of parent":
        # The parent's colour and no outline of its own: the stroke takes the fill colour,
        # hiding the parent's edge around it.
        return {
            "fillColor": colour,
            "fillOpacity": look["fillOpacity"],
            "color": colour,
            "weight": look["weight"] + 1,
            "dashArray": None,
            "opacity": look["fillOpacity"],
            "pattern": None,
        }
    own = {
        "fillColor": colour,
        "fillOpacity": look["fillOpacity"],
        "color": look["stroke"],
        "weight": look["weight"],
        "dashArray": None,
        "opacity": 1,
        "pattern": None,
    }
    if status in STATUS_PATTERNS:
        # A status sharing another's hue (frozen: a member's blue, paler) under its stripes.
        stripes = STATUS_PATTERNS[status]
        pattern = {
            "id": f"csto-pattern-{STATUS_CODES[status]}",
            "ground": colour,
            "stripe": stripes["stripe"],
            "stripeOpacity": stripes["opacity"],
            "size": stripes["size"],
            "angle": stripes["angle"],
            "stripeWidth": stripes["width"],
        }
        own.update({"fillColor": f"url(#{pattern['id']})", "fillOpacity": 1, "pattern": pattern})
    return own


def region_looks(keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The look table: one entry per key, in the keys' order (the payload's look index)."""
    return [{"key": key, **region_look(key)} for key in keys]
