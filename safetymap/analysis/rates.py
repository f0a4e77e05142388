"""Count StreetSafe reports per district and per 1,000 residents."""

from __future__ import annotations

from typing import NamedTuple

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


class RateClass(NamedTuple):
    """One class of a rate legend: its place on a five-step scale and the rates in it."""

    level: int
    """0 (lowest) to 4 (highest), the step of a five-colour scale the class is drawn in."""
    low: float
    """The lowest rate in the class."""
    high: float
    """The highest rate in the class."""
    words: str
    """What the class is called in a legend ("Highest", "This district"...)."""


#: Class names by number of classes; five classes use :data:`CLASS_WORDS`.
_WORDS_FOR = {
    2: ("Lower", "Higher"),
    3: ("Low", "Middle", "High"),
    4: ("Lowest", "Low", "High", "Highest"),
    5: CLASS_WORDS,
}


def rate_classes(
    values: pd.Series, *, classes: int = 5
) -> tuple[pd.Series, list[RateClass]]:
    """Return each value's step on a five-step scale and the legend's classes, lowest first.

    Classes are quantiles of the distinct values: the distinct values, in order, are split
    into ``min(classes, how many there are)`` runs as even as can be, so that no class is
    empty and districts with the same rate share a class. Each class spans the lowest to the
    highest value in it (a legend of ten districts reads "Highest: 3.20 to 4.05", never a
    range no district is in). One value gives one class, "This district"; several equal
    values one class, "Every district shown". The steps spread the classes over the five
    colours, lowest to highest.

    Parameters
    ----------
    values
        Rates, one per district shown (missing values are left out of the legend and get
        step 0).
    classes
        Most classes to make, 2 to 5.
    """
    if not 2 <= classes <= len(CLASS_WORDS):
        raise ValueError(f"`classes` must be 2 to {len(CLASS_WORDS)}, got {classes}.")
    known = values.dropna()
    distinct = np.unique(known.to_numpy(dtype=float))
    k = min(classes, len(distinct))
    if k == 0:
        return pd.Series(0, index=values.index, dtype="int64"), []
    rank_class = {value: i * k // len(distinct) for i, value in enumerate(distinct)}
    steps = [2] if k == 1 else [round(float(x)) for x in np.linspace(0, 4, k)]
    words = (
        ("This district" if len(known) == 1 else "Every district shown",) if k == 1
        else _WORDS_FOR[k]
    )
    legend = []
    for c in range(k):
        members = [value for value in distinct if rank_class[value] == c]
        legend.append(RateClass(steps[c], float(members[0]), float(members[-1]), words[c]))
    level = values.map(lambda v: 0 if pd.isna(v) else steps[rank_class[float(v)]])
    return level.astype("int64"), legend
