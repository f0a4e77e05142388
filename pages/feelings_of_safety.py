"""Feelings of Safety: how unsafe people feel by day and after dark, by district."""

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from safetymap.analysis.filters import filter_survey
from safetymap.analysis.hotspots import PARTNER_RESOLUTION
from safetymap.analysis.survey import (
    breakdown,
    change_between_periods,
    concern_agreement,
    county_indicators,
    district_indicators,
)
from safetymap.disclosure import (
    SMALL_BASE,
    county_survey_shown,
    hide_survey_differences,
    partner_hotspot_filters,
    partner_quarter,
    partner_survey_filters,
    quarter_words,
)
from safetymap.maps.hotspots import MAX_POINTS, hotspot_layer, hotspot_map
from safetymap.present.wording import change_words, pct_with_ci, survey_table
from safetymap.roles import count_text, sees_personal, sees_points
from safetymap.ui import app, cached

context = app.context()
role = context.role
# Partners: a fixed lattice, each district and the county over whole half-years.
survey_filters = (partner_survey_filters(context.filters) if role == "partner"
                  else context.filters)
survey = filter_survey(context.dataset.survey.frame, survey_filters)

st.title("How safe people feel, by day and after dark")
st.caption(
    "Share of weighted answers 'Fairly unsafe' or 'Very unsafe' among valid answers; "
    "'Don't know' and blanks are left out. 95% confidence intervals use the effective "
    "sample size of the weights."
)
if role == "partner":
    span = (survey_filters.start, survey_filters.end)
    st.caption("For partners: every district and the whole county, over whole half-years "
               + (f"({span[0]:%d/%m/%Y} to {span[1]:%d/%m/%Y})" if span[0] and span[1]
                  else "(all responses)")
               + "; shares on fewer than 50 answers are hidden, and so is the county's share "
               "when a district's is.")
if survey.empty:
    st.info("No survey responses in this selection.")
    st.stop()

county = county_indicators(survey, role=role).iloc[0]
county_hidden = bool(county["suppressed"])
responses_text = f"{int(county['responses']):,}"
if role == "partner":
    county_hidden = county_hidden or not county_survey_shown(survey)
    responses_text = count_text(int(county["responses"]), role)
day_col, dark_col, base_col = st.columns(3)
if county_hidden:
    dark_col.metric("Unsafe after dark", "Hidden",
                    help="Fewer than 50 answers here or in a district")
    day_col.metric("Unsafe by day", "Hidden", help="Fewer than 50 answers here or in a district")
else:
    dark_col.metric("Unsafe after dark", f"{county['unsafe_after_dark_pct']:.1f}%")
    dark_col.caption(pct_with_ci(county["unsafe_after_dark_pct"], county["after_dark_ci_low"],
                                 county["after_dark_ci_high"]))
    day_col.metric("Unsafe by day", f"{county['unsafe_day_pct']:.1f}%")
    day_col.caption(pct_with_ci(county["unsafe_day_pct"], county["day_ci_low"],
                                county["day_ci_high"]))
base_col.metric("Responses", responses_text)

indicators = district_indicators(survey, role=role)
if role == "partner":
    indicators = hide_survey_differences(indicators, survey)
shown = indicators[indicators["responses"] > 0]
if role == "partner" and context.filters.districts:
    shown = shown[shown["district_code"].isin(context.filters.districts)]
st.subheader("Share feeling unsafe after dark and by day, by district")
chart_data = pd.concat(
    [
        pd.DataFrame({"District": shown["district_name"], "When": "After dark",
                      "Percent": shown["unsafe_after_dark_pct"],
                      "Low": shown["after_dark_ci_low"], "High": shown["after_dark_ci_high"]}),
        pd.DataFrame({"District": shown["district_name"], "When": "By day",
                      "Percent": shown["unsafe_day_pct"],
                      "Low": shown["day_ci_low"], "High": shown["day_ci_high"]}),
    ]
).dropna(subset=["Percent"])
if not chart_data.empty:
    order = shown.sort_values("unsafe_after_dark_pct", ascending=False)["district_name"].tolist()
    base = alt.Chart(chart_data).encode(
        y=alt.Y("District:N", sort=order, title=None),
        yOffset=alt.YOffset("When:N"),
        color=alt.Color("When:N", scale=alt.Scale(domain=["After dark", "By day"],
                        range=["#1b3a6b", "#e69f00"]), title=None,
                        legend=alt.Legend(orient="bottom")),
        tooltip=["District", "When", alt.Tooltip("Percent:Q", format=".1f"),
                 alt.Tooltip("Low:Q", format=".1f"), alt.Tooltip("High:Q", format=".1f")],
    )
    bars = base.mark_bar().encode(x=alt.X("Percent:Q", title="% very or fairly unsafe"))
    whiskers = base.mark_rule(color="black").encode(x="Low:Q", x2="High:Q")
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x="High:Q", text=alt.Text("When:N")
    )
    st.altair_chart((bars + whiskers + labels).properties(height=40 * len(order)),
                    width="stretch")
st.caption("Bars are labelled 'After dark' or 'By day'; black lines show the 95% interval.")
st.dataframe(survey_table(shown, role), hide_index=True, width="stretch")

st.subheader("Change since the previous survey period")
changes = change_between_periods(survey, role=role)
changes = changes[changes["district_code"].isin(shown["district_code"])]
st.dataframe(
    pd.DataFrame(
        {
            "District": changes["district_name"],
            "Unsafe after dark": [
                "Hidden: fewer than 50 answers" if hidden else change_words(c, s, p)
                for c, s, p, hidden in zip(changes["change_points"], changes["significant"],
                                           changes["previous_period"], changes["suppressed"],
                                           strict=True)
            ],
            "Latest period": changes["latest_period"],
        }
    ),
    hide_index=True,
    width="stretch",
)

if sees_personal(role):
    st.subheader("Who feels unsafe (analysts only)")
    by_age, by_sex = st.columns(2)
    for column, field, title in ((by_age, "age_band", "By age band"), (by_sex, "sex", "By sex")):
        table = breakdown(survey, field, role=role)
        with column:
            st.markdown(f"**{title}**")
            st.dataframe(
                pd.DataFrame({
                    title.removeprefix("By ").capitalize(): table[field],
                    "Unsafe after dark": [
                        pct_with_ci(p, lo, hi) for p, lo, hi in zip(
                            table["unsafe_after_dark_pct"], table["after_dark_ci_low"],
                            table["after_dark_ci_high"], strict=True)
                    ],
                    "Answers": table["base_after_dark"],
                }),
                hide_index=True,
                width="stretch",
            )

st.subheader("Places people named as unsafe, against StreetSafe hot spots")
# The same test as the Hotspots page opens with: the size chosen from the data, or the
# partners' fixed size.
hot_filters = context.filters
if role == "partner":  # hot spots by calendar quarter over the county, as on Hotspots
    hot_quarter = partner_quarter(context.reports, context.filters.end)
    hot_filters = partner_hotspot_filters(hot_quarter)
analysis = cached.hotspot_analysis(
    context.reports, context.reports.key, hot_filters,
    PARTNER_RESOLUTION if role == "partner" else None, None,
)
cells = analysis.result.cells
hot = set(cells.loc[cells["hotspot"].str.startswith("hot"), "cell_id"])
named = survey.dropna(subset=["concern_latitude", "concern_longitude"])
share = concern_agreement(survey, hot, resolution=analysis.scale.resolution)
if named.empty:
    st.write("No response in this selection names a place.")
elif role == "partner" and len(named) < SMALL_BASE:
    st.write(f"Fewer than {SMALL_BASE} places are named in this selection: no share is "
             "shown to partners.")
else:
    if role == "partner":
        share = round(share * 10) / 10  # to 10%, as partners' other shares
        st.caption(f"For partners: against the hot spots of "
                   f"{quarter_words(hot_quarter) if hot_quarter else 'the data'} over the "
                   "whole county (partners' hot spots are by calendar quarter), to the "
                   "nearest 10%.")
    st.metric(
        "Places of concern inside a StreetSafe hot spot",
        f"{share:.0%}",
        help="Share of the places named in the survey that fall in a hexagon the hotspot "
        "test marks hot (any confidence), for the same districts and period.",
    )
    st.caption(
        f"{count_text(len(named), role)} places named. A high share means the survey and "
        "StreetSafe point at the same streets."
    )
    if sees_points(role):
        districts, _ = app.geography()
        layer = hotspot_layer(analysis.result.cells, analysis.profiles, role=role,
                              reliable=analysis.result.reliable)
        points = pd.DataFrame({
            "latitude": named["concern_latitude"], "longitude": named["concern_longitude"],
            "location_label": "Place named in the survey",
        })
        st_folium(
            hotspot_map(layer, districts, style=context.style, role=role,
                        reliable=analysis.result.reliable, report_points=points,
                        focus=context.filters.districts,
                        points_name="Places named in the survey", small_points=True),
            height=520, use_container_width=True, returned_objects=[], key="concern_map",
        )
        if len(points) > MAX_POINTS:
            st.caption(f"More than {MAX_POINTS:,} places: dots are not drawn; narrow the "
                       "selection to see them.")
