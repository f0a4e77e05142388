"""Coverage gaps: where and when support does not reach the people who feel unsafe."""

from datetime import datetime

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geodata import DISTRICTS
from loaders.vocab import SERVICE_CATEGORIES
from safetymap.analysis.coverage import (
    BANK_HOLIDAY_NOTE,
    DISTANCE_NOTE,
    HOURS_NOTE,
    SCORE_NOTE,
    bank_holiday_gap,
    hour_of_week_chart_data,
)
from safetymap.analysis.open_now import (
    EMERGENCY_NOTE,
    LONDON,
    OPEN_NOW_NOTE,
    bank_holiday_name,
    open_near,
)
from safetymap.maps.services import gap_shading, services_map
from safetymap.present import tables
from safetymap.ui import app, cached
from safetymap.ui.outreach import render_outreach
from safetymap.ui.state import Keys
from safetymap.ui.text import escape_markdown

#: The week's axis, shared by both charts so that they line up: a mark at each midnight,
#: named by its day.
WEEK_AXIS = alt.Axis(values=list(range(0, 168, 24)), grid=True,
                     labelExpr="['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']"
                               "[round(datum.value / 24)]")

context = app.context()
role = context.role
districts, _ = app.geography()
services = context.dataset.services.frame

st.title("Coverage gaps: where and when support does not reach people")
if services.empty:
    st.info("No support services are loaded, so coverage cannot be worked out.")
    render_outreach(context)
    st.stop()

table, ranking, lsoa_ranking = cached.coverage_results(
    context.dataset, context.reports, context.reports.key, context.filters, role=role
)

st.subheader("Districts ranked by need against access")
shade, shade_rows = gap_shading(ranking)
st_folium(
    services_map(services, districts, style=context.style, shade=shade,
                 shade_legend=("District shading: gap rank", shade_rows),
                 focus=context.filters.districts),
    height=520, use_container_width=True, returned_objects=[], key="services_map",
)
st.caption(
    "Districts shaded by gap rank (darker red = larger gap). Lettered circles are "
    "services with a place; refuges and the SARC appear only as the area they serve."
)
ranking_texts = None
if role == "partner":  # the district counts partners may see, from the one release
    release = cached.partner_release(context.reports, context.reports.key)
    ranking_texts = {code: release.reports((code,), context.filters.start, context.filters.end)
                     for code in ranking["district_code"]}
# A static table wraps its text: the reasons in words are read whole, not cut off.
st.table(tables.gap_ranking_table(ranking, role, reports_text=ranking_texts)
         .astype({"Rank": str}).style.format(precision=2), hide_index=True,
         border="horizontal")
st.caption(SCORE_NOTE)
if role == "partner" and ranking["reports_per_1000"].isna().all():
    st.caption("For partners, reports are left out of the need index for this period: some "
               "districts' counts are hidden in it (a district's reports are shown by whole "
               "quarter or over the whole period), and a rate or a rank made from a hidden "
               "count would give it away.")

st.subheader("One district, category by category")
choices = list(context.filters.districts) or ranking["district_code"].tolist()
district = st.selectbox(
    "District", options=choices, format_func=DISTRICTS.__getitem__, key="coverage.district"
)
district_reports = (release.reports_value((district,), context.filters.start,
                                           context.filters.end) if role == "partner" else None)
st.dataframe(
    tables.coverage_detail_table(table[table["district_code"] == district], role,
                                 district_reports=district_reports),
    hide_index=True, width="stretch",
)
st.caption(DISTANCE_NOTE)

st.subheader(f"Reports through the week against opening hours: {DISTRICTS[district]}")
reports = cached.report_summary(context.reports, context.reports.key, context.filters)
chart = hour_of_week_chart_data(reports, services, district)
open_columns = [c for c in chart.columns if c.startswith("open_")]
if role == "partner":  # hours of the week are not on the partners' lattice: no report marks
    chart = chart.assign(reports=0)
bars = (
    alt.Chart(chart)
    .mark_bar(color="#444444")
    .encode(
        x=alt.X("hour_of_week:Q", title=None, scale=alt.Scale(domain=[0, 168]),
                axis=WEEK_AXIS),
        y=alt.Y("reports:Q", title="Reports with a known time"),
        tooltip=["label", "reports"],
    )
    .properties(height=180)
)
opening = chart.melt(id_vars=["hour_of_week", "label"], value_vars=open_columns,
                     var_name="category", value_name="open")
opening["category"] = opening["category"].str.removeprefix("open_").map(
    lambda code: SERVICE_CATEGORIES.get(code, code)
)
strips = (
    alt.Chart(opening)
    .mark_rect()
    .encode(
        x=alt.X("hour_of_week:Q", scale=alt.Scale(domain=[0, 168]),
                title="Day of the week (each starts at 00:00 at its mark)", axis=WEEK_AXIS),
        x2=alt.X2("hour_end:Q"),
        y=alt.Y("category:N", title="Open (dark) or closed (light)",
                axis=alt.Axis(labelLimit=320)),
        color=alt.Color("open:Q", scale=alt.Scale(domain=[0, 1], range=["#f7f7f7", "#08519c"]),
                        legend=None),
        tooltip=[alt.Tooltip("label", title="When"),
                 alt.Tooltip("category:N", title="Service"),
                 alt.Tooltip("open:Q", format=".0%", title="Open")],
    )
    .transform_calculate(hour_end="datum.hour_of_week + 1")
    .properties(height=22 * max(len(open_columns), 1))
)
if role == "partner":
    st.altair_chart(strips, width="stretch")
    st.caption("For partners, the opening hours only: reports by hour of the week describe "
               "too few reports to show.")
else:
    st.altair_chart(alt.vconcat(bars, strips), width="stretch")
st.caption(HOURS_NOTE)
with st.expander("The same figures as a table"):
    shown = chart.copy()
    if role == "partner":
        shown = shown.drop(columns=["reports"])
    shown = shown.drop(columns=["hour_of_week", "weekday", "hour"]).rename(columns={
        column: f"{SERVICE_CATEGORIES.get(column.removeprefix('open_'), column)} open"
        for column in open_columns
    } | {"label": "When", "reports": "Reports", "day": "Day"})
    st.dataframe(shown, hide_index=True)

st.subheader("Bank holidays: reports when no local service was open")
if reports.bank_holidays:
    days = ", ".join(f"{day:%a} {day.day} {day:%b %Y}" for day in reports.bank_holidays)
    st.write(f"England and Wales bank holidays in the selected period: {days}.")
    st.dataframe(
        tables.bank_holiday_table(bank_holiday_gap(reports, services), role),
        hide_index=True, width="stretch",
    )
else:
    st.info("The selected period holds no England and Wales bank holiday.")
st.caption(BANK_HOLIDAY_NOTE)

st.subheader("Small areas (LSOAs) with most reports and least access")
if role == "partner":  # small areas are not on the partners' lattice (safetymap.disclosure)
    st.write("Small areas are shown to analysts and police: for partners, figures are for "
             "whole districts, so that no report can be placed.")
else:
    st.table(tables.lsoa_gap_table(lsoa_ranking.head(20), role).style.format(precision=2),
             hide_index=True, border="horizontal")

st.subheader("What is open near here, now")
places = {place.name: place for place in cached.open_now_places()}


def _set_now() -> None:
    """Set the day and time to now, Europe/London, to the minute."""
    now = datetime.now(LONDON)
    st.session_state[Keys.OPEN_DAY] = now.date()
    st.session_state[Keys.OPEN_TIME] = now.time().replace(second=0, microsecond=0)


if Keys.OPEN_DAY not in st.session_state or Keys.OPEN_TIME not in st.session_state:
    _set_now()  # once a session: the chosen day and time then stay while the user looks
place_column, day_column, time_column, now_column = st.columns([2, 1, 1, 1],
                                                               vertical_alignment="bottom")
place_name = place_column.selectbox(
    "Town or district", options=list(places), key=Keys.OPEN_PLACE,
    help="Towns by name, then each district (a point near its middle).",
)
day = day_column.date_input("Day", key=Keys.OPEN_DAY, format="DD/MM/YYYY")
clock = time_column.time_input("Time (UK)", key=Keys.OPEN_TIME)
now_column.button("Now", on_click=_set_now, key=Keys.OPEN_NOW)
place = places[place_name]
open_now = open_near(services, place, datetime.combine(day, clock))
holiday = bank_holiday_name(day)
st.write(
    f"Open at {escape_markdown(place.describe())} on {day:%A} {day.day} {day:%B %Y} at "
    f"{clock:%H:%M}"
    + (f" (bank holiday: {escape_markdown(holiday)})" if holiday else "")
    + f": {len(open_now)} listed."
)
if open_now["group"].eq("national line").all():
    st.warning("No local service that serves this place is open then: the national 24-hour "
               "lines are listed.")
st.dataframe(tables.open_now_table(open_now), hide_index=True, width="stretch")
st.caption(OPEN_NOW_NOTE)
st.info(EMERGENCY_NOTE, icon=":material/call:")

render_outreach(context)
