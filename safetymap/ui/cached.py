"""Cache the heavier computations at the page edge, keyed by what they depend on.

The dataset and the reports (a loaded frame, or the store at one revision) are shared by
every session (``st.cache_resource``) and are not hashed: their key is ``ReportCounts.key``,
which changes when the data does (a reload, an ingest). Every other input is an argument,
so the cache key never lies. With a store, a cached answer saves a query per rerun.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata import DISTRICTS
from loaders.counts import ReportCounts, Slot
from loaders.source import Dataset
from loaders.store.actions import Action
from safetymap.agencies import Agency
from safetymap.analysis.coverage import (
    ReportSummary,
    coverage_table,
    gap_ranking,
    lsoa_gap_ranking,
    summary_of_counts,
)
from safetymap.analysis.filters import Filters, filter_survey
from safetymap.analysis.open_now import Place, place_choices
from safetymap.analysis.patrol import HotspotAnalysis, analyse_hotspots
from safetymap.analysis.patrol import top_places as patrol_top_places
from safetymap.disclosure import PartnerRelease, partner_coverage
from safetymap.disclosure import partner_release as make_partner_release
from safetymap.reports.actions import ActionList, build_action_list
from safetymap.reports.board_pack import BoardPack, build_board_pack
from safetymap.roles import SMALL_BASE, Role


@st.cache_data(show_spinner=False, max_entries=256)
def counts(
    _reports: ReportCounts, key: str, filters: Filters, by: tuple[str, ...],
    resolution: int = 9, slot: Slot | None = None,
) -> pd.DataFrame:
    """Return ``ReportCounts.count`` of a selection (shared by every session)."""
    return _reports.count(filters, by, resolution=resolution, slot=slot)


@st.cache_data(show_spinner="Reading the selected reports…", max_entries=16)
def selected_reports(
    _reports: ReportCounts, key: str, filters: Filters, slot: Slot | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Return the selected reports themselves, the first ``limit`` (shared by every session).

    Pages ask for a limited number: the records table shows 5,000 and the map draws dots
    for 2,000 at most, so no cached frame holds a large selection.
    """
    return _reports.rows(filters, slot=slot, limit=limit)


@st.cache_data(show_spinner="Counting the selected reports…", max_entries=32)
def report_summary(_reports: ReportCounts, key: str, filters: Filters) -> ReportSummary:
    """Return what coverage needs to know about the selected reports, from counts."""
    return summary_of_counts(_reports, filters)


@st.cache_data(show_spinner="Working out coverage…", max_entries=32)
def coverage_results(
    _dataset: Dataset, _reports: ReportCounts, key: str, filters: Filters, *, role: Role
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return the coverage table, the district gap ranking and the LSOA gap ranking.

    For partners the survey counts in the ranking only when every district's base is at
    least 50: its reasons quote after-dark percentages, which partners may not see below.
    """
    reports = report_summary(_reports, key, filters)
    survey = filter_survey(_dataset.survey.frame, filters)
    services = _dataset.services.frame
    table = coverage_table(reports, services)
    if role == "partner" and len(survey):
        bases = survey.groupby("district_code")["safe_after_dark"].count()
        if len(bases) < len(DISTRICTS) or bases.min() < SMALL_BASE:
            survey = survey.iloc[0:0]
    ranked = table
    shown_reports: dict[str, int | None] | None = None
    if role == "partner":  # the score, rank, shading and reasons use only what partners see
        per_district = _reports.count(filters, ("district_code",))
        protected = partner_coverage(table, dict(zip(
            per_district["district_code"], per_district["reports"], strict=True)))
        ranked = table.assign(
            reports_when_closed_pct=pd.to_numeric(protected["reports_when_closed_pct"]),
            report_nearest_km_median=pd.to_numeric(protected["report_nearest_km_median"]),
        )
        release = partner_release(_reports, key)
        shown_reports = {code: release.reports_value((code,), filters.start, filters.end)
                         for code in DISTRICTS}
    ranking = gap_ranking(reports, services, survey if len(survey) else None, table=ranked,
                          district_reports=shown_reports)
    lsoas = lsoa_gap_ranking(reports, services)
    return table, ranking, lsoas


@st.cache_data(show_spinner="Testing for hot spots…", max_entries=64)
def hotspot_analysis(
    _reports: ReportCounts, key: str, filters: Filters, resolution: int | None,
    slot: Slot | None,
) -> HotspotAnalysis:
    """Return the hotspot analysis of a selection (shared by every session); a resolution
    of None is chosen from the data. Its places are not listed: :func:`top_places` does
    that, after the page has drawn the map."""
    return analyse_hotspots(_reports, filters, resolution=resolution, slot=slot, places=None)


@st.cache_data(show_spinner="Listing the places to patrol…", max_entries=64)
def top_places(_reports: ReportCounts, key: str, filters: Filters,
               slot: Slot | None) -> pd.DataFrame:
    """Return the selection's top places to patrol (shared by every session)."""
    return patrol_top_places(_reports, filters, slot=slot)


@st.cache_resource(show_spinner="Protecting small numbers for partners…", max_entries=4)
def partner_release(_reports: ReportCounts, key: str) -> PartnerRelease:
    """Return every count partners can get, protected together, once per data revision."""
    return make_partner_release(_reports)


@st.cache_data(show_spinner="Working out the county picture…", max_entries=32)
def board_pack(
    _dataset: Dataset, _reports: ReportCounts, key: str, filters: Filters, role: Role,
    actions: tuple[Action, ...] | None = None,
) -> BoardPack:
    """Return the board pack of a selection for a role (shared by every session).

    ``actions`` is the problem-solving log (None: there is none); as an argument, a change
    to the log is a new cache key.
    """
    release = partner_release(_reports, key) if role == "partner" else None
    return build_board_pack(_dataset, filters=filters, role=role, reports=_reports,
                            release=release, actions=actions)


@st.cache_resource(show_spinner=False)
def open_now_places() -> tuple[Place, ...]:
    """Return the places to choose for "what is open near here" (the shipped geography)."""
    return place_choices()


@st.cache_data(show_spinner="Finding the places for this agency…", max_entries=64)
def action_list(
    _dataset: Dataset, _reports: ReportCounts, key: str, filters: Filters, agency: Agency,
    role: Role,
) -> ActionList:
    """Return an agency's action list of a selection for a role (shared by every session)."""
    return build_action_list(_reports, filters, agency, role=role,
                             synthetic=_dataset.synthetic, origin=_dataset.origin)
