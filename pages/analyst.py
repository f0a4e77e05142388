"""Analyst: the filtered records as tables, downloads, and the data-quality panel."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from safetymap import audit
from safetymap.analysis.exports import (
    records_for_export,
    to_csv_bytes,
    to_geojson_bytes,
    to_xlsx_bytes,
)
from safetymap.analysis.filters import filter_reports, filter_survey
from safetymap.ui import app
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
        "StreetSafe reports": filter_reports(dataset.streetsafe.frame, context.filters),
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

            def export(
                make: Callable[[pd.DataFrame], bytes], label: str, *,
                rows: pd.DataFrame = records, name: str = title,
            ) -> Callable[[], bytes]:
                def build() -> bytes:
                    audit.record(
                        context.settings.audit_path(), "export", user=context.viewer.user,
                        role=role,
                        detail=f"{name} as {label}: {len(rows):,} rows, "
                        f"filters {context.filters.to_query() or 'none'}",
                    )
                    return make(rows)

                return build

            csv_col, xlsx_col, geo_col = st.columns(3)
            csv_col.download_button("Download CSV", export(to_csv_bytes, "CSV"),
                                    file_name=f"{stem}.csv", mime="text/csv",
                                    key=f"{stem}.csv", on_click="ignore")
            xlsx_col.download_button(
                "Download XLSX", export(to_xlsx_bytes, "XLSX"), file_name=f"{stem}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"{stem}.xlsx", on_click="ignore",
            )
            geo_col.download_button("Download GeoJSON", export(to_geojson_bytes, "GeoJSON"),
                                    file_name=f"{stem}.geojson", mime="application/geo+json",
                                    key=f"{stem}.geojson", on_click="ignore")
    st.caption(
        "Cells that a spreadsheet would run as a formula (starting with =, +, -, @) are "
        "written with a leading apostrophe. Downloads are recorded in the audit log."
    )

st.subheader("Data quality")
quality_panel(context.dataset, role)
