"""Upload: analysts check an export and add it to the shared store; others are told who can."""

from typing import Final

import streamlit as st

from loaders.kinds import KINDS
from loaders.pipeline import LoadResult
from loaders.source import KIND_NAMES, read_header_map
from loaders.store import IngestProgress, StoreError, open_store
from loaders.store.uploads import ingest_upload, problem_table, validate_upload
from safetymap import audit
from safetymap.ui import app
from safetymap.ui.text import escape_markdown


class Keys:
    """Session-state keys of this page's widgets."""

    KIND: Final = "upload.kind"
    FILE: Final = "upload.file"
    ADD: Final = "upload.add"


@st.cache_data(show_spinner="Checking the file…", max_entries=4)
def checked(kind: str, name: str, data: bytes, header_map: dict[str, str] | None) -> LoadResult:
    """Return what the loaders make of the uploaded file (once per file and kind)."""
    return validate_upload(kind, name, data, header_map=header_map)


context = app.context()
settings = context.settings
st.title("Add exports to the store")

if context.role != "analyst":
    st.info("Only analysts add exports to the store. Ask an analyst to add yours.")
    st.stop()
if settings.store is None:
    st.info(
        "No store is configured, so there is nowhere to add exports to. Set "
        "`SAFETYMAP_STORE` to a GeoPackage file (e.g. `/srv/safetymap/store.gpkg`, created "
        "on first use) or to a PostGIS database (`postgresql://USER@HOST:5432/DATABASE`) and "
        "restart the dashboard. `safetymap ingest --kind streetsafe FILE` adds files from "
        "the command line. See docs/deploying.md."
    )
    st.stop()

kind = st.selectbox("What the file holds", list(KINDS), key=Keys.KIND,
                    format_func=lambda k: KIND_NAMES[k].capitalize())
upload = st.file_uploader("Export file (.csv or .xlsx)", type=["csv", "xlsx"], key=Keys.FILE)
if upload is None:
    st.caption("Rows are checked first; nothing is added until you press the button.")
    st.stop()

header_map = read_header_map(settings.header_map).get(kind)
data = upload.getvalue()
result = checked(kind, upload.name, data, header_map)
report = result.files[0]
if report.file_error:
    st.error(f"The whole file is refused: {escape_markdown(report.file_error)}")
else:
    st.markdown(
        f"**{report.loaded:,}** of {report.rows:,} rows are valid {KIND_NAMES[kind]}; "
        f"**{report.refused:,}** would be refused"
        + (f"; {report.duplicates:,} repeat a row of the file." if report.duplicates else ".")
    )
if result.problems:
    st.dataframe(problem_table(result.problems), hide_index=True, width="stretch")

if st.button("Add to the store", type="primary", key=Keys.ADD,
             disabled=report.file_error is not None):
    bar = st.progress(0.0, text="Checking the file…")

    def show(progress: IngestProgress) -> None:
        share = progress.done / max(progress.total, 1)
        if progress.stage == "validating":
            bar.progress(0.1 * share, text="Checking the file…")
        else:
            bar.progress(0.1 + 0.9 * share,
                         text=f"Writing {progress.done:,} of {progress.total:,} rows…")

    try:
        store = open_store(settings.store)
        summary = ingest_upload(store, kind, upload.name, data, header_map=header_map,
                                progress=show, user=context.viewer.user)
    except StoreError as error:
        st.error(escape_markdown(error))
        st.stop()
    bar.progress(1.0, text="Done.")
    audit.record(
        settings.audit_path(), "ingest", user=context.viewer.user, role=context.role,
        detail=f"{kind}: {summary.files[0].line()}",
    )
    app.load_data.clear()  # every page reads the store again on its next run
    line = summary.files[0].line()
    (st.warning if summary.refused else st.success)(escape_markdown(line))
    st.caption(
        "Refused rows are in the store's quarantine with their reasons (see Data and "
        "sources); the valid rows were added." if summary.refused
        else "Every page now shows the new data."
    )
