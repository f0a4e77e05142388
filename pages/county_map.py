"""County map: districts shaded by StreetSafe reports per 1,000 residents, with a table."""

import streamlit as st
from streamlit_folium import st_folium

from safetymap.maps.districts import RATE_UNIT, district_rate_map, rate_shading
from safetymap.present import tables
from safetymap.present.wording import reports_headline
from safetymap.ui import app

context = app.context()
districts, _ = app.geography()
# For partners every count is from the one protected release (safetymap.disclosure).
rates, texts, headline_text = app.district_figures(context)
selected = context.filters.districts
shown = rates[rates["district_code"].isin(selected)] if selected else rates

st.title("Where people report feeling unsafe")
role = context.role
st.markdown(
    reports_headline(int(shown["reports"].sum()), int(shown["population"].sum()), len(shown),
                     role, text=headline_text)
)

map_column, table_column = st.columns([4, 3], gap="medium")
with map_column:
    st.subheader("Reports per 1,000 residents by district")
    m = district_rate_map(districts, rates, style=context.style, selected=selected, role=role,
                          reports_text=texts)
    st_folium(m, height=600, use_container_width=True, returned_objects=[], key="county_map")
    _, legend_rows = rate_shading(rates, selected=selected, role=role, reports_text=texts)
    st.caption(
        f"Legend ({RATE_UNIT}; classes split the districts shown into even groups, darker "
        "is higher): " + "; ".join(label for _, label in legend_rows)
        + ". Residents: Census 2021 (ONS)."
    )
with table_column:
    st.subheader("The same figures as a table")
    st.dataframe(
        tables.district_rate_table(shown, role, reports_text=texts),
        hide_index=True,
        width="stretch",
        column_config={
            "Reports": st.column_config.NumberColumn(format="localized"),
            "Residents": st.column_config.NumberColumn(
                format="localized", help="Census 2021 usual residents (ONS), rounded to 100"
            ),
            "Per 1,000 residents": st.column_config.NumberColumn(format="%.2f"),
        },
    )

st.subheader("Support services in the county")
st.caption("Refuges and the sexual assault referral centre are listed without any location.")
st.dataframe(
    tables.services_table(context.dataset.services.frame), hide_index=True,
    width="stretch",
)
