"""Show the "Outreach points: help without a building" section of the Coverage gaps page.

A page section, not a page: it reads the page's context, calls the pure functions of
:mod:`safetymap.analysis.outreach`, and renders. Partners get the partners' hot spots
(county-wide, one calendar quarter, as areas with no count: ``safetymap.disclosure``).
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from safetymap.analysis.filters import filter_survey
from safetymap.analysis.hotspots import PARTNER_RESOLUTION
from safetymap.analysis.outreach import (
    REACH_M,
    REACH_NOTE,
    hot_spot_areas,
    hot_spot_cells,
    outreach_reach,
    points_in_place,
)
from safetymap.disclosure import (
    SMALL_BASE,
    partner_hotspot_filters,
    partner_quarter,
    partner_survey_filters,
    quarter_words,
)
from safetymap.maps.outreach import outreach_map
from safetymap.present.tables import outreach_gap_table
from safetymap.ui import app, cached
from safetymap.ui.app import PageContext

TITLE = "Outreach points: help without a building"


def _share_words(reached: int, whole: int, share: float, *, partner: bool) -> str:
    if not whole:
        return "-"
    if partner:  # to 10%, as partners' other shares
        return f"{round(share * 10) / 10:.0%}"
    return f"{share:.0%}"


def render_outreach(context: PageContext) -> None:
    """Draw the outreach section: the map, the two shares and the hot spots without one."""
    role = context.role
    partner = role == "partner"
    st.subheader(TITLE)
    outreach = context.dataset.outreach.frame
    if outreach.empty:
        st.info("No outreach points are loaded (an outreach*.csv or .xlsx file in the data "
                "folder: QR-code posters, leaflet points, drop-ins).")
        return
    filters = context.filters
    when_words = "the period chosen"
    if partner:
        quarter = partner_quarter(context.reports, filters.end)
        filters = partner_hotspot_filters(quarter)
        when_words = quarter_words(quarter) if quarter else "the data"
    analysis = cached.hotspot_analysis(context.reports, context.reports.key, filters,
                                       PARTNER_RESOLUTION if partner else None, None)
    result = analysis.result
    cells = result.cells if result.reliable else result.cells[:0]
    hot_spots = hot_spot_areas(cells) if partner else hot_spot_cells(cells)
    points = points_in_place(outreach, filters.start, filters.end)
    survey_filters = partner_survey_filters(context.filters) if partner else context.filters
    survey = filter_survey(context.dataset.survey.frame, survey_filters)
    concern = gpd.GeoSeries(survey.geometry, crs=context.dataset.survey.frame.crs).dropna()
    reach = outreach_reach(hot_spots, concern, gpd.GeoSeries(points.geometry,
                                                             crs=outreach.crs))

    districts, _ = app.geography()
    st_folium(
        outreach_map(points, hot_spots, list(reach.reached), districts, style=context.style,
                     partner=partner, focus=context.filters.districts),
        height=520, use_container_width=True, returned_objects=[], key="outreach_map",
    )
    spots, places = st.columns(2)
    spots.metric(
        f"Hot spots with an outreach point within {REACH_M:.0f} m",
        _share_words(reach.hot_spots_reached, reach.hot_spots, reach.hot_spot_share,
                     partner=partner),
        help="Share of the hot spots of the hot spot test (hexagons; for partners, hot spot "
             "areas of one calendar quarter over the county) with a point in place nearby.",
    )
    spot_words = "hot spot area" if partner else "hot spot hexagon"
    spots.caption(f"{reach.hot_spots_reached} of {reach.hot_spots} {spot_words}s, "
                  f"{when_words}; {reach.points} outreach point(s) in place then.")
    if partner and reach.places < SMALL_BASE:
        places.metric(f"Places named in the survey with a point within {REACH_M:.0f} m", "-")
        places.caption(f"Fewer than {SMALL_BASE} places are named in this selection: no "
                       "share is shown to partners.")
    else:
        places.metric(
            f"Places named in the survey with a point within {REACH_M:.0f} m",
            _share_words(reach.places_reached, reach.places, reach.place_share,
                         partner=partner),
            help="Share of the places respondents named as unsafe, in the districts and "
                 "period chosen, with an outreach point in place nearby.",
        )
        places.caption(f"{reach.places_reached} of {reach.places} places named."
                       if not partner else f"{reach.places} places named.")
    st.caption(REACH_NOTE)

    st.markdown(f"**Hot spots without an outreach point within {REACH_M:.0f} m: where to "
                "put the next poster**")
    if not result.reliable or reach.hot_spots == 0:
        st.write("No hot spot in this selection." if not partner else
                 f"No hot spot area in the county in {when_words}.")
    elif reach.unreached.empty:
        st.write(f"Every hot spot has an outreach point within {REACH_M:.0f} m.")
    else:
        st.dataframe(outreach_gap_table(reach.unreached, role), hide_index=True,
                     width="stretch")
        st.caption("Busiest first (most reports)." if not partner else
                   "Hot spot areas as numbered on the Hotspots map (each holds 5 reports "
                   "or more); no count is shown to partners.")
