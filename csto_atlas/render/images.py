"""The map as an image (PNG, SVG) for one year, and as a time-lapse (GIF, MP4) over the years.

Drawn with matplotlib's object API on its Agg canvas (no pyplot, no global backend switch), from
the same geodata, status colours and marker looks as the web map (render/style.py): countries
filled by their status on 31 December, breakaway regions hatched with a dashed border, Russian
bases active that year, that year's incidents emphasised and earlier ones faded. Meetings are an
optional layer on the web map, off at first, and are not drawn here.

The frame: an Albers equal-area conic projection centred on the region. It covers every region
that has ever had a status other than non-member, and every marker, padded; a region wider than
FRAME_MAX_SPAN_DEG degrees of longitude (Russia, to the Pacific) is drawn but does not set the
frame, which would otherwise make the other members tiny.

A drawing is built once and restyled per year (colours, markers, title), so a time-lapse costs
one draw per frame. `MapFrame.pixel(lon, lat)` says where a place lands in the image.
"""

import io
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from pyproj import Transformer

from csto_atlas.data.load import Atlas
from csto_atlas.data.schema import DEFAULT_STATUS
from csto_atlas.data.version import DataVersion
from csto_atlas.domain import geo
from csto_atlas.domain.status import STATUSES, status_table
from csto_atlas.render.style import MARKER_LOOK, REGION_LOOK, STATUS_COLOURS, STATUS_LABELS

SEA_COLOUR = "#dde6ee"  # the web map's plain background (web/atlas.css)
FRAME_MAX_SPAN_DEG = 60.0
FRAME_PADDING = 0.06  # of the frame's width and height, on every side
CLIP_MARGIN_DEG = 25.0  # geometry further than this outside the frame is cut before projecting
DPI = 100
TITLE_PX = 0.075  # of the image width: the title band
FOOTER_PX = 0.03  # of the image width: the source line
DEFAULT_WIDTH_PX = 1600
ANIMATION_WIDTH_PX = 960
FRAME_MS = 900  # per year, as the web map's Play
FORMATS = ("png", "svg")
ANIMATION_FORMATS = ("gif", "mp4")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MapFrame:
    """The projection, the part of it shown, and the image's pixel layout."""

    crs: str
    lonlat_box: tuple[float, float, float, float]
    x_limits: tuple[float, float]
    y_limits: tuple[float, float]
    width_px: int
    map_height_px: int
    title_px: int
    footer_px: int

    @property
    def height_px(self) -> int:
        return self.title_px + self.map_height_px + self.footer_px

    def project(self, lon: Iterable[float], lat: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
        """Longitudes and latitudes to the projection's metres."""
        transformer = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        x, y = transformer.transform(np.asarray(list(lon)), np.asarray(list(lat)))
        return np.asarray(x), np.asarray(y)

    def pixel(self, lon: float, lat: float) -> tuple[int, int]:
        """(column, row) of a place in the rendered image, from its top-left corner."""
        x, y = (value[0] for value in self.project([lon], [lat]))
        (x0, x1), (y0, y1) = self.x_limits, self.y_limits
        column = (x - x0) / (x1 - x0) * self.width_px
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
    """The frame of the atlas's region at `width_px` wide: the box projected, edges included."""
    box = lonlat_box(atlas)
    crs = albers_for(box)
    west, south, east, north = box
    steps = np.linspace(0, 1, 50)
    lons = np.concatenate([west + (east - west) * steps, np.full(50, east)])
    lons = np.concatenate([lons, east - (east - west) * steps, np.full(50, west)])
    lats = np.concatenate([np.full(50, south), south + (north - south) * steps])
    lats = np.concatenate([lats, np.full(50, north), north - (north - south) * steps])
    probe = MapFrame(crs, box, (0, 1), (0, 1), width_px, 1, 0, 0)
    xs, ys = probe.project(lons, lats)
    x0, x1 = float(xs.min()), float(xs.max())
    map_height = round(width_px * (ys.max() - ys.min()) / (x1 - x0))
    half = (x1 - x0) * map_height / width_px / 2  # exact aspect: equal scale on both axes
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
    return projected[["iso3", "kind", "geometry"]].reset_index(drop=True)


# --- the drawing ---------------------------------------------------------------------------


def scale_of(frame: MapFrame) -> float:
    """Sizes are given for a 1000-pixel-wide image."""
    return frame.width_px / 1000


def points_px(radius_px: float, frame: MapFrame) -> float:
    """A scatter marker's area (points squared) for a circle of `radius_px` web pixels."""
    diameter_points = 2 * radius_px * scale_of(frame) * 72 / DPI
    return diameter_points**2


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
        self.frame = frame
        self.years = years
        regions = projected_regions(atlas, frame)
        self.statuses = status_table(atlas.membership, list(regions["iso3"]), years)
        self.figure = Figure(
            figsize=(frame.width_px / DPI, frame.height_px / DPI), dpi=DPI, facecolor="white"
        )
        self.canvas = FigureCanvasAgg(self.figure)
        self.axes = self.figure.add_axes(
            (
                0,
                frame.footer_px / frame.height_px,
                1,
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
        self.states = regions[regions["kind"] != "breakaway"].reset_index(drop=True)
        self.breakaways = regions[regions["kind"] == "breakaway"].reset_index(drop=True)
        self.state_patches = self.add_regions(self.states, hatch=None)
        self.breakaway_patches = self.add_regions(self.breakaways, hatch="////")
        self.add_outline(self.breakaways, REGION_LOOK["breakawayStroke"], "--", 1.2)
        chosen = regions[regions["iso3"].isin(set(highlight))]
        self.add_outline(chosen, REGION_LOOK["selectedStroke"], "-", 2.6)
        self.markers = self.add_markers()
        self.add_legend()
        s = scale_of(frame)
        band_top = 1 - frame.title_px / frame.height_px
        self.title = self.figure.text(
            0.012, 1 - (1 - band_top) * 0.36, "", fontsize=19 * s, fontweight="bold", va="center"
        )
        self.subtitle = self.figure.text(
            0.012, 1 - (1 - band_top) * 0.78, "", fontsize=10.5 * s, va="center", color="#333333"
        )
        self.figure.text(
            0.012,
            frame.footer_px / 2 / frame.height_px,
            source_line(version),
            fontsize=8.5 * s,
            va="center",
            color="#444444",
        )

    def add_regions(self, regions: pd.DataFrame, hatch: str | None) -> PatchCollection:
        """One collection of region patches (filled per year by `show`)."""
        patches = [PathPatch(polygon_path(geometry)) for geometry in regions.geometry]
        look = {"edgecolor": REGION_LOOK["stroke"], "linewidth": 0.6 * scale_of(self.frame)}
        if hatch:
            # The hatch takes the edge colour: white stripes, as the web map's pattern.
            look = {"edgecolor": REGION_LOOK["hatch"], "linewidth": 0, "hatch": hatch}
        collection = PatchCollection(patches, **look, zorder=2 if hatch else 1)
        self.axes.add_collection(collection)
        return collection

    def add_outline(self, regions: pd.DataFrame, colour: str, style: str, width: float) -> None:
        """Region borders only (breakaways dashed, a highlighted region solid and dark)."""
        patches = [PathPatch(polygon_path(geometry)) for geometry in regions.geometry]
        outline = PatchCollection(
            patches,
            facecolor="none",
            edgecolor=colour,
            linestyle=style,
            linewidth=width * scale_of(self.frame),
            zorder=3,
        )
        self.axes.add_collection(outline)

    def add_markers(self) -> dict[str, object]:
        """Empty scatters for bases, this year's incidents and earlier ones (filled by `show`)."""
        markers = {}
        for name, kind, look_key, radius_key, zorder in (
            ("incidents_past", "incidents", "past", "past_radius", 4),
            ("incidents", "incidents", "current", "radius", 5),
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
        return markers

    def add_legend(self) -> None:
        """Status swatches, the breakaway hatch, and the marker kinds."""
        s = scale_of(self.frame)
        handles: list[Patch | Line2D] = [
            Patch(
                facecolor=STATUS_COLOURS[status], edgecolor="#999999", label=STATUS_LABELS[status]
            )
            for status in STATUSES
        ]
        handles.append(
            Patch(
                facecolor=STATUS_COLOURS[DEFAULT_STATUS],
                edgecolor=REGION_LOOK["breakawayStroke"],
                hatch="////",
                linestyle="--",
                label="Breakaway region (hatched)",
            )
        )
        for kind, look_key, label_key in (
            ("bases", "current", "legend"),
            ("incidents", "current", "legend"),
            ("incidents", "past", "legend_past"),
        ):
            look = MARKER_LOOK[kind][look_key]
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
                    label=MARKER_LOOK[kind][label_key],
                )
            )
        legend = self.axes.legend(
            handles=handles,
            loc="lower left",
            fontsize=9 * s,
            title="CSTO status on 31 December",
            title_fontsize=9.5 * s,
            framealpha=0.94,
            borderpad=0.7,
        )
        legend.set_zorder(10)

    def status_colours(self, regions: pd.DataFrame, year: int) -> list[str]:
        """Each region's status colour in `year`."""
        column = self.statuses[year]
        return [STATUS_COLOURS.get(column.get(code, DEFAULT_STATUS)) for code in regions["iso3"]]

    def offsets(self, frame: pd.DataFrame) -> np.ndarray:
        """Projected (x, y) of the rows of a point table."""
        if frame.empty:
            return np.zeros((0, 2))
        x, y = self.frame.project(frame["lon"], frame["lat"])
        return np.column_stack([x, y])

    def show(self, year: int) -> None:
        """Restyle the drawing for `year`: fills, markers, title."""
        self.state_patches.set_facecolor(self.status_colours(self.states, year))
        self.breakaway_patches.set_facecolor(self.status_colours(self.breakaways, year))
        incidents = geo.incidents_until(self.atlas, year)
        incidents = incidents[incidents["same_as"].isna()]
        self.markers["bases"].set_offsets(self.offsets(geo.bases_active(self.atlas, year)))
        self.markers["incidents"].set_offsets(self.offsets(incidents[incidents["year"] == year]))
        self.markers["incidents_past"].set_offsets(
            self.offsets(incidents[incidents["year"] < year])
        )
        self.title.set_text(f"CSTO Atlas · {year}")
        self.subtitle.set_text(
            f"Membership status on 31 December {year} · Russian bases active in {year} · "
            f"incidents up to {year}"
        )

    def image(self, fmt: str) -> bytes:
        """The drawing as PNG or SVG bytes (no timestamps: same data, same bytes)."""
        buffer = io.BytesIO()
        metadata = {"Software": None} if fmt == "png" else {"Date": None}
        self.figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
        return buffer.getvalue()

    def pixels(self) -> np.ndarray:
        """The drawing as an RGB array (rows, columns, 3)."""
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()


def source_line(version: DataVersion | None) -> str:
    """`CSTO Atlas · data 1a2b3c4d5e6f, checked 2026 · boundaries: Natural Earth`."""
    data = f" · data {version.digest}, checked {version.checked_text}" if version else ""
    return f"CSTO Atlas{data} · boundaries: Natural Earth"


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
    frames = animation_frames(atlas, years, width_px, version, progress)
    return gif_bytes(frames) if fmt == "gif" else mp4_bytes(frames)


def gif_bytes(frames: list[np.ndarray]) -> bytes:
    """An animated, looping GIF of the frames (Pillow through imageio)."""
    import imageio.v3 as iio  # only the time-lapse needs imageio

    return iio.imwrite("<bytes>", frames, extension=".gif", duration=FRAME_MS, loop=0)


def mp4_bytes(frames: list[np.ndarray]) -> bytes:
    """An H.264 MP4 of the frames, with the ffmpeg binary the imageio-ffmpeg wheel ships."""
    import imageio.v2 as iio2  # only the MP4 needs imageio's ffmpeg plugin

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
