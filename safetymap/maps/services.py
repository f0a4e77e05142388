"""Build the services map: place-based services as points, confidential ones as areas only."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd
import shapely

from geodata import MAP_CRS
from loaders.vocab import SERVICE_CATEGORIES
from safetymap.maps.base import BOUNDARY_ATTRIBUTION, Legend, MapStyle, finish_map, new_map

#: One colour and one letter per category (Okabe-Ito palette): the letter carries the
#: meaning for readers who cannot tell the colours apart.
CATEGORY_MARKS: dict[str, tuple[str, str]] = {
    "helpline": ("#000000", "H"),
    "idva": ("#E69F00", "I"),
    "refuge": ("#56B4E9", "R"),
    "sarc": ("#009E73", "S"),
    "rape_crisis": ("#F0E442", "C"),
    "perpetrator_programme": ("#0072B2", "P"),
    "victim_hub": ("#D55E00", "V"),
    "outreach": ("#CC79A7", "O"),
    "police": ("#1b3a6b", "Po"),
    "housing": ("#999999", "Ho"),
    "other": ("#666666", "?"),
}
AREA_COLOUR = "#6a3d9a"


def _tooltip(row: pd.Series, *, confidential: bool) -> str:
    lines = [
        f"<b>{html.escape(str(row['name']))}</b>",
        html.escape(SERVICE_CATEGORIES.get(str(row["category"]), str(row["category"]))),
        f"Phone: {html.escape(str(row.get('phone') or '-'))}",
        f"Hours: {html.escape(str(row['opening_hours']))}",
    ]
    if row.get("eligibility"):
        lines.append(f"For: {html.escape(str(row['eligibility']))}")
    if confidential:
        lines.append("Location confidential: shown by the area it serves")
    elif row.get("location_approximate"):
        lines.append("Location approximate (town level)")
    return "<br>".join(lines)


def served_area(coverage: str, districts: gpd.GeoDataFrame) -> shapely.Geometry:
    """Return the area a service serves: the county, or the union of its districts."""
    if coverage == "county":
        return shapely.union_all(districts.geometry.to_numpy())
    codes = coverage.split(";")
    return shapely.union_all(districts[districts["code"].isin(codes)].geometry.to_numpy())


def _marker_html(category: str) -> str:
    colour, letter = CATEGORY_MARKS.get(category, CATEGORY_MARKS["other"])
    text = "#000000" if colour in ("#F0E442", "#E69F00", "#56B4E9", "#999999") else "#ffffff"
    return (
        f'<div style="background:{colour};color:{text};border:2px solid #ffffff;'
        f"border-radius:50%;width:24px;height:24px;line-height:20px;text-align:center;"
        f'font:bold 11px sans-serif;box-shadow:0 0 3px #000">{html.escape(letter)}</div>'
    )


#: Fills of the gap ranking's five classes, lightest (smallest gap) first (ColorBrewer Reds).
GAP_FILLS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")


def gap_shading(ranking: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Return the districts' shading by gap rank, and its legend rows.

    ``ranking`` has ``district_code``, ``gap_score`` and ``rank`` (1 = largest gap). The
    districts fall into five classes of equal size by score (the darkest holds the
    largest gaps); the shading has ``district_code``, ``fill`` and ``label`` ("Gap rank 3
    of 10") for :func:`services_map`, the legend one row per class, largest gap first
    ("Ranks 1-2: largest gap" ... "Ranks 9-10: smallest gap").
    """
    shade = ranking[["district_code", "gap_score", "rank"]].copy()
    classes = min(len(GAP_FILLS), len(shade))
    fills = GAP_FILLS[len(GAP_FILLS) - classes:]
    shade["fill"] = (pd.qcut(shade["gap_score"].rank(method="first"), classes,
                             labels=list(fills)).astype(str) if classes else [])
    shade["label"] = [f"Gap rank {r} of {len(shade)}" for r in shade["rank"]]
    rows = []
    for fill, ranks in sorted(shade.groupby("fill", sort=False)["rank"],
                              key=lambda group: int(group[1].min())):
        first, last = int(ranks.min()), int(ranks.max())
        rows.append((str(fill), f"Rank {first}" if first == last else f"Ranks {first}-{last}"))
    if rows:
        rows[0] = (rows[0][0], rows[0][1] + ": largest gap")
        rows[-1] = (rows[-1][0], rows[-1][1] + ": smallest gap")
    return shade[["district_code", "gap_score", "rank", "fill", "label"]], rows


def services_map(
    services: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    style: MapStyle,
    shade: pd.DataFrame | None = None,
    shade_legend: tuple[str, list[tuple[str, str]]] | None = None,
    focus: tuple[str, ...] = (),
) -> folium.Map:
    """Return a map of the support services.

    Non-confidential services with a place are drawn as lettered markers by category.
    Confidential services (refuges, the SARC) are drawn only as the area they serve, so
    no coordinate of theirs can reach the map, even if a frame still held one.

    Parameters
    ----------
    services
        Loaded services (``confidential``, ``category``, ``coverage``, ``geometry``…).
    districts
        ``code``, ``name``, ``geometry`` of the districts.
    style
        Where the map loads assets and tiles from.
    shade
        Optional ``district_code``, ``fill`` and ``label`` to shade the districts with (for
        example by gap score); plain outlines when None.
    shade_legend
        A title and (colour, words) rows saying what the shading means, drawn as a second
        legend; None for none.
    focus
        District codes the map opens on, e.g. the districts chosen; all of ``districts``
        when empty (or when none of them is there).
    """
    chosen = districts[districts["code"].isin(focus)] if focus else districts
    m = new_map(chosen if len(chosen) else districts, style, place_names=districts)
    outlines = districts[["code", "name", "geometry"]].copy()
    outlines["fill"] = "#ffffff"
    outlines["label"] = ""
    if shade is not None:
        by_code = shade.set_index("district_code")
        outlines["fill"] = outlines["code"].map(by_code["fill"]).fillna("#ffffff")
        outlines["label"] = outlines["code"].map(by_code["label"]).fillna("")
    outlines["name"] = outlines["name"].map(html.escape)
    outlines["label"] = outlines["label"].map(html.escape)
    folium.GeoJson(
        outlines.to_crs(MAP_CRS),
        name="Districts",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"], "fillOpacity": 0.6,
            "color": "#555555", "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "label"], aliases=["District", ""]),
    ).add_to(m)

    confidential = services[services["confidential"].astype(bool)]
    if len(confidential):
        areas = gpd.GeoDataFrame(
            {"tip": [_tooltip(row, confidential=True) for _, row in confidential.iterrows()]},
            geometry=[served_area(c, districts) for c in confidential["coverage"]],
            crs=districts.crs,
        ).to_crs(MAP_CRS)
        folium.GeoJson(
            areas,
            name="Confidential services: area served",
            style_function=lambda _f: {
                "fill": False, "color": AREA_COLOUR, "weight": 3, "dashArray": "8 6",
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(m)

    public = services[~services["confidential"].astype(bool)]
    placed = public[public["geometry"].notna()]
    placed = placed.to_crs(MAP_CRS) if len(placed) else placed
    group = folium.FeatureGroup(name="Services with a place")
    for _, row in placed.iterrows():
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            icon=folium.DivIcon(html=_marker_html(str(row["category"])), icon_size=(24, 24),
                                icon_anchor=(12, 12)),
            tooltip=folium.Tooltip(_tooltip(row, confidential=False)),
        ).add_to(group)
    group.add_to(m)

    present = sorted(set(placed["category"]) if len(placed) else set(),
                     key=list(CATEGORY_MARKS).index)
    rows = [
        (CATEGORY_MARKS[c][0], f"{CATEGORY_MARKS[c][1]}: {SERVICE_CATEGORIES[c]}")
        for c in present
    ]
    if len(confidential):
        rows.append((AREA_COLOUR, "Dashed line: area a confidential service serves"))
    Legend("Support services", rows, attribution=BOUNDARY_ATTRIBUTION).add_to(m)
    if shade_legend is not None:
        Legend(shade_legend[0], shade_legend[1], position="bottomright").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return finish_map(m, style, title="Map: support services and the districts they serve")
