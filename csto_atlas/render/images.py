"""The map as an image (PNG, SVG) for one year, and as a time-lapse (GIF, MP4) over the years.

Drawn with matplotlib's object API on its Agg canvas (no pyplot, no global backend switch), from
the model of the year (domain/yearmodel.py) and the looks of render/style.py, the same that the
web map draws: every region in its look (a status colour; hatched with a dashed outline as a
breakaway region; its parent's colour with no outline of its own while part of its parent; grey
hatched as an annexed territory), Russian bases active that year, that year's incidents
emphasised and earlier ones faded, and that year's meetings.

The frame: an Albers equal-area conic projection centred on the region. It covers every region
that has ever had a status other than non-member, and every marker, padded; a region wider than
FRAME_MAX_SPAN_DEG degrees of longitude (Russia, to the Pacific) is drawn but does not set the
frame, which would otherwise make the other members tiny. The legend has a column of its own,
right of the map, so it covers no region.

A drawing is built once and restyled per year (looks, markers, title), so a time-lapse costs one
draw per frame, and the PNG, the SVG and the GIF's frames are the same drawing. The SVG is for
an editor: each region is one `<path>` whose `id` is its code, with a `<title>` naming it and its
status that year; regions, highlight, bases, incidents, meetings, legend, title and credit are
`<g>` groups with those ids; text is live `<text>` with a font fallback. `MapFrame.pixel(lon,
lat)` says where a place lands in the image.
"""

import io
import tempfile
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from PIL import Image
from pyproj import Transformer

from csto_atlas.data.load import Atlas
from csto_atlas.data.schema import DEFAULT_STATUS
from csto_atlas.data.version import DataVersion
from csto_atlas.domain import geo
from csto_atlas.domain.status import STATUSES
from csto_atlas.domain.yearmodel import UNCERTAIN_FORM, RegionYear, feature_model, years_model
from csto_atlas.render.style import (
    MARKER_LOOK,
    REGION_LOOK,
    UI_TEXT,
    marker_look,
    region_look,
    status_labels,
    ui_text,
)

SEA_COLOUR = "#dde6ee"  # the web map's plain background (web/atlas.css)
FRAME_MAX_SPAN_DEG = 60.0
FRAME_PADDING = 0.06  # of the frame's width and height, on every side
CLIP_MARGIN_DEG = 25.0  # geometry further than this outside the frame is cut before projecting
DPI = 100
TITLE_PX = 0.075  # of the image width: the title band
FOOTER_PX = 0.03  # of the image width: the source line
LEGEND_PX = 0.25  # of the image width: the legend's column, right of the map
LEGEND_WRAP = 30  # characters per line of a legend label
DEFAULT_WIDTH_PX = 1600
ANIMATION_WIDTH_PX = 960
FRAME_MS = 900  # per year, as the web map's Play
FORMATS = ("png", "svg")
ANIMATION_FORMATS = ("gif", "mp4")
# Text stays text in the SVG (an editor can change it), in the first of these fonts it finds.
FONTS = ["DejaVu Sans", "Bitstream Vera Sans", "Arial", "Helvetica", "Liberation Sans"]
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "csto-atlas",  # the same ids in every run: same data, same bytes
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "hatch.linewidth": 1.2,
}
SVG_NS = "http://www.w3.org/2000/svg"
Progress = Callable[[int, int], None]


class MissingExtra(RuntimeError):
    """An optional extra (the MP4's ffmpeg) is not installed."""


@dataclass(frozen=True)
class MapFrame:
    """The projection, the part of it shown, and the image's pixel layout: the title band on
    top, the map with the legend's column right of it, the source line at the bottom."""

    crs: str
    lonlat_box: tuple[float, float, float, float]
    x_limits: tuple[float, float]
    y_limits: tuple[float, float]
    width_px: int
    map_height_px: int
    title_px: int
    footer_px: int
    legend_px: int = 0

    @property
    def height_px(self) -> int:
        return self.title_px + self.map_height_px + self.footer_px

    @property
    def map_width_px(self) -> int:
        return self.width_px - self.legend_px

    def project(self, lon: Iterable[float], lat: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
        """Longitudes and latitudes to the projection's metres."""
        transformer = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        x, y = transformer.transform(np.asarray(list(lon)), np.asarray(list(lat)))
        return np.asarray(x), np.asarray(y)

    def pixel(self, lon: float, lat: float) -> tuple[int, int]:
        """(column, row) of a place in the rendered image, from its top-left corner."""
        x, y = (value[0] for value in self.project([lon], [lat]))
        (x0, x1), (y0, y1) = self.x_limits, self.y_limits
        column = (x - x0) / (x1 - x0) * self.map_width_px
        row = self.title_px + (y1 - y) / (y1 - y0) * self.map_height_px
        return int(column), int(row)


def framed_regions(atlas: Atlas) -> list[str]:
    """The regions that set the frame: ever other than non-member, and not continent-wide."""
    events = atlas.membership[atlas.membership["status"] != DEFAULT_STATUS]
    codes = set(events["iso3"])
    regions = atlas.regions[atlas.regions["iso3"].isin(codes)]
    bounds = regions.geometry.bounds
    narrow = (bounds["maxx"] - bounds["minx"]) <= FRAME_MAX_SPAN_DEG
    return list(regions.loc[narrow.to_numpy(), "iso3"])


def lonlat_box(atlas: Atlas) -> tuple[float, float, float, float]:
    """(west, south, east, north) around the framed regions and every marker, padded."""
    regions = atlas.regions[atlas.regions["iso3"].isin(framed_regions(atlas))]
    west, south, east, north = (
        regions.total_bounds if not regions.empty else atlas.regions.total_bounds
    )
    for table in (atlas.bases, atlas.incidents, atlas.meetings):
        if not table.empty:
            west, east = min(west, table["lon"].min()), max(east, table["lon"].max())
            south, north = min(south, table["lat"].min()), max(north, table["lat"].max())
    pad_x, pad_y = (east - west) * FRAME_PADDING, (north - south) * FRAME_PADDING
    return (
        float(west - pad_x),
        float(max(south - pad_y, -85)),
        float(east + pad_x),
        float(min(north + pad_y, 85)),
    )


def albers_for(box: tuple[float, float, float, float]) -> str:
    """An Albers equal-area conic centred on the box, standard parallels at 1/6 and 5/6."""
    west, south, east, north = box
    span = north - south
    return (
        f"+proj=aea +lat_0={(south + north) / 2:.4f} +lon_0={(west + east) / 2:.4f} "
        f"+lat_1={south + span / 6:.4f} +lat_2={north - span / 6:.4f} "
        "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    )


def map_frame(atlas: Atlas, width_px: int = DEFAULT_WIDTH_PX) -> MapFrame:
    """The frame of the atlas's region in an image `width_px` wide (the map, then the legend's
    column): the box projected, edges included."""
    box = lonlat_box(atlas)
    crs = albers_for(box)
    west, south, east, north = box
    steps = np.linspace(0, 1, 50)
    lons = np.concatenate([west + (east - west) * steps, np.full(50, east)])
    lons = np.concatenate([lons, east - (east - west) * steps, np.full(50, west)])
    lats = np.concatenate([np.full(50, south), south + (north - south) * steps])
    lats = np.concatenate([lats, np.full(50, north), north - (north - south) * steps])
    legend_px = round(width_px * LEGEND_PX)
    map_width = width_px - legend_px
    probe = MapFrame(crs, box, (0, 1), (0, 1), width_px, 1, 0, 0)
    xs, ys = probe.project(lons, lats)
    x0, x1 = float(xs.min()), float(xs.max())
    map_height = round(map_width * (ys.max() - ys.min()) / (x1 - x0))
    half = (x1 - x0) * map_height / map_width / 2  # exact aspect: equal scale on both axes
    middle = float(ys.min() + ys.max()) / 2
    return MapFrame(
        crs=crs,
        lonlat_box=box,
        x_limits=(x0, x1),
        y_limits=(middle - half, middle + half),
        width_px=width_px,
        map_height_px=map_height,
        title_px=round(width_px * TITLE_PX),
        footer_px=round(width_px * FOOTER_PX),
        legend_px=legend_px,
    )


# --- geometry to matplotlib ----------------------------------------------------------------


def polygon_path(geometry: shapely.Geometry) -> MplPath:
    """A (multi)polygon as one compound matplotlib path, holes included."""
    rings = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            vertices = np.asarray(ring.coords)[:, :2]
            codes = np.full(len(vertices), MplPath.LINETO, dtype=MplPath.code_type)
            codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            rings.append(MplPath(vertices, codes))
    return MplPath.make_compound_path(*rings) if rings else MplPath(np.zeros((0, 2)))


def projected_regions(atlas: Atlas, frame: MapFrame) -> pd.DataFrame:
    """iso3, kind and projected geometry of every region, cut to around the frame."""
    west, south, east, north = frame.lonlat_box
    m = CLIP_MARGIN_DEG
    window = shapely.box(west - m, max(south - m, -89), east + m, min(north + m, 89))
    regions = atlas.regions.assign(geometry=atlas.regions.geometry.intersection(window))
    regions = regions[~regions.geometry.is_empty]
    projected = regions.set_crs("EPSG:4326", allow_override=True).to_crs(frame.crs)
    projected = projected.assign(feature=projected.index)
    return projected[["feature", "iso3", "kind", "geometry"]].reset_index(drop=True)


def piece_gid(code: str, piece: int) -> str:
    """The element id of a region's drawing: its code; `XNK-piece2` for a region's later pieces
    (a region drawn in pieces held in different years, geodata/periods.csv)."""
    return code if piece == 0 else f"{code}-piece{piece}"


# --- the drawing ---------------------------------------------------------------------------


def scale_of(frame: MapFrame) -> float:
    """Sizes are given for a 1000-pixel-wide image."""
    return frame.width_px / 1000


def points_px(radius_px: float, frame: MapFrame) -> float:
    """A scatter marker's area (points squared) for a circle of `radius_px` web pixels."""
    diameter_points = 2 * radius_px * scale_of(frame) * 72 / DPI
    return diameter_points**2


@dataclass(frozen=True)
class ImageLook:
    """A region look (render/style.py) as matplotlib draws it."""

    face: str
    hatch: str | None
    hatch_colour: tuple[float, ...]
    edge: str
    dashes: tuple[float, ...] | None
    width: float


def image_look(key: str) -> ImageLook:
    """How matplotlib draws a look key: the web look's ground, stripes and outline."""
    look = region_look(key)
    pattern = look["pattern"]
    face = pattern["ground"] if pattern else look["fillColor"]
    hatch = None
    stripe = matplotlib.colors.to_rgba(face)
    if pattern:
        hatch = "///" if pattern["angle"] > 0 else "\\\\\\"
        stripe = matplotlib.colors.to_rgba(pattern["stripe"], pattern["stripeOpacity"])
    dash = look["dashArray"]
    return ImageLook(
        face=face,
        hatch=hatch,
        hatch_colour=stripe,
        edge=look["color"],
        dashes=tuple(float(part) for part in dash.split()) if dash else None,
        width=0.6 * float(look["weight"]),
    )


def region_title(row: RegionYear, labels: Mapping[str, str] | None = None) -> str:
    """What a region's `<title>` says in the SVG: its name and its status that year (`labels`:
    the statuses' labels, by default the bundled data folder's)."""
    labels = labels or status_labels(None)
    year = row.year
    if row.territory == "annexed":
        return f"{row.name}: {UI_TEXT['annexedBy']} {row.annexed_by_name} {UI_TEXT['notRecognised']}, {year}"
    status = f"{labels[row.status]} {UI_TEXT['inYear']} {year}"
    if row.territory == "part of parent":
        return f"{row.name}: {UI_TEXT['partOf']} {row.parent_name}; {status}"
    if row.territory == "breakaway" and row.extent == "uncertain":
        return (
            f"{row.name}: {UI_TEXT['breakawayOf']} {row.parent_name}; {status}; "
            f"{UI_TEXT['extentUncertainNote']}"
        )
    if row.territory == "breakaway":
        return f"{row.name}: {UI_TEXT['breakawayOf']} {row.parent_name}; {status}"
    return f"{row.name}: {status}"


class MapDrawing:
    """A figure of the region, restyled for any year by `show(year)`."""

    def __init__(
        self,
        atlas: Atlas,
        frame: MapFrame,
        years: range,
        highlight: Collection[str] = (),
        version: DataVersion | None = None,
    ) -> None:
        self.atlas = atlas
        self.labels = status_labels(atlas.alliance)
        self.marker_look = marker_look(atlas.alliance)
        self.frame = frame
        self.years = years
        model = years_model(atlas, years).astype(object)
        model = model.where(model.notna(), None)
        self.model: dict[int, dict[str, RegionYear]] = {}
        for record in model.to_dict("records"):
            row = RegionYear(**record)
            self.model.setdefault(row.year, {})[row.iso3] = row
        # What each feature is drawn as (a piece of a region in pieces may be its parent's).
        features = feature_model(atlas, years_model(atlas, years))
        self.looks: dict[int, dict[int, str]] = {}
        for feature, year, look in features[["feature", "year", "look"]].itertuples(index=False):
            self.looks.setdefault(int(year), {})[int(feature)] = look
        self.year = years.start
        with matplotlib.rc_context(RC):
            self.figure = Figure(
                figsize=(frame.width_px / DPI, frame.height_px / DPI), dpi=DPI, facecolor="white"
            )
            self.canvas = FigureCanvasAgg(self.figure)
            self.axes = self.figure.add_axes(
                (
                    0,
                    frame.footer_px / frame.height_px,
                    frame.map_width_px / frame.width_px,
                    frame.map_height_px / frame.height_px,
                )
            )
            self.axes.set_facecolor(SEA_COLOUR)
            self.axes.set_xlim(*frame.x_limits)
            self.axes.set_ylim(*frame.y_limits)
            self.axes.set_xticks([])
            self.axes.set_yticks([])
            for spine in self.axes.spines.values():
                spine.set_visible(False)
            regions = projected_regions(atlas, frame)
            self.regions = self.add_regions(regions)
            chosen = regions[regions["iso3"].isin(set(highlight))]
            self.add_outline(chosen, REGION_LOOK["selectedStroke"], 2.6)
            self.markers = self.add_markers()
            self.legend = self.add_legend()
            self.title, self.subtitle = self.add_title()
            credit = self.figure.text(
                0.012,
                frame.footer_px / 2 / frame.height_px,
                source_line(version, atlas.alliance.title),
                fontsize=8.5 * scale_of(frame),
                va="center",
                color="#444444",
            )
            credit.set_gid("credit")

    def add_regions(self, regions: pd.DataFrame) -> dict[int, PathPatch]:
        """One patch per feature of the geodata (by its index), its region's code as its id
        (`piece_gid` for the later pieces of a region drawn in pieces), restyled per year by
        `show`; states first, breakaways and annexed territories over them."""
        patches = {}
        pieces: dict[str, int] = {}
        columns = ["feature", "iso3", "kind", "geometry"]
        for feature, code, kind, geometry in regions[columns].itertuples(index=False):
            patch = PathPatch(polygon_path(geometry), zorder=1 if kind == "state" else 2)
            patch.set_gid(piece_gid(code, pieces.get(code, 0)))
            pieces[code] = pieces.get(code, 0) + 1
            self.axes.add_patch(patch)
            patches[int(feature)] = patch
        return patches

    def add_outline(self, regions: pd.DataFrame, colour: str, width: float) -> None:
        """The highlighted regions' borders, solid and dark."""
        patches = [PathPatch(polygon_path(geometry)) for geometry in regions.geometry]
        outline = PatchCollection(
            patches,
            facecolor="none",
            edgecolor=colour,
            linewidth=width * scale_of(self.frame),
            zorder=3,
        )
        outline.set_gid("highlight")
        self.axes.add_collection(outline)

    def add_markers(self) -> dict[str, Any]:
        """Empty scatters for bases, this year's incidents and earlier ones, and this year's
        meetings (filled by `show`)."""
        markers = {}
        for name, kind, look_key, radius_key, zorder in (
            ("incidents-earlier", "incidents", "past", "past_radius", 4),
            ("incidents-this-year", "incidents", "current", "radius", 5),
            ("meetings", "meetings", "current", "radius", 5),
            ("bases", "bases", "current", "radius", 6),
        ):
            look = MARKER_LOOK[kind][look_key]
            markers[name] = self.axes.scatter(
                [],
                [],
                s=points_px(MARKER_LOOK[kind][radius_key], self.frame),
                facecolor=look["fillColor"],
                edgecolor=look["color"],
                linewidths=look["weight"] * scale_of(self.frame) * 0.72,
                alpha=look.get("opacity", 1.0) if look_key == "past" else 1.0,
                zorder=zorder,
            )
            markers[name].set_gid(name)
        return markers

    def add_legend(self) -> Any:
        """The legend, in its own column right of the map: every status, the breakaway and the
        annexed looks, the marker kinds."""
        s = scale_of(self.frame)
        frame = self.frame

        def area(key: str, label: str) -> Patch:
            look = image_look(key)
            return Patch(
                facecolor=look.face,
                edgecolor=look.edge if look.hatch else "#999999",
                hatch=look.hatch,
                hatchcolor=look.hatch_colour,
                linestyle=(0, look.dashes) if look.dashes else "solid",
                label=textwrap.fill(label, LEGEND_WRAP),
            )

        handles: list[Patch | Line2D] = [
            area(f"state:{status}", self.labels[status]) for status in STATUSES
        ]
        handles.append(area(f"breakaway:{DEFAULT_STATUS}", UI_TEXT["breakaway"]))
        handles.append(area(f"{UNCERTAIN_FORM}:{DEFAULT_STATUS}", UI_TEXT["extentUncertain"]))
        handles.append(area("annexed", UI_TEXT["annexed"]))
        for kind, look_key, label_key in (
            ("bases", "current", "legend"),
            ("incidents", "current", "legend"),
            ("incidents", "past", "legend_past"),
            ("meetings", "current", "legend"),
        ):
            look = self.marker_look[kind][look_key]
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=2 * MARKER_LOOK[kind]["radius"] * s * 0.72,
                    markerfacecolor=look["fillColor"],
                    markeredgecolor=look["color"],
                    alpha=look.get("opacity", 1.0),
                    label=textwrap.fill(self.marker_look[kind][label_key], LEGEND_WRAP),
                )
            )
        top = 1 - frame.title_px / frame.height_px
        legend = self.figure.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(frame.map_width_px / frame.width_px + 0.008, top),
            fontsize=8.5 * s,
            title=textwrap.fill(ui_text(self.atlas.alliance)["legendTitle"], LEGEND_WRAP),
            title_fontsize=9.5 * s,
            alignment="left",
            frameon=False,
            borderaxespad=0.2,
            handleheight=1.3,
            labelspacing=0.75,
        )
        legend.set_gid("legend")
        return legend

    def add_title(self) -> tuple[Any, Any]:
        """The title and subtitle (filled by `show`)."""
        s = scale_of(self.frame)
        band_top = 1 - self.frame.title_px / self.frame.height_px
        title = self.figure.text(
            0.012, 1 - (1 - band_top) * 0.36, "", fontsize=19 * s, fontweight="bold", va="center"
        )
        subtitle = self.figure.text(
            0.012, 1 - (1 - band_top) * 0.78, "", fontsize=10.5 * s, va="center", color="#333333"
        )
        title.set_gid("title-text")
        subtitle.set_gid("subtitle")
        return title, subtitle

    def offsets(self, frame: pd.DataFrame) -> np.ndarray:
        """Projected (x, y) of the rows of a point table."""
        if frame.empty:
            return np.zeros((0, 2))
        x, y = self.frame.project(frame["lon"], frame["lat"])
        return np.column_stack([x, y])

    def show(self, year: int) -> None:
        """Restyle the drawing for `year`: each region in its look, markers, title."""
        self.year = year
        scale = scale_of(self.frame)
        looks = self.looks[year]
        for feature, patch in self.regions.items():
            look = image_look(looks[feature])
            patch.set_facecolor(look.face)
            patch.set_hatch(look.hatch)
            patch.set_hatchcolor(look.hatch_colour)
            patch.set_edgecolor(look.edge)
            patch.set_linestyle((0, look.dashes) if look.dashes else "solid")
            patch.set_linewidth(look.width * scale)
        incidents = geo.incidents_until(self.atlas, year)
        incidents = incidents[incidents["same_as"].isna()]
        self.markers["bases"].set_offsets(self.offsets(geo.bases_active(self.atlas, year)))
        self.markers["incidents-this-year"].set_offsets(
            self.offsets(incidents[incidents["year"] == year])
        )
        self.markers["incidents-earlier"].set_offsets(
            self.offsets(incidents[incidents["year"] < year])
        )
        meetings = geo.meetings_until(self.atlas, year)
        self.markers["meetings"].set_offsets(self.offsets(meetings[meetings["year"] == year]))
        self.title.set_text(f"{self.atlas.alliance.title} · {year}")
        layer = {kind: look["name"] for kind, look in self.marker_look.items()}
        self.subtitle.set_text(
            f"Membership status on 31 December {year} · {layer['bases']} active in {year} · "
            f"{lower_first(layer['incidents'])} up to {year} · "
            f"{lower_first(layer['meetings'])} in {year}"
        )

    def image(self, fmt: str) -> bytes:
        """The drawing as PNG or SVG bytes (no timestamps: same data, same bytes)."""
        buffer = io.BytesIO()
        metadata = {"Software": None} if fmt == "png" else {"Date": None}
        with matplotlib.rc_context(RC):
            self.figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
        data = buffer.getvalue()
        return (
            editor_svg(data, self.model[self.year], self.title.get_text(), self.labels)
            if fmt == "svg"
            else data
        )

    def pixels(self) -> np.ndarray:
        """The drawing as an RGB array (rows, columns, 3)."""
        with matplotlib.rc_context(RC):
            self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()


# --- the SVG for an editor -----------------------------------------------------------------

# Groups of the SVG: its id -> the ids (matplotlib gids) it gathers, in the order drawn.
SVG_GROUPS = {
    "incidents": ("incidents-earlier", "incidents-this-year"),
    "title": ("title-text", "subtitle"),
}


def svg_tag(name: str) -> str:
    return f"{{{SVG_NS}}}{name}"


def editor_svg(
    data: bytes, rows: dict[str, RegionYear], title: str, labels: Mapping[str, str] | None = None
) -> bytes:
    """matplotlib's SVG made for an editor: each region one `<path>` (id and data-iso3 its
    code, a `<title>` naming it and its status), regions and the marker kinds grouped, a
    document title."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    ET.register_namespace("cc", "http://creativecommons.org/ns#")
    ET.register_namespace("dc", "http://purl.org/dc/elements/1.1/")
    ET.register_namespace("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
    root = ET.fromstring(data)
    parents = {child: parent for parent in root.iter() for child in parent}
    by_id = {node.get("id"): node for node in root.iter() if node.get("id")}
    pieces = {
        gid: code
        for code in rows
        for gid in by_id
        if gid == code or gid.startswith(f"{code}-piece")
    }
    regions = [by_id[gid] for gid in pieces]
    if regions:
        group = gather(regions, "regions", parents)
        for node in list(group):
            path = node.find(svg_tag("path"))
            if path is None:
                continue
            gid = node.get("id", "")
            code = pieces[gid]
            path.set("id", gid)
            path.set("data-iso3", code)
            row = rows[code]
            path.set("data-status", "annexed" if row.territory == "annexed" else row.status)
            label = ET.SubElement(path, svg_tag("title"))
            label.text = region_title(row, labels)
            group.insert(list(group).index(node), path)
            group.remove(node)
    for group_id, members in SVG_GROUPS.items():
        gather([by_id[gid] for gid in members if gid in by_id], group_id, parents)
    heading = ET.Element(svg_tag("title"))
    heading.text = title
    root.insert(0, heading)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + body + "\n").encode()


def gather(nodes: list[ET.Element], group_id: str, parents: dict[ET.Element, ET.Element]) -> Any:
    """Move sibling nodes into a new `<g id=group_id>` where the first of them stood."""
    if not nodes:
        return None
    parent = parents[nodes[0]]
    group = ET.Element(svg_tag("g"), {"id": group_id})
    parent.insert(list(parent).index(nodes[0]), group)
    for node in nodes:
        parents[node].remove(node)
        group.append(node)
        parents[node] = group
    return group


def lower_first(text: str) -> str:
    """`Incidents` -> `incidents`, for a layer's name inside a sentence."""
    return text[:1].lower() + text[1:]


def source_line(version: DataVersion | None, title: str) -> str:
    """`CSTO Atlas · data 1a2b3c4d5e6f, checked 2026 · boundaries: Natural Earth`."""
    data = f" · data {version.digest}, checked {version.checked_text}" if version else ""
    return f"{title}{data} · boundaries: Natural Earth"


# --- entry points --------------------------------------------------------------------------


def render_map(
    atlas: Atlas,
    year: int,
    fmt: str = "png",
    highlight: Collection[str] = (),
    width_px: int = DEFAULT_WIDTH_PX,
    version: DataVersion | None = None,
) -> bytes:
    """The map of `year` as PNG or SVG bytes, `highlight` regions outlined."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not an image format ({', '.join(FORMATS)})")
    drawing = MapDrawing(
        atlas, map_frame(atlas, width_px), range(year, year + 1), highlight, version
    )
    drawing.show(year)
    return drawing.image(fmt)


def animation_frames(
    atlas: Atlas,
    years: range,
    width_px: int = ANIMATION_WIDTH_PX,
    version: DataVersion | None = None,
    progress: Progress | None = None,
) -> list[np.ndarray]:
    """One RGB frame per year, reporting (done, total) after each."""
    drawing = MapDrawing(atlas, map_frame(atlas, width_px), years, (), version)
    frames = []
    for done, year in enumerate(years, start=1):
        drawing.show(year)
        frames.append(drawing.pixels())
        if progress is not None:
            progress(done, len(years))
    return frames


def animate(
    atlas: Atlas,
    years: range,
    fmt: str = "gif",
    progress: Progress | None = None,
    width_px: int = ANIMATION_WIDTH_PX,
    version: DataVersion | None = None,
) -> bytes:
    """The years as an animated GIF (looping) or an MP4, one frame per year."""
    if fmt not in ANIMATION_FORMATS:
        raise ValueError(f"{fmt!r} is not an animation format ({', '.join(ANIMATION_FORMATS)})")
    if fmt == "mp4":
        require_mp4()
    frames = animation_frames(atlas, years, width_px, version, progress)
    return gif_bytes(frames) if fmt == "gif" else mp4_bytes(frames)


def gif_bytes(frames: list[np.ndarray]) -> bytes:
    """An animated, looping GIF of the frames, written by Pillow (each frame on its own
    adaptive palette)."""
    pictures = [Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=pictures[1:],
        duration=FRAME_MS,
        loop=0,
    )
    return buffer.getvalue()


def require_mp4() -> None:
    """MissingExtra unless the MP4's optional extra (imageio, imageio-ffmpeg) is installed."""
    try:
        import imageio.v2  # noqa: F401
        import imageio_ffmpeg  # noqa: F401
    except ImportError as error:
        raise MissingExtra(
            "the MP4 needs the optional extra: pip install --require-hashes -r "
            "requirements-mp4.lock (or write a GIF: --format gif)"
        ) from error


def mp4_bytes(frames: list[np.ndarray]) -> bytes:
    """An H.264 MP4 of the frames, with the ffmpeg binary the imageio-ffmpeg wheel ships: an
    optional extra (requirements-mp4.txt); MissingExtra without it."""
    require_mp4()
    import imageio.v2 as iio2  # the optional extra: only the MP4 needs imageio and ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "timelapse.mp4"
        iio2.mimwrite(
            path,
            [even_sized(frame) for frame in frames],
            format="FFMPEG",
            fps=1000 / FRAME_MS,
            codec="libx264",
            pixelformat="yuv420p",
            macro_block_size=1,
        )
        return path.read_bytes()


def even_sized(frame: np.ndarray) -> np.ndarray:
    """The frame cut to an even width and height (H.264 in yuv420p needs both)."""
    rows, columns = frame.shape[0] // 2 * 2, frame.shape[1] // 2 * 2
    return frame[:rows, :columns]
