"""Draw the data-quality panel: rows loaded, refused (with reasons), duplicates, outside."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.source import KIND_NAMES, Dataset
from safetymap.disclosure import coarse_columns, coarse_count_text
from safetymap.roles import Role
from safetymap.ui.text import escape_markdown

#: The per-file counts of :func:`quality_frames`.
COUNT_COLUMNS = ("Rows", "Loaded", "Refused", "Duplicates", "Outside the county")


def quality_frames(dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-file counts and the list of refusals of a dataset."""
    files = pd.DataFrame(
        [
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
            for result in dataset.results()
            for report in result.files
        ]
    )
    problems = [problem for result in dataset.results() for problem in result.problems]
    refusals = pd.DataFrame(
        {
            "File": [p.file for p in problems],
            "Row": ["whole file" if p.row is None else str(p.row) for p in problems],
            "Field": [p.field or "-" for p in problems],
            "Expected": [p.expected for p in problems],
            "Found": [p.found for p in problems],
        }
    )
    return files, refusals


def quality_panel(dataset: Dataset, role: Role) -> None:
    """Draw the per-file counts for everyone and the refusals for analysts and police.

    A refusal quotes the value it found (a place outside the county, say), which is
    report-level data: partners see the counts only.
    """
    files, refusals = quality_frames(dataset)
    refused = f"{len(refusals):,}"
    if role == "partner":  # a file can be a week's reports: no exact count (disclosure)
        files = coarse_columns(files, COUNT_COLUMNS)
        refused = coarse_count_text(len(refusals))
        st.caption("For partners, counts per file read 0, \"<5\" or \"5 or more\": a file "
                   "can hold a single week's reports.")
    st.dataframe(files, hide_index=True, width="stretch")
    st.markdown(f"**Refused rows and files: {refused}**")
    if refusals.empty:
        st.write("Nothing was refused.")
    elif role == "partner":
        st.write("The reasons for each refusal are shown to analysts and police.")
    else:
        st.dataframe(
            refusals, hide_index=True, width="stretch",
            column_config={"Expected": st.column_config.TextColumn(width="large"),
                           "Found": st.column_config.TextColumn(width="medium")},
        )
    for notice in dataset.notices:
        st.info(escape_markdown(notice))
