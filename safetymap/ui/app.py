"""Load the data once per server, draw the shared sidebar, and give pages their context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geodata import DISTRICTS, load_districts, load_population
from loaders.counts import ReportCounts
from loaders.source import Dataset, DataSource, SourceError
from loaders.store import Store, open_store
from loaders.vocab import REASONS, TIME_OF_DAY
from safetymap import audit
from safetymap.agencies import AgencyMap, read_agency_map
from safetymap.analysis.filters import (
    QUERY_KEYS,
    QUICK_PERIODS,
    Filters,
    filters_from_query,
    quick_period,
)
from safetymap.analysis.rates import rates_of_counts
from safetymap.datasource import SYNTHETIC_LABEL, report_counts, source_from_settings
from safetymap.disclosure import PARTNER_QUICK_PERIODS, partner_filters, quick_months
from safetymap.maps.assets import AssetsError
from safetymap.maps.base import MapStyle
from safetymap.roles import Role
from safetymap.settings import Settings, SettingsError, load_settings
from safetymap.ui import cached
from safetymap.ui.auth import Viewer, local_viewer, signed_in_viewer
from safetymap.ui.state import Keys
from safetymap.ui.text import escape_markdown


@dataclass(frozen=True)
class PageContext:
    """What every page reads: settings, map style, the data and the chosen filters.

    ``reports`` is where StreetSafe reports are counted: the loaded frame, or the store
    (whose reports are not loaded: ``dataset.streetsafe.frame`` is then empty). Pages
    count and select reports through it, never through the dataset's frame. ``agencies``
    says who can act on each reason (``SAFETYMAP_AGENCIES``).
    """

    settings: Settings
    style: MapStyle
    dataset: Dataset
    reports: ReportCounts
    filters: Filters
    viewer: Viewer
    agencies: AgencyMap

    @property
    def role(self) -> Role:
        """Return the viewer's role."""
        return self.viewer.role


# Two entries: a store's source changes with every ingest, and the old data must go.
@st.cache_resource(show_spinner="Loading and checking the data…", max_entries=2)
def load_data(source: DataSource) -> tuple[Dataset, ReportCounts]:
    """Load the data source once per server process; every session shares the result."""
    dataset = source.load()
    return dataset, report_counts(source, dataset)


@st.cache_resource(show_spinner=False)
def opened_store(url: str) -> Store:
    """Open a store (checking, creating or upgrading its tables) once per server process.

    A store that cannot be opened raises, and nothing is cached: the next run tries again.
    """
    return open_store(url)


@st.cache_resource
def geography() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the shipped districts and population, read once per server."""
    return load_districts(), load_population()


def _fail(message: str) -> None:
    st.error(escape_markdown(message))
    st.stop()


def _event_range(reports: ReportCounts) -> tuple[date, date]:
    span = reports.span(Filters())
    if span is None:
        today = date.today()
        return today, today
    return span


def _initialise_from_link(bounds: tuple[date, date]) -> None:
    """Put the filters of the URL into the widgets, once per session."""
    if st.session_state.get(Keys.INITIALISED):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    filters, problems = filters_from_query(params)
    st.session_state[Keys.DISTRICTS] = list(filters.districts)
    start = filters.start or bounds[0]
    end = filters.end or bounds[1]
    st.session_state[Keys.DATES] = (start, end)
    st.session_state[Keys.TIMES] = list(filters.times_of_day)
    st.session_state[Keys.REASONS] = list(filters.reasons)
    st.session_state[Keys.LINK_PROBLEMS] = problems
    st.session_state[Keys.INITIALISED] = True


def _set_period(period: tuple[date, date]) -> None:
    st.session_state[Keys.DATES] = period


def sidebar_filters(reports: ReportCounts, role: Role = "analyst") -> Filters:
    """Draw the shared filters once, keep them in the URL, and return them.

    Partners get the lattice of :mod:`safetymap.disclosure`: whole calendar months (the
    chosen days are widened, and the sidebar says so), quick periods in whole months, and
    no time-of-day or reason filter.
    """
    bounds = _event_range(reports)
    _initialise_from_link(bounds)
    partner = role == "partner"
    quick_periods = PARTNER_QUICK_PERIODS if partner else QUICK_PERIODS
    quick_of = quick_months if partner else quick_period
    with st.sidebar:
        st.header("Filters")
        st.multiselect(
            "Districts", options=list(DISTRICTS), format_func=DISTRICTS.__getitem__,
            key=Keys.DISTRICTS, placeholder="All ten districts",
        )
        st.date_input(
            "Period (when people felt unsafe)", key=Keys.DATES, format="DD/MM/YYYY",
            help="Reports whose time falls in these days, first and last included.",
        )
        quick = st.columns(2, gap="small")
        for number, (label, days) in enumerate(quick_periods.items()):
            quick[number % 2].button(
                label, key=f"filters.quick.{'m' if partner else ''}{days or 'all'}",
                width="stretch", on_click=_set_period, args=(quick_of(bounds, days),),
                help=(f"Whole months up to {bounds[1]:%B %Y}, the month of the latest report."
                      if partner else
                      f"Up to {bounds[1]:%d/%m/%Y}, the day of the latest report."),
            )
        if not partner:
            st.multiselect(
                "Time of day", options=list(TIME_OF_DAY), format_func=TIME_OF_DAY.__getitem__,
                key=Keys.TIMES, placeholder="Any time",
            )
            st.multiselect(
                "Reasons", options=list(REASONS), format_func=REASONS.__getitem__,
                key=Keys.REASONS, placeholder="Any reason",
                help="Reports giving any of the chosen reasons.",
            )
        for problem in st.session_state.get(Keys.LINK_PROBLEMS, []):
            st.warning(f"Part of the link was ignored: {escape_markdown(problem)}")
    dates = tuple(st.session_state.get(Keys.DATES) or ())
    start = dates[0] if len(dates) > 0 else None
    end = dates[1] if len(dates) > 1 else None
    filters = Filters(
        districts=tuple(st.session_state[Keys.DISTRICTS]),
        start=start,
        end=end,
        times_of_day=tuple(st.session_state[Keys.TIMES]),
        reasons=tuple(st.session_state[Keys.REASONS]),
    )
    if partner:
        filters, changes = partner_filters(filters)
        with st.sidebar:
            for change in changes:
                st.caption(change)
    # Only the filters' own parameters: others in the link (presentation mode) stay.
    wanted = filters.to_query()
    for name in QUERY_KEYS.values():
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]
    return filters


def data_banner(dataset: Dataset) -> None:
    """Say on every page where the data comes from; synthetic data says so first."""
    if dataset.synthetic:
        st.info(f"**{SYNTHETIC_LABEL}.** {escape_markdown(dataset.origin)}",
                icon=":material/science:")
    else:
        st.caption(f"Data: {escape_markdown(dataset.origin)}")


def start() -> PageContext:
    """Read settings, load data and draw the shared sidebar; stop with a message on failure."""
    try:
        settings = load_settings()
        agencies = read_agency_map(settings.agencies)  # checked at start, like the settings
        signed_in = signed_in_viewer(settings)
        style = MapStyle.from_settings(settings)
        source = source_from_settings(settings, opener=opened_store)
        dataset, reports = load_data(source)
        viewer = signed_in or local_viewer(settings, dataset)
        viewer = replace(viewer, agency=agencies.resolve(
            viewer.agency, "SAFETYMAP_AGENCY_MAP" if viewer.signed_in else "SAFETYMAP_AGENCY"))
        filters = sidebar_filters(reports, viewer.role)
    except (SettingsError, SourceError, AssetsError, ValueError) as error:
        _fail(str(error))
        raise  # unreachable: st.stop() ends the run
    context = PageContext(
        settings=settings, style=style, dataset=dataset, reports=reports, filters=filters,
        viewer=viewer, agencies=agencies,
    )
    st.session_state[Keys.CONTEXT] = context
    return context


def _leave_legacy_multipage_mode() -> None:
    """Rerun through ``dashboard.py`` when Streamlit ran a page of ``pages/`` by itself.

    With a ``pages/`` folder beside the main script, Streamlit runs a fresh server's first
    request in its legacy multipage mode until ``st.navigation`` has been called once: a
    first visitor opening ``/hotspots`` directly would get that page without the
    navigation, page settings or layout of ``dashboard.py``. Switching the flag off and
    rerunning sends the request through ``dashboard.py`` (to the same page).
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def context() -> PageContext:
    """Return the context ``dashboard.py`` prepared for this run, and say where data is from.

    Every page starts with this call, so every page carries the data banner (and the
    "Synthetic demo data" label) at its top.
    """
    _leave_legacy_multipage_mode()
    found = st.session_state.get(Keys.CONTEXT)
    if not isinstance(found, PageContext):
        found = start()
    data_banner(found.dataset)
    return found


def action_store(context: PageContext) -> Store | None:
    """Return the store the problem-solving log is kept in; None when there is none.

    The shared store when one is set; with the built-in demo data, a GeoPackage in the
    cache folder (so that the demo shows the log); with a folder of exports, none.
    """
    settings = context.settings
    if settings.store is not None:
        return opened_store(settings.store)
    if settings.data_dir is None and context.dataset.synthetic:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        return opened_store(str(settings.cache_dir / "demo-actions.gpkg"))
    return None


def audited_download(
    context: PageContext, what: str, make: Callable[[], bytes]
) -> Callable[[], bytes]:
    """Wrap a download's data function so that each download is written to the audit log."""

    def build() -> bytes:
        data = make()
        audit.record(
            context.settings.audit_path(), "export", user=context.viewer.user,
            role=context.role,
            detail=f"{what}; filters {context.filters.to_query() or 'none'}",
        )
        return data

    return build


def district_figures(
    context: PageContext,
) -> tuple[pd.DataFrame, dict[str, str] | None, str | None]:
    """Return the districts' reports per 1,000 residents of the selection, as the role sees them.

    The rates (:func:`safetymap.analysis.rates.rates_of_counts`), and for partners each
    district's count and the selection's count from the one protected release
    (:mod:`safetymap.disclosure`), else None: shared by the County map and the Board
    overview, so that both show the same figures.
    """
    _, population = geography()
    per_district = cached.counts(context.reports, context.reports.key, context.filters,
                                 ("district_code",))
    rates = rates_of_counts(per_district, population)
    if context.role != "partner":
        return rates, None, None
    release = cached.partner_release(context.reports, context.reports.key)
    period = (context.filters.start, context.filters.end)
    texts = {code: release.reports((code,), *period) for code in rates["district_code"]}
    return rates, texts, release.reports(context.filters.districts, *period)

