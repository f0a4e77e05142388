"""Coverage gaps: where and when support does not reach the people who feel unsafe."""

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geodata import DISTRICTS
from loaders.vocab import SERVICE_CATEGORIES
from safetymap.analysis.coverage import (
    DISTANCE_NOTE,
    HOURS_NOTE,
    SCORE_NOTE,
    hour_of_week_chart_data,
)
from safetymap.maps.services import services_map
from safetymap.present import tables
from safetymap.roles import suppressed_counts
from safetymap.ui import app, cached

context = app.context()
role = context.role
districts, _ = app.geography()
services = context.dataset.services.frame

st.title("Coverage gaps: where and when support does not reach people")
if services.empty:
    st.info("No support services are loaded, so coverage cannot be worked out.")
    st.stop()

table, ranking, lsoa_ranking = cached.coverage_results(
    context.dataset, context.reports, context.reports.key, context.filters, role=role
)

st.subheader("Districts ranked by need against access")
gap_colours = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]
shade = ranking[["district_code", "gap_score", "rank"]].copy()
shade["fill"] = pd.qcut(shade["gap_score"].rank(method="first"), 5, labels=gap_colours).astype(str)
shade["label"] = [f"Gap rank {r} of 10" for r in shade["rank"]]
st_folium(
    services_map(services, districts, style=context.style, shade=shade,
                 focus=context.filters.districts),
    height=520, use_container_width=True, returned_objects=[], key="services_map",
)
st.caption(
    "Districts shaded by gap rank (darker red = larger gap). Lettered circles are "
    "services with a place; refuges and the SARC appear only as the area they serve."
)
st.dataframe(
    tables.gap_ranking_table(ranking, role), hide_index=True, width="stretch",
    column_config={"Why": st.column_config.TextColumn(width="large")},
)
st.caption(SCORE_NOTE)

st.subheader("One district, category by category")
choices = list(context.filters.districts) or ranking["district_code"].tolist()
district = st.selectbox(
    "District", options=choices, format_func=DISTRICTS.__getitem__, key="coverage.district"
)
st.dataframe(
    tables.coverage_detail_table(table[table["district_code"] == district], role),
    hide_index=True, width="stretch",
)
st.caption(DISTANCE_NOTE)

st.subheader(f"Reports through the week against opening hours: {DISTRICTS[district]}")
reports = cached.report_summary(context.reports, context.reports.key, context.filters)
chart = hour_of_week_chart_data(reports, services, district)
open_columns = [c for c in chart.columns if c.startswith("open_")]
bars = (
    alt.Chart(chart)
    .mark_bar(color="#444444")
    .encode(
        x=alt.X("hour_of_week:Q", title="Hour of the week (Monday 00:00 at the left)",
                scale=alt.Scale(domain=[0, 168]), axis=alt.Axis(values=list(range(0, 169, 24)))),
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
        x=alt.X("hour_of_week:Q", scale=alt.Scale(domain=[0, 168]), title=None),
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
st.altair_chart(alt.vconcat(bars, strips), width="stretch")
st.caption(HOURS_NOTE)
with st.expander("The same figures as a table"):
    shown = chart.copy()
    shown["reports"] = suppressed_counts(shown["reports"].tolist(), role)
    shown = shown.drop(columns=["hour_of_week", "weekday", "hour"]).rename(columns={
        column: f"{SERVICE_CATEGORIES.get(column.removeprefix('open_'), column)} open"
        for column in open_columns
    } | {"label": "When", "reports": "Reports", "day": "Day"})
    st.dataframe(shown, hide_index=True)

st.subheader("Small areas (LSOAs) with most reports and least access")
st.dataframe(tables.lsoa_gap_table(lsoa_ranking.head(20), role), hide_index=True, width="stretch")
