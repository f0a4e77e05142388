"""Analyst: the filtered records as tables, downloads, and the data-quality panel."""

from functools import partial

import pandas as pd
import streamlit as st

from safetymap.analysis.exports import (
    records_for_export,
    to_csv_bytes,
    to_geojson_bytes,
    to_xlsx_bytes,
)
from safetymap.analysis.filters import filter_survey
from safetymap.ui import app, cached
from safetymap.ui.quality import quality_panel

#: Rows shown on screen; downloads hold every row of the selection.
SHOWN_ROWS = 5_000

context = app.context()
role = context.role
st.title("Records, downloads and data quality")

if role == "partner":
    st.info(
        "Partners see aggregates only: record tables and downloads are for analysts and "
        "police. The data-quality counts are below."
    )
else:
    dataset = context.dataset
    kinds = {
        "StreetSafe reports": cached.selected_reports(
            context.reports, context.reports.key, context.filters
        ),
        "Survey responses": filter_survey(dataset.survey.frame, context.filters),
    }
    for tab, (title, frame) in zip(st.tabs(list(kinds)), kinds.items(), strict=True):
        with tab:
            records = records_for_export(frame, role=role)
            table = pd.DataFrame(records.drop(columns="geometry", errors="ignore"))
            st.caption(
                f"{len(table):,} records in the selection"
                + (f"; the first {SHOWN_ROWS:,} are shown, downloads hold all." if
                   len(table) > SHOWN_ROWS else ".")
                + (" Demographics and comments are left out for police." if role == "police"
                   else "")
            )
            st.dataframe(table.head(SHOWN_ROWS), hide_index=True, width="stretch")
            stem = title.lower().replace(" ", "_")

            csv_col, xlsx_col, geo_col = st.columns(3)
            formats = (
                ("CSV", to_csv_bytes, "csv", "text/csv"),
                ("XLSX", to_xlsx_bytes, "xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                ("GeoJSON", to_geojson_bytes, "geojson", "application/geo+json"),
            )
            for column, (label, make, suffix, mime) in zip(
                st.columns(3), formats, strict=True
            ):
                column.download_button(
                    f"Download {label}",
                    app.audited_download(
                        context, f"{title} as {label}: {len(records):,} rows",
                        partial(make, records),
                    ),
                    file_name=f"{stem}.{suffix}", mime=mime, key=f"{stem}.{suffix}",
                    on_click="ignore",
                )
    st.caption(
        "Cells that a spreadsheet would run as a formula (starting with =, +, -, @) are "
        "written with a leading apostrophe. Downloads are recorded in the audit log."
    )

st.subheader("Data quality")
quality_panel(context.dataset, role)
