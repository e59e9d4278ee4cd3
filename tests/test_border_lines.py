"""border_lines: TopoJSON decoding, feature keys, shared lines of a coverage."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from csto_atlas.data import border_lines


def test_quantized_arcs_are_delta_decoded_and_scaled_from_the_translate() -> None:
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 4]]],
    }
    (arc,) = border_lines.decode_arcs(topology)
    assert arc.tolist() == [[10, 20], [11, 20], [11, 21]]


def test_a_ring_reads_a_negative_index_backwards_and_joins_arcs_once() -> None:
    arcs = border_lines.decode_arcs({"arcs": [[[0, 0], [1, 0]], [[0, 0], [0, 1], [1, 0]]]})
    ring = border_lines.ring_of([~1, 0], arcs)
    assert ring.tolist() == [[1, 0], [0, 1], [0, 0], [1, 0]]


def test_rings_collapsed_by_quantization_are_dropped() -> None:
    arcs = border_lines.decode_arcs({"arcs": [[[0, 0], [1, 0], [0, 1], [0, 0]], [[5, 5], [5, 5]]]})
    shape = border_lines.geometry_of({"type": "MultiPolygon", "arcs": [[[0]], [[1]]]}, arcs)
    assert shape.geom_type == "Polygon" and shape.area == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("years", "key"),
    [((None, None), "XNK"), ((1993, 2019), "XNK:1993-2019"), ((2014, None), "XNK:2014-")],
)
def test_a_feature_key_names_the_code_and_its_years(years: tuple, key: str) -> None:
    assert border_lines.feature_key("XNK", *years) == key


def test_feature_keys_read_nullable_years() -> None:
    regions = pd.DataFrame(
        {
            "iso3": ["AZE", "XNK"],
            "from_year": pd.array([None, 1993], dtype="Int64"),
            "to_year": pd.array([None, None], dtype="Int64"),
        }
    )
    assert border_lines.feature_keys(regions).tolist() == ["AZE", "XNK:1993-"]


def test_shared_lines_pair_each_touching_couple_once_and_drop_corner_contacts() -> None:
    shapes = gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 1, 3, 2)])
    lines = border_lines.shared_border_lines(shapes)
    assert lines[["first", "second"]].values.tolist() == [[0, 1]]
    assert shapely.equals(lines["geometry"][0], shapely.LineString([(1, 0), (1, 1)]))


def test_a_degree_of_the_equator_is_its_ellipsoidal_length() -> None:
    (km,) = border_lines.geodesic_km([shapely.LineString([(0, 0), (1, 0)])])
    assert km == pytest.approx(111.319, abs=0.001)
