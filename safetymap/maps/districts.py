"""Build the county map: districts shaded by StreetSafe reports per 1,000 residents."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd

from geodata import MAP_CRS
from safetymap.analysis.rates import rate_classes
from safetymap.maps.base import BOUNDARY_ATTRIBUTION, Legend, MapStyle, finish_map, new_map
from safetymap.roles import Role, suppressed_counts

#: ColorBrewer YlGnBu, 5 classes: sequential and safe for colour-blind readers.
RATE_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NOT_SELECTED = "#d9d9d9"
RATE_UNIT = "reports per 1,000 residents"


def rate_legend_rows(legend: list[tuple[float, float, str]]) -> list[tuple[str, str]]:
    """Return (colour, words) for each class, highest first, as the legend reads."""
    rows = [
        (RATE_COLOURS[i], f"{word}: {low:.1f} to {high:.1f}")
        for i, (low, high, word) in enumerate(legend)
    ]
    return rows[::-1]


def district_rate_map(
    districts: gpd.GeoDataFrame,
    rates: pd.DataFrame,
    *,
    style: MapStyle,
    selected: tuple[str, ...] = (),
    role: Role = "analyst",
) -> folium.Map:
    """Return a map of the districts shaded by reports per 1,000 residents.

    Parameters
    ----------
    districts
        ``code``, ``name`` and ``geometry`` of the districts (any CRS).
    rates
        :func:`safetymap.analysis.rates.district_rates` of the selected reports.
    style
        Where the map loads its assets and tiles from.
    selected
        District codes in the selection; the others are drawn grey. Empty means all.
    role
        Partners see small counts as "<5" (and a count that would give one away hidden),
        with the rate of a hidden count hidden too.

    The tooltip shows name, reports and rate. Every text is escaped before it reaches the
    map, since folium does not escape tooltip values.
    """
    shown = districts.merge(rates, left_on="code", right_on="district_code", how="left")
    in_selection = shown["code"].isin(selected) if selected else pd.Series(True, index=shown.index)
    classes, legend = rate_classes(shown.loc[in_selection, "per_1000"])
    shown["fill"] = NOT_SELECTED
    shown.loc[in_selection, "fill"] = [RATE_COLOURS[c] for c in classes]
    shown["label"] = shown["name"].map(html.escape)
    shown["reports_text"] = suppressed_counts(shown["reports"].tolist(), role)
    shown["rate_text"] = [
        ("not selected" if not sel else f"{r:.2f}" if text[0].isdigit() else text)
        for r, sel, text in zip(shown["per_1000"], in_selection, shown["reports_text"],
                                strict=True)
    ]
    layer = shown[["code", "label", "reports_text", "rate_text", "fill", "geometry"]].to_crs(
        MAP_CRS
    )

    chosen = districts[districts["code"].isin(selected)] if selected else districts
    m = new_map(chosen if len(chosen) else districts, style, place_names=districts)
    folium.GeoJson(
        layer,
        name="Districts",
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "color": "#333333",
            "weight": 1.2,
            "fillOpacity": 0.8,
        },
        highlight_function=lambda _feature: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["label", "reports_text", "rate_text"],
            aliases=["District", "Reports", "Per 1,000 residents"],
            sticky=True,
        ),
    ).add_to(m)
    rows = rate_legend_rows(legend)
    if selected:
        rows.append((NOT_SELECTED, "Not selected"))
    Legend(f"StreetSafe {RATE_UNIT}", rows, attribution=BOUNDARY_ATTRIBUTION).add_to(m)
    return finish_map(m, style)
