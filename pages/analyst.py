"""Analyst: the filtered records as tables, downloads, and the data-quality panel."""

from collections.abc import Callable
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
from safetymap.present.tables import records_table
from safetymap.roles import Role
from safetymap.ui import app, cached
from safetymap.ui.quality import quality_panel

#: Rows shown on screen; downloads hold every row of the selection.
SHOWN_ROWS = 5_000


def _export(
    make: Callable[[pd.DataFrame], bytes], everything: Callable[[], pd.DataFrame], role: Role
) -> bytes:
    """Read every selected record when the download is asked for, and write it."""
    return make(records_for_export(everything(), role=role))

context = app.context()
role = context.role
st.title("Records, downloads and data quality")

if role == "partner":
    st.info(
        "Partners see aggregates only: record tables and downloads are for analysts and "
        "police. The data-quality counts are below."
    )
else:
    dataset, reports, filters = context.dataset, context.reports, context.filters
    survey = filter_survey(dataset.survey.frame, filters)
    # (how many, the rows shown, every row for a download): reports are read from where
    # they are kept only as far as shown, and in full only when a download is asked for.
    kinds: dict[str, tuple[int, pd.DataFrame, Callable[[], pd.DataFrame]]] = {
        "StreetSafe reports": (
            int(cached.counts(reports, reports.key, filters, ())["reports"].iloc[0]),
            cached.selected_reports(reports, reports.key, filters, None, SHOWN_ROWS),
            partial(reports.rows, filters),
        ),
        "Survey responses": (len(survey), survey.head(SHOWN_ROWS), lambda: survey),
    }
    for tab, (title, (total, first, everything)) in zip(
        st.tabs(list(kinds)), kinds.items(), strict=True
    ):
        with tab:
            shown = records_for_export(first, role=role)
            table = pd.DataFrame(shown.drop(columns="geometry", errors="ignore"))
            st.caption(
                f"{total:,} records in the selection"
                + (f"; the first {SHOWN_ROWS:,} are shown, downloads hold all." if
                   total > SHOWN_ROWS else ".")
                + (" Demographics and comments are left out for police." if role == "police"
                   else "")
                + " Downloads use the data contract's field names (report_id, ...)."
            )
            st.dataframe(records_table(table), hide_index=True, width="stretch")
            stem = title.lower().replace(" ", "_")

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
                        context, f"{title} as {label}: {total:,} rows",
                        partial(_export, make, everything, role),
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
