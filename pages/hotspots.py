"""Hotspots: where reports cluster more than chance, when, why, and what has changed."""

from dataclasses import replace

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geodata import DISTRICTS
from safetymap.analysis.filters import Filters
from safetymap.analysis.hotspots import (
    CHANGE_DEFINITIONS,
    HOTSPOT_DEFINITION,
    PARTNER_RESOLUTION,
    WEEKDAYS,
)
from safetymap.analysis.patrol import Slot, area_name, heat_points, prediction_words
from safetymap.analysis.places import standing_window
from safetymap.disclosure import (
    partner_hotspot_filters,
    partner_hotspot_quarter,
    quarter_words,
    quarters_in,
)
from safetymap.maps.hotspots import (
    MAX_PLAIN_CELLS,
    MAX_POINTS,
    PLAIN_CELLS_LEFT_OFF,
    hotspot_layer,
    hotspot_map,
)
from safetymap.present import tables
from safetymap.present.wording import places_note
from safetymap.reports.briefing import Briefing, briefing_html, briefing_pdf, build_briefing
from safetymap.roles import SMALL_COUNT, count_text, sees_points
from safetymap.ui import app, cached

#: Hexagon sizes offered; 0 chooses the size from the density of the selection.
AUTOMATIC = 0
CELL_SIZES = {AUTOMATIC: "Automatic (from the data)", 8: "Large (about 920 m across)",
              9: "Medium (about 350 m across)", 10: "Small (about 130 m across)"}
ANY = "Any"
CHART_KEY = "hotspots.when_chart"
APPLIED_KEY = "hotspots.applied_pick"
#: Above this many report dots they are drawn small and see-through.
SMALL_POINTS_ABOVE = 200

context = app.context()
role = context.role
districts, _ = app.geography()
dataset = context.dataset
reports = context.reports

st.title("Hotspots: where and when people feel unsafe")
# A click on the day-by-hour chart (further down) picks the slot: apply a new pick to the
# selectors before they are drawn, once, so the selectors can still change it afterwards.
pick = (st.session_state.get(CHART_KEY) or {}).get("selection", {}).get("slot") or []
if pick and pick != st.session_state.get(APPLIED_KEY):
    st.session_state["hotspots.day"] = pick[0]["Day"]
    st.session_state["hotspots.hour"] = int(pick[0]["Hour"])
    st.session_state[APPLIED_KEY] = pick
partner = role == "partner"
size_col, day_col, hour_col, layer_col = st.columns([2, 1, 1, 2])
filters = context.filters
if partner:
    # Hot spot areas and places are off the partners' release: they get them by calendar
    # quarter and for the whole county only, so that no two views nest
    # (safetymap.disclosure.partner_hotspot_filters). The districts chosen move the map.
    quarters = quarters_in(reports.span(Filters()))
    quarter = size_col.selectbox(
        "Quarter", quarters, index=partner_hotspot_quarter(quarters, filters.end),
        format_func=quarter_words, key="hotspots.quarter",
    ) if quarters else None
    filters = partner_hotspot_filters(quarter)
    resolution: int | None = PARTNER_RESOLUTION
else:
    picked = size_col.selectbox("Hexagon size", list(CELL_SIZES), index=0,
                                format_func=CELL_SIZES.__getitem__, key="hotspots.resolution")
    resolution = None if picked == AUTOMATIC else picked
if partner:  # hour slots are not on the partners' lattice (safetymap.disclosure)
    day, hour = ANY, ANY
else:
    day = day_col.selectbox("Day", [ANY, *WEEKDAYS], key="hotspots.day")
    hour = hour_col.selectbox("Hour", [ANY, *range(24)], key="hotspots.hour",
                              format_func=lambda h: h if h == ANY else f"{h:02d}:00-{h:02d}:59")
# Partners get no heat layer: its weights are counts of single hexagons.
show_heat = not partner and layer_col.checkbox("Heat layer (for the eye, not a test)",
                                               key="hotspots.heat")
slot = (
    Slot(WEEKDAYS.index(day), int(hour)) if ANY not in (day, hour) else None
)
if (day == ANY) != (hour == ANY):
    st.caption("Choose both a day and an hour to narrow the map to that slot.")

analysis = cached.hotspot_analysis(reports, reports.key, filters, resolution, slot)
result = analysis.result
if not result.reliable and not partner:
    # Partners are not told that a selection was too small to test: that would say it
    # holds fewer than 5 reports. For them it reads as any selection with no hot spot.
    st.warning(result.message)

drawable = analysis.result.cells
layer = hotspot_layer(drawable, analysis.profiles, role=role, reliable=result.reliable)
points = None
if sees_points(role) and analysis.selected_reports <= MAX_POINTS:
    points = cached.selected_reports(reports, reports.key, context.filters, slot, MAX_POINTS)
m = hotspot_map(
    layer, districts, style=context.style, role=role, reliable=result.reliable,
    heat_points=heat_points(result.cells, role=role) if show_heat else None,
    report_points=points,
    focus=context.filters.districts,
    # Many dots would hide the hexagons they are compared with: small, see-through ones.
    small_points=points is not None and len(points) > SMALL_POINTS_ABOVE,
)
st_folium(m, height=620, use_container_width=True, returned_objects=[], key="hotspot_map")
slot_words = f", {day}s {int(hour):02d}:00-{int(hour):02d}:59" if slot else ""
if partner:
    release = cached.partner_release(reports, reports.key)
    county_text = release.reports((), filters.start, filters.end)
    when_words = quarter_words(quarter) if quarter else "the data"
    st.caption(f"Hot spot areas of {when_words}, tested over the whole county: "
               f"{county_text} reports in the county in that quarter (counts from 1 to 4 "
               "read \"<5\", and counts that would give one away read \"hidden\").")
    areas = len(layer)
    chosen_words = ""
    if areas and context.filters.districts:
        # How many of the county's areas touch the districts chosen (the map shows those).
        chosen = districts[districts["code"].isin(context.filters.districts)]
        touching = int(layer.to_crs(chosen.crs).intersects(chosen.union_all()).sum())
        chosen_words = (f" {touching if touching else 'None'} of them in "
                        f"{area_name(context.filters.districts)}.")
    st.caption(
        (f"{areas} hot spot area{'' if areas == 1 else 's'} in the county.{chosen_words} "
         if areas else "No hot spot area in the county in this quarter. ")
        + "Partners see hot spot areas only: each hot hexagon with the six around it, "
        f"joined up, so that each area holds {SMALL_COUNT} or more reports; no count, "
        "reason or time of a hexagon. Hot spots are by calendar quarter and for the whole "
        "county for partners, so that no two views can be set against each other; the "
        "districts chosen in the sidebar only move the map."
    )
else:
    st.caption(
        f"{analysis.selected_reports:,} report{'' if analysis.selected_reports == 1 else 's'} "
        f"in the selection{slot_words}; "
        + (f"{result.occupied_cells:,} hexagons hold at least one. "
           if result.occupied_cells != 1 else "1 hexagon holds them. ")
        + ("Individual reports are drawn as dots (a small selection)." if points is not None
           else "")
    )
    st.caption(analysis.scale.reason)
if ((drawable["reports"] > 0) | (drawable["hotspot"] != "none")).sum() > MAX_PLAIN_CELLS:
    st.caption(PLAIN_CELLS_LEFT_OFF.format(limit=MAX_PLAIN_CELLS))
with st.expander("What the colours mean"):
    st.write(HOTSPOT_DEFINITION)

st.subheader("Top places to patrol")
places = cached.top_places(reports, reports.key, filters, slot)  # after the map is drawn
if partner and context.filters.districts:
    chosen_names = {DISTRICTS[code] for code in context.filters.districts}
    places = places[places["district"].isin(chosen_names)]
place_table = tables.top_places_table(places, role)
if place_table.empty and partner:  # the same words whether a district has a few reports or none
    st.write(f"No place holds {SMALL_COUNT} or more reports in this selection; partners see "
             "places only from that many.")
elif places.empty:
    st.write("No report in this selection, so no place to list.")
else:
    # A static table wraps its text: every column stays in view, none cut off.
    st.table(place_table.astype({"Rank": str}).style.format(precision=5), hide_index=True,
             border="horizontal")
st.caption(places_note(
    tested=result.reliable,
    hot_spots=int(result.cells["hotspot"].str.startswith("hot_").sum()),
    window=standing_window(analysis.period[1]) if analysis.period else None, role=role,
))

st.subheader("When: reports by day and hour")
if partner:
    # Partners: weekday by time-of-day band at most, and no exact count in it (a count
    # off the protected release could be differenced): 0, "<5" or "5 or more".
    when_filters = replace(filters, districts=context.filters.districts)
    bands = cached.counts(reports, reports.key, when_filters, ("event_weekday", "time_of_day"))
    st.dataframe(tables.partner_when_table(bands), width="stretch")
    st.caption(f"For partners: reports by weekday and time of day in {when_words}, in "
               f"{area_name(context.filters.districts)}, each as \"5 or more\" or "
               "\"fewer than 5\" (none included).")
    st.subheader("Patrol briefing")
    st.write("Patrol briefings are for Safer Neighbourhood Teams and analysts; partners "
             "have the board pack on the Board overview page.")
    st.stop()
shown_when = tables.when_table(analysis.when, role)
when = analysis.when.reset_index(names="Day").melt(id_vars="Day", var_name="Hour",
                                                   value_name="Reports")
when["Shown"] = shown_when.reset_index(names="Day").melt(
    id_vars="Day", var_name="Hour", value_name="Shown")["Shown"].to_numpy()
# A count hidden from the role is not coloured either: its square stays blank.
when["Reports"] = when["Reports"].where([text[0].isdigit() for text in when["Shown"]])
when["Hour"] = when["Hour"].astype(int)
when["Chosen"] = (when["Day"] == day) & (when["Hour"] == (hour if hour != ANY else -1))
slot_pick = alt.selection_point(name="slot", fields=["Day", "Hour"], on="click")
heat = (
    alt.Chart(when)
    .mark_rect(stroke="#000000")
    .encode(
        x=alt.X("Hour:O", title="Hour of the day (local time)"),
        y=alt.Y("Day:N", sort=list(WEEKDAYS), title=None),
        color=alt.Color("Reports:Q", scale=alt.Scale(scheme="viridis", reverse=True),
                        title="Reports"),
        strokeWidth=alt.condition(alt.datum.Chosen, alt.value(3), alt.value(0)),
        tooltip=["Day", "Hour", alt.Tooltip("Shown:N", title="Reports")],
    )
    .add_params(slot_pick)
    .properties(height=230)
)
st.altair_chart(heat, width="stretch", on_select="rerun", key=CHART_KEY)
st.caption(
    "Reports with a known time of the incident, in the filters' period. Click a square, or "
    "choose a day and an hour above, to test only that slot (the chosen slot is outlined)."
)
with st.expander("The same figures as a table"):
    st.dataframe(shown_when, width="stretch")

st.subheader("What changed since the previous period")
if analysis.previous is None:
    st.write("No period to compare.")
elif analysis.comparison_note:
    st.info(analysis.comparison_note)
else:
    before_from, before_to = analysis.previous
    st.caption(
        f"Compared with {before_from:%d %b %Y} to {before_to:%d %b %Y} "
        f"({count_text(analysis.previous_reports, role)} reports), the period of the same "
        "length just before."
    )
    st.dataframe(tables.change_summary(analysis.changes, CHANGE_DEFINITIONS),
                 hide_index=True, width="stretch")
    if analysis.prediction is not None:
        st.markdown("**Did last period's map predict this one?**")
        st.write(prediction_words(analysis.prediction, area_name(context.filters.districts),
                                  role))


st.subheader("Patrol briefing")
if not sees_points(role):
    st.write("Patrol briefings are for Safer Neighbourhood Teams and analysts; partners "
             "have the board pack on the Board overview page.")
elif len(context.filters.districts) != 1:
    st.write("Choose one district in the sidebar to make its patrol briefing.")
else:
    district = context.filters.districts[0]

    def _briefing() -> Briefing:
        return build_briefing(dataset, district=district, since=context.filters.start,
                              until=context.filters.end, role=role, resolution=resolution,
                              reports=reports)

    st.caption("One or two printable pages: map, top places, when, what changed, data note.")
    pdf_col, html_col = st.columns(2)
    pdf_col.download_button(
        "Download briefing (PDF)",
        app.audited_download(context, f"Patrol briefing PDF, {district}",
                             lambda: briefing_pdf(_briefing())),
        file_name=f"patrol_briefing_{district}.pdf", mime="application/pdf",
        on_click="ignore", key="hotspots.briefing.pdf",
    )
    html_col.download_button(
        "Download briefing (HTML)",
        app.audited_download(context, f"Patrol briefing HTML, {district}",
                             lambda: briefing_html(_briefing()).encode("utf-8")),
        file_name=f"patrol_briefing_{district}.html", mime="text/html",
        on_click="ignore", key="hotspots.briefing.html",
    )
