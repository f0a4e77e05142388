"""Count StreetSafe reports per district and per 1,000 residents."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geodata import DISTRICTS

CLASS_WORDS = ("Lowest", "Low", "Middle", "High", "Highest")


def district_rates(reports: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Return reports and reports per 1,000 residents for each of the ten districts.

    Parameters
    ----------
    reports
        StreetSafe reports with a ``district_code`` column.
    population
        ``code`` and ``population`` (usual residents) of each district.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``district_name``, ``reports``, ``population``, ``per_1000``,
        one row per district (districts with no report have 0), highest rate first.
    """
    counts = reports["district_code"].value_counts()
    return rates_of_counts(
        pd.DataFrame({"district_code": counts.index, "reports": counts.to_numpy()}), population
    )


def rates_of_counts(per_district: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`district_rates` from reports counted per district.

    Parameters
    ----------
    per_district
        ``district_code`` and ``reports``, e.g. ``ReportCounts.count(filters,
        ("district_code",))``; districts left out have no report.
    population
        ``code`` and ``population`` (usual residents) of each district.
    """
    counts = per_district.set_index("district_code")["reports"]
    table = pd.DataFrame(
        {"district_code": list(DISTRICTS), "district_name": list(DISTRICTS.values())}
    )
    table["reports"] = table["district_code"].map(counts).fillna(0).astype("int64")
    residents = population.set_index("code")["population"]
    table["population"] = table["district_code"].map(residents).astype("int64")
    table["per_1000"] = table["reports"] / table["population"] * 1000.0
    return table.sort_values(["per_1000", "district_name"], ascending=[False, True],
                             ignore_index=True)


def rate_classes(
    values: pd.Series, *, classes: int = 5
) -> tuple[pd.Series, list[tuple[float, float, str]]]:
    """Return each value's class (0 = lowest) and the legend rows (low, high, word).

    Classes are equal intervals from 0 to the largest value rounded up to two significant
    figures, so a legend reads "High: 3.2 to 4.0" on a year of reports and "High: 0.018 to
    0.024" on a week of them (one decimal would print a week's classes as "0.0 to 0.0");
    with all values 0 every value is in class 0. Starting at 0 keeps the shades in
    proportion: districts whose rates differ by a few per cent share a shade.
    """
    largest = float(values.max()) if len(values) else 0.0
    if largest > 0:
        step = 10.0 ** (math.floor(math.log10(largest)) - 1)  # two significant figures
        top = math.ceil(round(largest / step, 9)) * step
    else:
        top = 1.0
    edges = np.linspace(0.0, top, classes + 1)
    index = np.clip(np.searchsorted(edges, values.to_numpy(), side="right") - 1, 0, classes - 1)
    words = CLASS_WORDS if classes == len(CLASS_WORDS) else tuple(
        f"Class {i + 1}" for i in range(classes)
    )
    legend = [(float(edges[i]), float(edges[i + 1]), words[i]) for i in range(classes)]
    return pd.Series(index, index=values.index), legend


def legend_decimals(legend: list[tuple[float, float, str]]) -> int:
    """Return the fewest decimals (at least 1) that print every edge of a legend exactly."""
    edges = [edge for low, high, _ in legend for edge in (low, high)]
    for decimals in range(1, 10):
        if all(abs(round(edge, decimals) - edge) <= 1e-9 * max(1.0, abs(edge))
               for edge in edges):
            return decimals
    return 10
