"""Points against the gazetteer: each marker within its radius of the place it names, and
distinct places never drawn on one point.

A point table's row names a place of places.csv (`place_id`) or none (a site the gazetteer
lacks). Rows that are accounts of one event (`same_as`) are one site and may share a point.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from csto_atlas.data.errors import Problem

EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (arrays or scalars)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlambda = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def check_gazetteer_distance(
    frame: pd.DataFrame, places: pd.DataFrame, shown: str
) -> list[Problem]:
    """A row naming a gazetteer place must stand within radius_km of that place's entry."""
    named = frame[frame["place_id"].notna()]
    if named.empty:
        return []
    entries = places.set_index("place_id").loc[named["place_id"], ["lat", "lon"]]
    distance = haversine_km(
        named["lat"].to_numpy(),
        named["lon"].to_numpy(),
        entries["lat"].to_numpy(),
        entries["lon"].to_numpy(),
    )
    too_far = distance > named["radius_km"].to_numpy()
    return [
        Problem(
            shown,
            int(line),
            "lat",
            f"({row.lat}, {row.lon}) is {km:.1f} km from {row.place_id!r} in places.csv, "
            f"more than its radius_km {row.radius_km:g}",
        )
        for (line, row), km in zip(named[too_far].iterrows(), distance[too_far], strict=True)
    ]


def site_keys(frame: pd.DataFrame, table: str) -> pd.Series:
    """What a row's point stands for: its gazetteer place, or its own site (one per event)."""
    own_site = table + ":" + frame["same_as"].fillna(frame["id"]) if "same_as" in frame else None
    if own_site is None:
        own_site = table + ":" + frame["id"]
    return ("place:" + frame["place_id"]).fillna(own_site)


def check_shared_points(tables: dict[str, pd.DataFrame], paths: dict[str, Path]) -> list[Problem]:
    """Two rows at identical coordinates must stand for the same place or the same event."""
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "table": table,
                    "line": frame.index,
                    "id": frame["id"].to_numpy(),
                    "lat": frame["lat"].to_numpy(),
                    "lon": frame["lon"].to_numpy(),
                    "site": site_keys(frame, table).to_numpy(),
                }
            )
            for table, frame in tables.items()
            if not frame.empty
        ],
        ignore_index=True,
    )
    if rows.empty:
        return []
    problems = []
    for _, group in rows.groupby(["lat", "lon"], sort=True):
        if group["site"].nunique() < 2:
            continue
        first = group.iloc[0]
        for row in group.iloc[1:].itertuples():
            if row.site == first["site"]:
                continue
            problems.append(
                Problem(
                    f"{paths[row.table].parent.name}/{paths[row.table].name}",
                    int(row.line),
                    "lat",
                    f"({row.lat}, {row.lon}) is also the point of {first['table']} "
                    f"{first['id']!r}, a different place: distinct places never share a point",
                )
            )
    return problems
