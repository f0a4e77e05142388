"""Build the hotspot map: Gi* classes on hexagons, an optional heat layer, and points."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import HeatMap

from geodata import MAP_CRS
from loaders.vocab import REASONS, TIME_OF_DAY
from safetymap.analysis.hotspots import cell_polygons, hot_areas
from safetymap.maps.base import (
    BOUNDARY_ATTRIBUTION,
    Legend,
    MapStyle,
    feature_collection,
    finish_map,
    new_map,
)
from safetymap.roles import SMALL_COUNT, Role, count_text, sees_points

#: ColorBrewer RdBu (7 classes): diverging and safe for colour-blind readers. The words in
#: the legend and tooltip carry the meaning too, never the colour alone.
HOTSPOT_STYLE: dict[str, tuple[str, str]] = {
    "hot_99": ("#b2182b", "Hot spot, 99% confidence"),
    "hot_95": ("#ef8a62", "Hot spot, 95% confidence"),
    "hot_90": ("#fddbc7", "Hot spot, 90% confidence"),
    "none": ("#f7f7f7", "Not significant"),
    "cold_90": ("#d1e5f0", "Cold spot, 90% confidence"),
    "cold_95": ("#67a9cf", "Cold spot, 95% confidence"),
    "cold_99": ("#2166ac", "Cold spot, 99% confidence"),
}
#: Fill of cells when the test is unreliable: counts only, no classes.
COUNT_FILL = "#bdbdbd"
#: Selections up to this size may show individual report points (role permitting).
MAX_POINTS = 2000
#: Most hexagons drawn: each costs about 700 bytes, and 17,000 of them (a county-wide
#: million reports) make a 13 MB page. Above it, the not-significant ones are left off;
#: then the cold spots; then the hot spots that stand out least (lowest Gi* z), so that
#: the hot spots, the point of the map, stay (see docs/benchmarks.md). With a dense
#: selection almost every hexagon differs from an even spread, so this is the usual case
#: at scale.
MAX_PLAIN_CELLS = 2500
PLAIN_CELLS_LEFT_OFF = (
    "More than {limit:,} hexagons to draw: to keep the map quick, hexagons that are not hot "
    "spots are left off (and, if still too many, the hot spots that stand out least); zoom "
    "in with a district filter to see them."
)


def _at_most(shown: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Return at most ``limit`` cells: significant first, then hot, then the most hot."""
    if len(shown) <= limit:
        return shown
    shown = shown[shown["hotspot"] != "none"]
    if len(shown) > limit:
        shown = shown[shown["hotspot"].astype(str).str.startswith("hot_")]
    if len(shown) > limit:
        shown = shown.nlargest(limit, "gi_z") if "gi_z" in shown else shown.head(limit)
    return shown
HEAT_LABEL = "Heat layer: density for the eye, not a statistical test"


def _reason_words(codes: str) -> str:
    return ", ".join(REASONS.get(code, code) for code in codes.split(";") if code) or "none given"


def hotspot_layer(
    cells: pd.DataFrame, profiles: pd.DataFrame, *, role: Role, reliable: bool
) -> gpd.GeoDataFrame:
    """Return the cells to draw (WGS84) with escaped tooltip text and a fill colour.

    Only cells with at least one report or a significant class are drawn: empty,
    insignificant cells carry no information and would multiply the payload. Above
    :data:`MAX_PLAIN_CELLS` cells, only the significant ones are drawn, then only the hot
    ones, then the hot ones that stand out most (or, when the test is unreliable, the
    busiest :data:`MAX_PLAIN_CELLS`).

    Partners see aggregates only: for them only hot spot areas are drawn
    (:func:`~safetymap.analysis.hotspots.hot_areas`: each hot cell with the six around it,
    joined up), with no count, confidence level, reason or time. A hot spot's
    neighbourhood holds at least five reports by the test's definition, so every drawn
    area holds five or more; no single hexagon is drawn, so the map has no hole or mark
    where a single report is.
    """
    if role == "partner":
        return _partner_layer(cells, reliable=reliable)
    shown = cells[(cells["reports"] > 0) | (cells["hotspot"] != "none")]
    if len(shown) > MAX_PLAIN_CELLS:
        shown = _at_most(shown, MAX_PLAIN_CELLS) if reliable else shown.nlargest(
            MAX_PLAIN_CELLS, "reports"
        )
    if not isinstance(shown, gpd.GeoDataFrame):
        shown = cell_polygons(shown)  # hexagons only for the cells that are drawn
    shown = shown.merge(profiles, on="cell_id", how="left")
    layer = gpd.GeoDataFrame(
        {
            "cell_id": shown["cell_id"].to_numpy(),
            "fill": [
                HOTSPOT_STYLE[c][0] if reliable else COUNT_FILL for c in shown["hotspot"]
            ],
            "class_text": [
                html.escape(HOTSPOT_STYLE[c][1]) if reliable
                else "Not tested (fewer than 5 reports)" for c in shown["hotspot"]
            ],
            "reports_text": [count_text(int(n), role) for n in shown["reports"]],
            "reasons_text": [
                html.escape(_reason_words(str(r))) for r in shown["main_reasons"].fillna("")
            ],
            "peak_text": [
                html.escape(f"{day or '-'}, {TIME_OF_DAY.get(time, time) or '-'}")
                for day, time in zip(
                    shown["peak_day"].fillna(""), shown["peak_time"].fillna(""), strict=True
                )
            ],
        },
        geometry=shown.geometry.to_numpy(),
        crs=shown.crs,
    )
    return layer.to_crs(MAP_CRS)


#: What a partner's tooltip says in place of a hot spot's own figures.
PARTNER_NOTE = "Not shown to partners"


#: How a partner's hot spot area is drawn and named (one class: no confidence level,
#: which would say how many reports are in it).
PARTNER_FILL = "#d6604d"
PARTNER_AREA = "Hot spot area"


def _partner_layer(cells: pd.DataFrame, *, reliable: bool) -> gpd.GeoDataFrame:
    """Return the hot spot areas, as a partner may see them (see :func:`hotspot_layer`)."""
    areas = hot_areas(cells if reliable else cells[:0])
    layer = gpd.GeoDataFrame(
        {
            "area": areas["area"].to_numpy(),
            "fill": [PARTNER_FILL] * len(areas),
            "class_text": [PARTNER_AREA] * len(areas),
            "reports_text": [f"{SMALL_COUNT} or more in it"] * len(areas),
            "reasons_text": [PARTNER_NOTE] * len(areas),
            "peak_text": [PARTNER_NOTE] * len(areas),
        },
        geometry=areas.geometry.to_numpy(),
        crs=areas.crs,
    )
    return layer.to_crs(MAP_CRS)


#: What a hexagon's tooltip shows, in order (columns of :func:`hotspot_layer`).
HEXAGON_TOOLTIP_FIELDS: tuple[str, ...] = ("class_text", "reports_text", "reasons_text",
                                           "peak_text")


def hotspot_map(
    layer: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    style: MapStyle,
    heat_points: pd.DataFrame | None = None,
    report_points: pd.DataFrame | None = None,
    role: Role = "analyst",
    reliable: bool = True,
    points_name: str = "Reports (one dot each)",
    focus: tuple[str, ...] = (),
    small_points: bool = False,
) -> folium.Map:
    """Return the hotspot map.

    Parameters
    ----------
    layer
        :func:`hotspot_layer` output.
    districts
        District outlines drawn for orientation (any CRS, ``name`` column).
    style
        Where the map loads assets and tiles from.
    heat_points
        ``latitude``/``longitude`` (and an optional ``weight``) for a heat layer, or None.
    report_points
        ``latitude``/``longitude``/``location_label`` of reports to draw one by one; drawn
        only when the role may see points and there are at most :data:`MAX_POINTS`.
    role
        Who is looking: partners never get points, and see counts of 1 to 4 as "<5".
    reliable
        False when the selection was too small to test: cells are then grey, by count only.
    points_name
        What the dots are, for the layer control and the legend.
    focus
        District codes (``code``) the map opens on, e.g. the districts chosen; the whole of
        ``districts`` when empty (or when none of them is there).
    small_points
        Draw the dots small and see-through, for many points laid over the hexagons they
        are compared with (places named in the survey), so that the hexagons stay legible.
    """
    chosen = districts[districts["code"].isin(focus)] if focus and "code" in districts else None
    m = new_map(chosen if chosen is not None and len(chosen) else districts, style,
                place_names=districts)
    outlines = districts[["name", "geometry"]].to_crs(MAP_CRS)
    outlines["name"] = outlines["name"].map(html.escape)
    folium.GeoJson(
        feature_collection(outlines, ["name"]),
        name="Districts",
        style_function=lambda _f: {"fill": False, "color": "#555555", "weight": 1},
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["District"]),
    ).add_to(m)
    if len(layer):
        folium.GeoJson(
            feature_collection(layer, ["fill", *HEXAGON_TOOLTIP_FIELDS]),
            name="Hotspot cells",
            style_function=lambda feature: {
                "fillColor": feature["properties"]["fill"],
                "color": "#666666",
                "weight": 0.3,
                "fillOpacity": 0.75,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=list(HEXAGON_TOOLTIP_FIELDS),
                aliases=["Area" if role == "partner" else "Hexagon", "Reports",
                         "Main reasons", "Peak day and time"],
                sticky=True,
            ),
        ).add_to(m)
    if heat_points is not None and len(heat_points):
        columns = ["latitude", "longitude"] + (["weight"] if "weight" in heat_points else [])
        HeatMap(
            heat_points[columns].to_numpy().tolist(),
            name=HEAT_LABEL, radius=12, blur=15, min_opacity=0.3, show=True,
        ).add_to(m)
    if report_points is not None and sees_points(role) and 0 < len(report_points) <= MAX_POINTS:
        # One GeoJSON layer, not a marker object per dot: 2,000 dots make about 0.3 MB of
        # page instead of 2.3 MB. Labels are escaped here: tooltips render HTML.
        labels = report_points.get("location_label", pd.Series("", index=report_points.index))
        dots = gpd.GeoDataFrame(
            {"label": [html.escape(str(label or "Report")) for label in labels.tolist()]},
            geometry=gpd.points_from_xy(
                report_points["longitude"].to_numpy(dtype=float).round(6),
                report_points["latitude"].to_numpy(dtype=float).round(6),
            ),
            crs=MAP_CRS,
        )
        folium.GeoJson(
            feature_collection(dots, ["label"]), name=points_name,
            marker=(folium.CircleMarker(radius=2, color="#000000", weight=0, fill=True,
                                        fill_opacity=0.45) if small_points else
                    folium.CircleMarker(radius=3, color="#000000", weight=1, fill=True,
                                        fill_opacity=0.8)),
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(m)
    # Only the classes on the map: a legend offering cold spots where none can be found
    # (sparse counts rarely allow one) would suggest otherwise.
    drawn = set(layer["class_text"]) if len(layer) else set()
    rows = (
        [(colour, words) for colour, words in HOTSPOT_STYLE.values()
         if words in drawn or words == HOTSPOT_STYLE["none"][1]]
        if reliable else [(COUNT_FILL, "Hexagons with reports (not tested)")]
    )
    title = "Hot and cold spots (exact test, Gi* neighbourhoods)"
    if role == "partner":
        rows = [(PARTNER_FILL, (f"{PARTNER_AREA}: hot hexagons with the six around each, "
                                f"{SMALL_COUNT} or more reports in each area"))]
        title = "Hot spot areas (exact test, Gi* neighbourhoods)"
    if report_points is not None and sees_points(role) and 0 < len(report_points) <= MAX_POINTS:
        rows.append(("#000000", f"Black dot: {points_name.lower()}"))
    note = HEAT_LABEL if heat_points is not None and len(heat_points) else ""
    Legend(title, rows, note=note,
           attribution=BOUNDARY_ATTRIBUTION).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return finish_map(m, style, title="Map: hot spots of StreetSafe reports")
