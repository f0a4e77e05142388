"""Build the outreach map: posters, leaflet points and drop-ins against the hot spots.

Outreach points are public (a poster on a wall, a leaflet stand, an advertised drop-in), so
every role sees them. The hot spots drawn are what the page measured: hexagons with their
reports for the police and analysts, hot spot areas with no count for partners. Hot spots
with no point within :data:`~safetymap.analysis.outreach.REACH_M` are drawn in a second
colour: where the next poster could go.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geodata import MAP_CRS
from loaders.vocab import OUTREACH_KINDS
from safetymap.analysis.outreach import REACH_M
from safetymap.maps.base import BOUNDARY_ATTRIBUTION, Legend, MapStyle, finish_map, new_map

#: Colour and letter of each kind of point (the letter carries the meaning without colour).
KIND_MARKS: dict[str, tuple[str, str]] = {
    "qr_poster": ("#0072B2", "Q"),
    "leaflet_point": ("#009E73", "L"),
    "drop_in": ("#D55E00", "D"),
    "other": ("#666666", "?"),
}
REACHED_FILL = "#fdae61"
UNREACHED_FILL = "#b2182b"


def _day(value: object) -> str:
    day = pd.Timestamp(str(value)) if value is not None else pd.NaT
    return "" if pd.isna(day) else f"{day:%d/%m/%Y}"


def point_tooltip(row: pd.Series) -> str:
    """Return a point's tooltip as HTML, every input text escaped.

    Notes are left out: free text may name a person.
    """
    kind = str(row["kind"])
    lines = [
        f"<b>{html.escape(str(row.get('name') or OUTREACH_KINDS.get(kind, kind)))}</b>",
        html.escape(OUTREACH_KINDS.get(kind, kind)),
        f"Placed by: {html.escape(str(row['organisation']))}",
    ]
    since, until = _day(row.get("in_place_from")), _day(row.get("in_place_to"))
    if since and until:
        lines.append(f"In place {since} to {until}")
    elif since:
        lines.append(f"In place since {since}")
    elif until:
        lines.append(f"In place until {until}")
    return "<br>".join(lines)


def _marker_html(kind: str) -> str:
    colour, letter = KIND_MARKS.get(kind, KIND_MARKS["other"])
    return (
        f'<div style="background:{colour};color:#ffffff;border:2px solid #ffffff;'
        "width:20px;height:20px;line-height:17px;text-align:center;"
        f'font:bold 11px sans-serif;box-shadow:0 0 3px #000">{html.escape(letter)}</div>'
    )


def outreach_map(
    points: gpd.GeoDataFrame,
    hot_spots: gpd.GeoDataFrame,
    reached: np.ndarray | list[bool],
    districts: gpd.GeoDataFrame,
    *,
    style: MapStyle,
    partner: bool,
    focus: tuple[str, ...] = (),
) -> folium.Map:
    """Return a map of outreach points over the hot spots they do or do not reach.

    Parameters
    ----------
    points
        Outreach points in place in the period (``kind``, ``organisation``, ``name``,
        ``in_place_from``, ``in_place_to``, ``geometry``).
    hot_spots
        The hot spots measured (:func:`~safetymap.analysis.outreach.hot_spot_cells` or
        :func:`~safetymap.analysis.outreach.hot_spot_areas`).
    reached
        For each hot spot, whether a point is within ``REACH_M``.
    districts
        ``code``, ``name``, ``geometry`` of the districts.
    style
        Where the map loads assets and tiles from.
    partner
        True for partners: the hot spots are areas, and no tooltip gives a count.
    focus
        District codes the map opens on; all of ``districts`` when empty.
    """
    chosen = districts[districts["code"].isin(focus)] if focus else districts
    m = new_map(chosen if len(chosen) else districts, style, place_names=districts)
    outlines = districts[["name", "geometry"]].copy()
    outlines["name"] = outlines["name"].map(html.escape)
    folium.GeoJson(
        outlines.to_crs(MAP_CRS), name="Districts",
        style_function=lambda _f: {"fill": False, "color": "#555555", "weight": 1},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["District"]),
    ).add_to(m)

    is_reached = np.asarray(reached, dtype=bool)
    what = "Hot spot area" if partner else "Hot spot hexagon"
    counts = (hot_spots["reports"] if "reports" in hot_spots.columns
              else pd.Series(np.nan, index=hot_spots.index))
    tips = [
        f"{what}: {'an' if hit else 'no'} outreach point within {REACH_M:.0f} m"
        + ("" if partner or pd.isna(n) else f"<br>Reports: {int(n)}")
        for hit, n in zip(is_reached, counts, strict=True)
    ]
    if len(hot_spots):
        layer = gpd.GeoDataFrame(
            {"tip": tips, "fill": np.where(is_reached, REACHED_FILL, UNREACHED_FILL)},
            geometry=hot_spots.geometry.to_numpy(), crs=hot_spots.crs,
        ).to_crs(MAP_CRS)
        folium.GeoJson(
            layer, name="Hot spots",
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 0.55,
                                      "color": f["properties"]["fill"], "weight": 1},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(m)

    placed = points[~(points.geometry.isna() | points.geometry.is_empty)]
    placed = placed.to_crs(MAP_CRS) if len(placed) else placed
    group = folium.FeatureGroup(name="Outreach points")
    for _, row in placed.iterrows():
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            icon=folium.DivIcon(html=_marker_html(str(row["kind"])), icon_size=(20, 20),
                                icon_anchor=(10, 10)),
            tooltip=folium.Tooltip(point_tooltip(row)),
        ).add_to(group)
    group.add_to(m)

    kinds = sorted(set(placed["kind"]) if len(placed) else set(), key=list(KIND_MARKS).index)
    rows = [(KIND_MARKS[k][0], f"{KIND_MARKS[k][1]}: {OUTREACH_KINDS[k]}") for k in kinds]
    rows += [(REACHED_FILL, f"{what}: a point within {REACH_M:.0f} m"),
             (UNREACHED_FILL, f"{what}: no point within {REACH_M:.0f} m")]
    Legend("Outreach points", rows, attribution=BOUNDARY_ATTRIBUTION).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return finish_map(m, style, title="Map: outreach points and the hot spots they reach")
