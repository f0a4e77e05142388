"""Build the county map: districts shaded by StreetSafe reports per 1,000 residents."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from geodata import MAP_CRS
from safetymap.analysis.rates import RateClass, rate_classes
from safetymap.disclosure import is_shown, suppressed_counts
from safetymap.maps.base import BOUNDARY_ATTRIBUTION, Legend, MapStyle, finish_map, new_map
from safetymap.roles import Role

#: ColorBrewer YlGnBu, 5 classes: sequential and safe for colour-blind readers.
RATE_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NOT_SELECTED = "#d9d9d9"
#: Fill of a chosen district whose figures this role may not see (a partner, few reports).
FIGURES_HIDDEN = "#ffffff"
RATE_UNIT = "reports per 1,000 residents"


def _rate_text(rate: float) -> str:
    """Return a rate with two decimals, or two significant figures when smaller than 0.1.

    A week of reports gives rates such as 0.029 per 1,000, which two decimals would print
    as "0.03" and a class of them as "0.03 to 0.03".
    """
    if 0 < abs(rate) < 0.1:
        return f"{rate:.{1 - math.floor(math.log10(abs(rate)))}f}"
    return f"{rate:.2f}"


def _rate_range(low: float, high: float) -> str:
    low_text, high_text = _rate_text(low), _rate_text(high)
    return low_text if low_text == high_text else f"{low_text} to {high_text}"


def rate_legend_rows(legend: list[RateClass]) -> list[tuple[str, str]]:
    """Return (colour, words) for each class, highest first, as the legend reads.

    A class whose rates are the same to two decimals reads as one rate ("This district:
    0.21"), never "0.21 to 0.21".
    """
    rows = [
        (RATE_COLOURS[row.level], f"{row.words}: {_rate_range(row.low, row.high)}")
        for row in legend
    ]
    return rows[::-1]


HIDDEN_ROW = "Figures not shown: under 5 reports, or would reveal one"


def rate_shading(
    rates: pd.DataFrame,
    *,
    selected: tuple[str, ...] = (),
    role: Role = "analyst",
    reports_text: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Return each district's fill and figures as the role may see them, and the legend.

    A rate in the legend is as telling as one in a tooltip, so the classes
    (:func:`safetymap.analysis.rates.rate_classes`) are made only from the chosen districts
    whose count the role may see; a chosen district whose count is hidden is white.

    Parameters
    ----------
    rates
        :func:`safetymap.analysis.rates.district_rates` of the selected reports.
    selected
        District codes chosen; empty means all.
    role
        Who is looking (:func:`safetymap.disclosure.suppressed_counts` decides what is
        hidden, unless ``reports_text`` is given).
    reports_text
        Each district's count as the role may see it, by code (for partners, from the
        protected release of :mod:`safetymap.disclosure`); a code missing reads "0".

    Returns
    -------
    tuple of (pandas.DataFrame, list of (str, str))
        ``rates`` with ``reports_text`` and ``fill``; the legend's (colour, words) rows,
        highest first, then the hidden and not-selected rows when there are such districts.
    """
    shading = rates.copy()
    in_selection = (
        shading["district_code"].isin(selected) if selected
        else pd.Series(True, index=shading.index)
    )
    if reports_text is not None:
        shading["reports_text"] = [reports_text.get(code, "0")
                                   for code in shading["district_code"]]
    else:
        shading["reports_text"] = suppressed_counts(shading["reports"].tolist(), role)
    figures_shown = shading["reports_text"].map(is_shown).astype(bool)
    classed = in_selection & figures_shown
    levels, legend = rate_classes(shading.loc[classed, "per_1000"])
    shading["fill"] = NOT_SELECTED
    shading.loc[in_selection & ~figures_shown, "fill"] = FIGURES_HIDDEN
    shading.loc[classed, "fill"] = [RATE_COLOURS[level] for level in levels]
    rows = rate_legend_rows(legend)
    if (in_selection & ~figures_shown).any():
        rows.append((FIGURES_HIDDEN, HIDDEN_ROW))
    if selected:
        rows.append((NOT_SELECTED, "Not selected"))
    return shading, rows


def district_rate_map(
    districts: gpd.GeoDataFrame,
    rates: pd.DataFrame,
    *,
    style: MapStyle,
    selected: tuple[str, ...] = (),
    role: Role = "analyst",
    reports_text: Mapping[str, str] | None = None,
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
    reports_text
        Each district's count as the role may see it (see :func:`rate_shading`).

    The tooltip shows name, reports and rate. Every text is escaped before it reaches the
    map, since folium does not escape tooltip values.
    """
    shading, rows = rate_shading(rates, selected=selected, role=role,
                                 reports_text=reports_text)
    shown = districts.merge(shading, left_on="code", right_on="district_code", how="left")
    in_selection = shown["code"].isin(selected) if selected else pd.Series(True, index=shown.index)
    shown["label"] = shown["name"].map(html.escape)
    shown["rate_text"] = [
        ("not selected" if not sel else f"{r:.2f}" if is_shown(text) else text)
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
    # Top left, under the zoom buttons: beyond the county's north-west edge lies Luton, so
    # the legend covers no district at the county view (top right it hid North Herts).
    Legend(f"StreetSafe {RATE_UNIT}", rows, position="topleft",
           attribution=BOUNDARY_ATTRIBUTION).add_to(m)
    return finish_map(m, style, title="Map: StreetSafe reports per 1,000 residents by district")
