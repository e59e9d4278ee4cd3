"""geodata_build: the region, the breakaway cut, the coverage, determinism and bad inputs."""

import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from csto_atlas import cli
from csto_atlas.data.errors import DataError
from csto_atlas.data.geodata_build import (
    PROPERTY_KEYS,
    build_geodata,
    cut_breakaway,
    default_paths,
    fold_antimeridian,
    read_periods,
)

NATURALEARTH_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "naturalearth"
COUNTRIES_HEADER = "iso3,name,kind,parent_iso3,ne_name,aliases\n"
TERRITORIES_HEADER = "id,iso3,date,status,by_iso3,detail,same_as,source_id,locator,quote,note\n"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def naturalearth_dir() -> Path:
    """../shared/naturalearth beside the repo: skipped when absent, a failure when CI=true."""
    if not (NATURALEARTH_DIR / "ne_50m_admin_0_countries.json").is_file():
        reason = f"Natural Earth extracts not found at {NATURALEARTH_DIR} (../shared/naturalearth)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must provide them")
        pytest.skip(reason)
    return NATURALEARTH_DIR


@pytest.fixture(scope="module")
def world_atlas() -> Path:
    """world-atlas' countries-10m.json in .cache/world-atlas: skipped when absent (a failure
    when CI=true; tests/run installs it)."""
    path = default_paths().world_atlas_json
    if not path.is_file():
        reason = f"{path} not found: npm ci --prefix .cache/world-atlas (geodata/README.md)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must provide it")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def built(
    naturalearth_dir: Path, world_atlas: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """regions.geojson (and border_lengths.csv) built once per module from the real data."""
    out_dir = tmp_path_factory.mktemp("geodata")
    return build_geodata(naturalearth_dir, default_paths().data_dir, out_dir)


@pytest.fixture(scope="module")
def regions(built: Path) -> gpd.GeoDataFrame:
    """The built file read back, indexed by iso3."""
    return gpd.read_file(built).set_index("iso3", drop=False)


@pytest.fixture(scope="module")
def ne_countries(naturalearth_dir: Path) -> gpd.GeoDataFrame:
    """Natural Earth 1:50m countries indexed by ADM0_A3 (unsimplified originals)."""
    return gpd.read_file(naturalearth_dir / "ne_50m_admin_0_countries.json").set_index("ADM0_A3")


# --- the built file ---------------------------------------------------------------------------


def test_the_build_geodata_command_builds_the_same_bytes_again(
    built: Path, naturalearth_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The second build goes through the command line: its wiring and the build's determinism.
    code = cli.main(
        ["build-geodata", "--naturalearth", str(naturalearth_dir), "--out", str(tmp_path)]
    )
    again = tmp_path / "regions.geojson"
    assert (code, capsys.readouterr().out) == (0, f"wrote {again}\n")
    assert again.read_bytes() == built.read_bytes()


def test_committed_regions_geojson_is_up_to_date(built: Path) -> None:
    committed = default_paths().out_dir / "regions.geojson"
    assert committed.read_bytes() == built.read_bytes(), (
        "geodata/regions.geojson is stale: rebuild it with `python -m csto_atlas build-geodata`"
    )


def test_committed_border_lengths_are_up_to_date(built: Path) -> None:
    committed = default_paths().out_dir / "border_lengths.csv"
    assert committed.read_text() == (built.parent / "border_lengths.csv").read_text(), (
        "geodata/border_lengths.csv is stale: rebuild it with `python -m csto_atlas build-geodata`"
    )


def test_borders_measured_at_1_10m_are_longer_than_the_maps_lines(built: Path) -> None:
    lengths = pd.read_csv(built.parent / "border_lengths.csv").set_index(["a", "b"])
    assert lengths["km_10m"].notna().all()
    afghan_tajik = lengths.loc[("AFG", "TJK")]
    # The 1:50m line cuts the Panj's bends (1,022 km); at 1:10m it is 1,172 km.
    assert afghan_tajik["km_10m"] == pytest.approx(1172, abs=5)
    assert afghan_tajik["km_map"] == pytest.approx(1022, abs=5)
    assert lengths["km_10m"].sum() > 1.1 * lengths["km_map"].sum()
    # Crimea meets Russia across the Kerch Strait only on the simplified map.
    assert lengths.loc[("RUS", "XCR:2014-"), "km_10m"] == 0


def test_file_stays_within_the_250_kb_budget(built: Path) -> None:
    assert built.stat().st_size <= 250_000


def test_output_is_a_valid_coverage_without_overlaps_or_narrow_gaps(
    regions: gpd.GeoDataFrame,
) -> None:
    geometries = regions.geometry.values
    assert shapely.is_valid(geometries).all()
    assert shapely.coverage_is_valid(geometries, gap_width=0.01)


@pytest.mark.parametrize(
    ("parent", "breakaways"), [("GEO", ["XAB", "XSO"]), ("MDA", ["XTR"]), ("AZE", ["XNK"])]
)
def test_parent_and_its_breakaways_add_up_to_the_original_parent(
    regions: gpd.GeoDataFrame, ne_countries: gpd.GeoDataFrame, parent: str, breakaways: list[str]
) -> None:
    original = ne_countries.loc[parent, "geometry"]
    rebuilt = regions.loc[[parent, *breakaways]].geometry.values
    assert shapely.area(rebuilt).sum() == pytest.approx(original.area, rel=0.005)
    # Simplification moves borders by up to its tolerance; a misplaced cut would move far more.
    moved = shapely.union_all(rebuilt).symmetric_difference(original)
    assert moved.area < 0.03 * original.area


@pytest.mark.parametrize("code", ["XAB", "XSO"])
def test_abkhazia_and_south_ossetia_lie_inside_georgias_original_extent(
    regions: gpd.GeoDataFrame, ne_countries: gpd.GeoDataFrame, code: str
) -> None:
    georgia = ne_countries.loc["GEO", "geometry"]
    breakaway = regions.loc[code, "geometry"]
    assert breakaway.intersection(georgia).area > 0.99 * breakaway.area
    assert breakaway.intersection(regions.loc["GEO", "geometry"]).area == 0


def place(naturalearth_dir: Path, name: str) -> shapely.Point:
    """A town from Natural Earth populated places."""
    places = gpd.read_file(naturalearth_dir / "ne_10m_populated_places_region.geojson")
    return places.loc[places["NAME"] == name, "geometry"].iloc[0]


def abkhazia_inner_point(naturalearth_dir: Path) -> shapely.Point:
    """A point surely inside Natural Earth's 1:10m Abkhazia."""
    disputed = gpd.read_file(naturalearth_dir / "ne_10m_admin_0_disputed_areas.json")
    return (
        disputed.loc[disputed["BRK_NAME"] == "Abkhazia", "geometry"].iloc[0].representative_point()
    )


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Tskhinvali", "XSO"),
        ("Abkhazia", "XAB"),
        ("Tiraspol", "XTR"),
        ("Stepanakert", "XNK"),
        ("Tbilisi", "GEO"),
    ],
)
def test_a_breakaway_town_falls_in_the_breakaway_not_its_parent(
    regions: gpd.GeoDataFrame, naturalearth_dir: Path, where: str, expected: str
) -> None:
    if where == "Abkhazia":
        point = abkhazia_inner_point(naturalearth_dir)
    else:
        point = place(naturalearth_dir, where)
    assert regions[regions.intersects(point)].index.tolist() == [expected]


@pytest.mark.parametrize("code", ["CHN", "TUR", "IRN", "MNG", "NOR", "POL", "XKX"])
def test_touching_neighbours_are_included(regions: gpd.GeoDataFrame, code: str) -> None:
    assert code in regions.index


@pytest.mark.parametrize("code", ["USA", "BRA", "FRA", "JPN", "DEU", "KOS"])
def test_far_countries_are_left_out(regions: gpd.GeoDataFrame, code: str) -> None:
    assert code not in regions.index


def test_every_code_of_countries_csv_is_a_feature(regions: gpd.GeoDataFrame) -> None:
    listed = pd.read_csv(default_paths().countries_csv, dtype=str)["iso3"]
    assert set(listed) <= set(regions.index)


def test_properties_are_exactly_the_six_keys_in_order(built: Path) -> None:
    features = json.loads(built.read_text(encoding="utf-8"))["features"]
    assert {tuple(feature["properties"]) for feature in features} == {PROPERTY_KEYS}


def test_features_are_sorted_by_iso3_with_kind_and_parent(regions: gpd.GeoDataFrame) -> None:
    assert regions.index.tolist() == sorted(regions.index)
    assert regions.loc["XAB", ["name", "kind", "parent_iso3"]].tolist() == [
        "Abkhazia",
        "breakaway",
        "GEO",
    ]
    assert regions.loc["TUR", ["kind", "parent_iso3"]].tolist() == ["state", ""]


def test_crimea_is_cut_out_of_russias_polygon_and_keeps_ukraine_as_its_parent(
    regions: gpd.GeoDataFrame, ne_countries: gpd.GeoDataFrame
) -> None:
    crimea = regions.loc["XCR"]
    assert [crimea["kind"], crimea["parent_iso3"]] == ["annexed territory", "UKR"]
    assert crimea.geometry.intersection(regions.loc["RUS", "geometry"]).area == 0
    assert crimea.geometry.intersection(regions.loc["UKR", "geometry"]).area == 0
    # Natural Earth 2017 puts Crimea in Russia: Russia's polygon lost about Crimea's area.
    original = ne_countries.loc["RUS", "geometry"].area
    rebuilt = regions.loc["RUS", "geometry"].area + crimea.geometry.area
    assert rebuilt == pytest.approx(original, rel=0.005)


def test_regions_carry_the_years_they_are_drawn_as_their_own(regions: gpd.GeoDataFrame) -> None:
    years = regions[["from_year", "to_year"]].astype("Int64")
    assert years.loc["XCR"].tolist() == [2014, pd.NA]
    assert years.loc["RUS"].isna().all() and years.loc["XAB"].isna().all()


# Natural Earth populated places (../shared/naturalearth), longitude and latitude.
KARABAKH_PLACES = {
    "Kalbajar": (46.038, 40.105),
    "Shusha": (46.749, 39.758),
    "Stepanakert": (46.752, 39.815),
}


@pytest.mark.parametrize(
    ("place", "years"),
    [("Kalbajar", [1993, 2019]), ("Shusha", [pd.NA, 2019]), ("Stepanakert", [pd.NA, 2022])],
)
def test_karabakh_is_drawn_in_pieces_each_with_the_years_it_was_held(
    regions: gpd.GeoDataFrame, place: str, years: list
) -> None:
    point = shapely.Point(KARABAKH_PLACES[place])
    (found,) = [row for row in regions.itertuples(index=False) if row.geometry.contains(point)]
    assert found.iso3 == "XNK"
    assert pd.array([found.from_year, found.to_year], dtype="Int64").tolist() == years


def test_karabakh_pieces_cover_its_outline_without_gaps(
    regions: gpd.GeoDataFrame, ne_countries: gpd.GeoDataFrame
) -> None:
    pieces = regions.loc[["XNK"]]
    assert len(pieces) == 4
    assert shapely.coverage_is_valid(regions.geometry.values, gap_width=0.01)
    spans = pieces[["from_year", "to_year"]].astype("Int64")
    # Lachin 1992-2019, the six districts 1993-2019, Shusha -2019, the rest -2022.
    assert sorted(map(tuple, spans.fillna(0).to_numpy().tolist())) == [
        (0, 2019),
        (0, 2022),
        (1992, 2019),
        (1993, 2019),
    ]


def test_a_period_naming_an_event_of_another_region_fails_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "periods.csv").write_text(
        "iso3,piece,admin1,from_event,to_event,note\nXNK,x,,xcr-annexed-2014,,\n",
        encoding="utf-8",
    )
    territories = pd.DataFrame(
        {"id": ["xcr-annexed-2014"], "iso3": ["XCR"], "date": ["2014-03-18"]}
    )
    with pytest.raises(DataError, match=r"periods\.csv line 2, column from_event"):
        read_periods(tmp_path, territories)


def test_a_tiny_annexed_territory_is_cut_from_the_state_that_holds_it(tmp_path: Path) -> None:
    naturalearth = write_tiny_naturalearth(tmp_path / "ne")
    rows = (
        "GEO,Georgia,state,,,\nRUS,Russia,state,,,\nXAB,Abkhazia,annexed territory,RUS,Abkhazia,\n"
    )
    annexed = "xab-annexed,XAB,2014-03-18,annexed,GEO,,,src,,,\n"
    out = build_tiny(naturalearth, write_countries_csv(tmp_path, rows, annexed), tmp_path / "out")
    features = {f["properties"]["iso3"]: f for f in json.loads(out.read_text())["features"]}
    assert features["XAB"]["properties"]["parent_iso3"] == "RUS"
    assert features["XAB"]["properties"]["from_year"] == 2014
    assert shapely.geometry.shape(features["GEO"]["geometry"]).area == pytest.approx(3.0)


def test_russia_runs_on_past_180_degrees_instead_of_wrapping(regions: gpd.GeoDataFrame) -> None:
    xmin, _, xmax, _ = regions.loc["RUS", "geometry"].bounds
    assert xmin > 0
    assert 189 < xmax < 191


# --- tiny inputs ------------------------------------------------------------------------------


def write_tiny_naturalearth(folder: Path) -> Path:
    """Two 2x2 countries (GEO below RUS) and an Abkhazia square inside GEO."""
    folder.mkdir()
    countries = gpd.GeoDataFrame(
        {"ISO_A3": ["GEO", "RUS"], "ADM0_A3": ["GEO", "RUS"], "NAME": ["Georgia", "Russia"]},
        geometry=[box(0, 0, 2, 2), box(0, 2, 2, 4)],
        crs="EPSG:4326",
    )
    disputed = gpd.GeoDataFrame(
        {"BRK_NAME": ["Abkhazia"], "TYPE": ["Breakaway"]},
        geometry=[box(0, 1, 1, 2)],
        crs="EPSG:4326",
    )
    countries.to_file(folder / "ne_50m_admin_0_countries.json", driver="GeoJSON")
    disputed.to_file(folder / "ne_10m_admin_0_disputed_areas.json", driver="GeoJSON")
    (folder / "countries-10m.json").write_text(json.dumps(TINY_TOPOLOGY), encoding="utf-8")
    return folder


# The same two countries as quantized TopoJSON (world-atlas' form): positions delta-encoded,
# the shared edge stored once (arc 0) and read backwards (~0) by Russia.
TINY_TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [0, 0]},
    "arcs": [
        [[0, 4], [4, 0]],
        [[4, 4], [0, -4], [-4, 0], [0, 4]],
        [[0, 4], [0, 4], [4, 0], [0, -4]],
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {
                    "type": "Polygon",
                    "arcs": [[0, 1]],
                    "id": "268",
                    "properties": {"name": "Georgia"},
                },
                {
                    "type": "Polygon",
                    "arcs": [[2, -1]],
                    "id": "643",
                    "properties": {"name": "Russia"},
                },
            ],
        }
    },
}


def build_tiny(naturalearth: Path, data_dir: Path, out_dir: Path) -> Path:
    """build_geodata on the tiny inputs, their TopoJSON standing in for world-atlas', with a
    geodata folder of their own (the bundled overrides, no periods.csv: the bundled periods
    name events of the real territories.csv)."""
    geodata = naturalearth.parent / "tiny-geodata"
    geodata.mkdir(exist_ok=True)
    overrides = geodata / "iso3_overrides.csv"
    overrides.write_bytes(default_paths().iso3_overrides_csv.read_bytes())
    return build_geodata(
        naturalearth,
        data_dir,
        out_dir,
        iso3_overrides_csv=overrides,
        world_atlas_json=naturalearth / "countries-10m.json",
    )


def write_countries_csv(folder: Path, rows: str, territories: str = "") -> Path:
    """A data folder: countries.csv with the given rows, territories.csv with its own; returns
    the folder."""
    (folder / "countries.csv").write_text(COUNTRIES_HEADER + rows, encoding="utf-8")
    (folder / "territories.csv").write_text(TERRITORIES_HEADER + territories, encoding="utf-8")
    return folder


def test_tiny_inputs_build_a_cut_parent_and_breakaway(tmp_path: Path) -> None:
    naturalearth = write_tiny_naturalearth(tmp_path / "ne")
    rows = "GEO,Georgia,state,,,\nXAB,Abkhazia,breakaway,GEO,Abkhazia,\n"
    out = build_tiny(naturalearth, write_countries_csv(tmp_path, rows), tmp_path / "out")
    regions = gpd.read_file(out).set_index("iso3")
    assert regions.index.tolist() == ["GEO", "RUS", "XAB"]
    areas = dict(zip(regions.index, shapely.area(regions.geometry.values), strict=True))
    assert areas == pytest.approx({"GEO": 3.0, "RUS": 4.0, "XAB": 1.0})
    lengths = pd.read_csv(tmp_path / "out" / "border_lengths.csv").set_index(["a", "b"])
    # On this flat tiny map both scales are the same squares: GEO-RUS 1°, GEO-XAB 1° + 1°.
    assert lengths["km_10m"].to_numpy() == pytest.approx(lengths["km_map"].to_numpy(), abs=0.1)
    assert lengths.index.tolist() == [("GEO", "RUS"), ("GEO", "XAB"), ("RUS", "XAB")]


@pytest.mark.parametrize(
    ("rows", "bad_value", "column"),
    [
        ("GEO,Georgia,state,,,\nXAB,Abkhazia,breakaway,GEO,Abkhasia,\n", "Abkhasia", "ne_name"),
        ("GEO,Georgia,state,,,\nZZZ,Nowhere,state,,,\n", "ZZZ", "iso3"),
        ("GEO,Georgia,state,,,\nXAB,Abkhazia,breakaway,RUS,Abkhazia,\n", "RUS", "parent_iso3"),
        ("GEO,Georgia,province,,,\n", "province", "kind"),
    ],
)
def test_a_bad_countries_row_fails_naming_the_file_column_and_value(
    tmp_path: Path, rows: str, bad_value: str, column: str
) -> None:
    naturalearth = write_tiny_naturalearth(tmp_path / "ne")
    data_dir = write_countries_csv(tmp_path, rows)
    with pytest.raises(DataError) as raised:
        build_tiny(naturalearth, data_dir, tmp_path / "out")
    message = str(raised.value)
    assert "countries.csv line" in message
    assert f"column {column}" in message
    assert repr(bad_value) in message
    assert not (tmp_path / "out").exists()


def test_a_breakaway_mostly_outside_its_parent_fails(tmp_path: Path) -> None:
    naturalearth = write_tiny_naturalearth(tmp_path / "ne")
    rows = "GEO,Georgia,state,,,\nRUS,Russia,state,,,\nXAB,Abkhazia,breakaway,RUS,Abkhazia,\n"
    with pytest.raises(DataError, match="lies inside RUS"):
        build_tiny(naturalearth, write_countries_csv(tmp_path, rows), tmp_path / "out")


# --- helpers ----------------------------------------------------------------------------------


def test_cut_breakaway_clips_to_the_parent_and_leaves_no_gap() -> None:
    parent = box(0, 0, 10, 10)
    disputed = box(-1, 6, 4, 11)  # sticks out of the parent on two sides
    breakaway, rest = cut_breakaway(disputed, parent)
    assert breakaway.equals(box(0, 6, 4, 10))
    assert rest.union(breakaway).equals(parent)
    assert rest.intersection(breakaway).area == 0


def test_cut_breakaway_gives_the_breakaway_a_sliver_left_along_the_parent_border() -> None:
    parent = box(0, 0, 10, 10)
    disputed = box(0, 6, 4, 9.99)  # stops 0.01 short of the parent's northern border
    breakaway, rest = cut_breakaway(disputed, parent)
    assert breakaway.symmetric_difference(box(0, 6, 4, 10)).area < 1e-9
    assert len(shapely.get_parts(rest)) == 1


def test_fold_antimeridian_moves_the_western_tip_east_of_180() -> None:
    crossing = shapely.MultiPolygon([box(170, 60, 180, 70), box(-180, 60, -175, 65)])
    folded = fold_antimeridian(crossing)
    assert folded.geom_type == "Polygon"
    assert folded.bounds == (170, 60, 185, 70)


def test_fold_antimeridian_leaves_ordinary_countries_alone() -> None:
    georgia = box(40, 41, 46.7, 43.6)
    assert fold_antimeridian(georgia) is georgia


def test_a_missing_naturalearth_folder_fails_naming_the_path(tmp_path: Path) -> None:
    data_dir = write_countries_csv(tmp_path, "GEO,Georgia,state,,,\n")
    with pytest.raises(FileNotFoundError, match="nowhere"):
        build_geodata(tmp_path / "nowhere", data_dir, tmp_path / "out")
