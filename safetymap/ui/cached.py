"""Cache the heavier pure computations at the page edge, keyed by what they depend on.

The dataset is shared by every session (``st.cache_resource``) and is not hashed: its key
is ``data_key``, the identity of the loaded dataset, which changes when it is reloaded.
Every other input is an argument, so the cache key never lies.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata import DISTRICTS
from loaders.source import Dataset
from safetymap.analysis.coverage import coverage_table, gap_ranking, lsoa_gap_ranking
from safetymap.analysis.filters import Filters, filter_reports, filter_survey
from safetymap.analysis.hotspots import report_cells
from safetymap.analysis.patrol import HotspotAnalysis, Slot, analyse_hotspots
from safetymap.roles import SMALL_BASE, Role


def data_key(dataset: Dataset) -> str:
    """Return the cache key of a loaded dataset."""
    return f"{id(dataset)}:{dataset.origin}"


@st.cache_data(show_spinner="Working out coverage…", max_entries=32)
def coverage_results(
    _dataset: Dataset, key: str, filters: Filters, *, role: Role
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return the coverage table, the district gap ranking and the LSOA gap ranking.

    For partners the survey counts in the ranking only when every district's base is at
    least 50: its reasons quote after-dark percentages, which partners may not see below.
    """
    reports = filter_reports(_dataset.streetsafe.frame, filters)
    survey = filter_survey(_dataset.survey.frame, filters)
    services = _dataset.services.frame
    table = coverage_table(reports, services)
    if role == "partner" and len(survey):
        bases = survey.groupby("district_code")["safe_after_dark"].count()
        if len(bases) < len(DISTRICTS) or bases.min() < SMALL_BASE:
            survey = survey.iloc[0:0]
    ranking = gap_ranking(reports, services, survey if len(survey) else None, table=table)
    lsoas = lsoa_gap_ranking(reports, services)
    return table, ranking, lsoas


@st.cache_data(show_spinner=False, max_entries=4)
def report_cell_ids(_dataset: Dataset, key: str, resolution: int) -> pd.Series:
    """Return the H3 cell of every report, worked out once per dataset and resolution."""
    return report_cells(_dataset.streetsafe.frame, resolution=resolution)


@st.cache_data(show_spinner="Testing for hot spots…", max_entries=64)
def hotspot_analysis(
    _dataset: Dataset, key: str, filters: Filters, resolution: int, slot: Slot | None
) -> HotspotAnalysis:
    """Return the hotspot analysis of a selection (shared by every session)."""
    return analyse_hotspots(
        _dataset.streetsafe.frame, filters, resolution=resolution, slot=slot,
        cell_ids=report_cell_ids(_dataset, key, resolution),
    )
