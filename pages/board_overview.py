"""Board overview: the county picture for a partnership board, with a presentation mode."""

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from safetymap.maps.districts import RATE_UNIT, district_rate_map, rate_shading
from safetymap.reports.board_pack import board_pack_pdf
from safetymap.ui import app, cached
from safetymap.ui.text import escape_markdown

#: Large type and no sidebar for a big screen; static CSS, no input text in it.
PRESENTATION_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.block-container {max-width: 100% !important;}
[data-testid="stMarkdownContainer"] p {font-size: 1.35rem;}
[data-testid="stMetricLabel"] p {font-size: 1.2rem; white-space: normal;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 3.4rem !important;}
h1 {font-size: 3rem !important;}
h3 {font-size: 1.9rem !important;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  font-size: 1.15rem !important; color: #31333f !important;}
[data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 1.15rem !important;}
</style>
"""

context = app.context()
role = context.role
dataset = context.dataset
presenting = st.toggle("Presentation mode (large type, no sidebar)",
                       value=st.query_params.get("present") == "1", key="board.present")
if presenting:
    st.query_params["present"] = "1"
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
elif "present" in st.query_params:
    del st.query_params["present"]

st.title("Feeling safe in Hertfordshire: the county picture")
log = app.action_store(context)
pack = cached.board_pack(dataset, context.reports, context.reports.key, context.filters, role,
                         tuple(log.actions()) if log is not None else None)
figures = pack.headline
period = figures["period"]
if period is not None:
    st.caption(f"{period[0]:%d %b %Y} to {period[1]:%d %b %Y}, compared with the period of "
               "the same length just before." if figures["compared"] else
               f"{period[0]:%d %b %Y} to {period[1]:%d %b %Y}; "
               f"{figures['change_text']}.")
tiles = st.columns(5)
change = figures["change"]
dark = figures["unsafe_after_dark_pct"]
short = [
    ("StreetSafe reports", figures["reports_text"], "in the selection"),
    ("Per 1,000 residents", figures["per_1000_text"], "Census 2021 residents"),
    ("Change on previous period", f"{change:+,}" if change is not None else "-",
     figures["change_text"]),
    ("Unsafe after dark", f"{dark:.1f}%" if dark is not None else "Hidden",
     figures["unsafe_after_dark_text"]),
    ("Coverage gaps", f"{figures['coverage_gaps']:,}", figures["coverage_gaps_text"]),
]
for tile, (label, value, words) in zip(tiles, short, strict=True):
    tile.metric(label, value)
    tile.caption(words)

#: Reasons listed on the big screen, so that they fit on its first screen.
PRESENTED_REASONS = 6
#: Axis text size: larger on a big screen.
AXIS_FONT = 16 if presenting else 11
#: Said instead of an empty chart, when every figure of the selection is small or hidden.
NOTHING_TO_DRAW = ("Nothing to draw: every figure of this selection is small (\"<5\") or "
                   "hidden. The table below says which.")


def _trend_chart(visible: pd.DataFrame) -> None:
    """Draw the monthly trend of the months whose count is shown."""
    st.altair_chart(
        alt.Chart(visible).mark_line(point=True, color="#1b3a6b").encode(
            x=alt.X("label:O", title=None, sort=None),
            y=alt.Y("reports:Q", title="Reports"),
            tooltip=[alt.Tooltip("label:O", title="Month"), alt.Tooltip("shown:N",
                                                                        title="Reports")],
        ).properties(height=300).configure_axis(labelFontSize=AXIS_FONT,
                                                 titleFontSize=AXIS_FONT),
        width="stretch",
    )


def _rate_chart(shown_rates: pd.DataFrame) -> None:
    """Draw the districts whose rate is shown, highest first."""
    st.altair_chart(
        alt.Chart(shown_rates).mark_bar(color="#1b3a6b").encode(
            x=alt.X("per_1000:Q", title="Reports per 1,000 residents"),
            y=alt.Y("district_name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            tooltip=[alt.Tooltip("district_name:N", title="District"),
                     alt.Tooltip("text:N", title="Per 1,000")],
        ).properties(height=(36 if presenting else 32) * max(len(shown_rates), 1))
        .configure_axis(labelFontSize=AXIS_FONT, titleFontSize=AXIS_FONT),
        width="stretch",
    )


# On a big screen the trend, the districts and the reasons share the first screen.
if presenting:
    trend_col, rank_col, reason_col = st.columns([5, 5, 4], gap="large")
else:
    trend_col, rank_col = st.columns(2, gap="large")
with trend_col:
    st.subheader("Reports per month")
    trend = pack.trend.copy()
    trend["shown"] = pack.trend_shown
    trend["label"] = [f"{pd.Timestamp(str(month)):%b %Y}" for month in trend["month"]]
    visible = trend[[text[0].isdigit() for text in trend["shown"]]]
    if visible.empty:
        st.info(NOTHING_TO_DRAW)
    else:
        _trend_chart(visible)
    with st.expander("The same figures as a table"):
        st.dataframe(pd.DataFrame({"Month": trend["label"], "Reports": trend["shown"]}),
                     hide_index=True, width="stretch")
with rank_col:
    st.subheader("Districts by reports per 1,000 residents")
    rates = pack.districts
    table = pack.district_table
    shown_rates = rates.assign(text=table["Per 1,000 residents"].astype(str).to_numpy())
    shown_rates = shown_rates[[t[0].isdigit() for t in shown_rates["text"]]]
    if shown_rates.empty:
        st.info(NOTHING_TO_DRAW)
    else:
        _rate_chart(shown_rates)
    with st.expander("The same figures as a table"):
        st.dataframe(table, hide_index=True, width="stretch")


def _reasons() -> None:
    """The reasons people gave, as the pack's table (for partners a hidden count hides its
    share too: a share of a known total would give the count away)."""
    st.subheader("Reasons people gave")
    if role == "partner":
        st.caption("For partners: reasons for the whole county, over the whole calendar "
                   "quarters of the period; counts from 1 to 4 read \"<5\" and counts that "
                   "would give one away read \"hidden\".")
    if presenting:  # a static table: large type, read from across the room
        st.table(pack.reason_table.head(PRESENTED_REASONS), hide_index=True,
                 border="horizontal")
        if len(pack.reason_table) > PRESENTED_REASONS:
            st.caption(f"The {PRESENTED_REASONS} reasons given most; every reason is in the "
                       "board pack and out of presentation mode.")
    else:
        st.dataframe(pack.reason_table, hide_index=True, width="stretch")


if presenting:
    with reason_col:
        _reasons()

map_col, quarter_col = st.columns(2, gap="large")
with map_col:
    st.subheader("The county map")
    districts, _ = app.geography()
    # The County map's figures: for partners every count from the one protected release.
    map_rates, map_texts, _ = app.district_figures(context)
    st_folium(
        district_rate_map(districts, map_rates, style=context.style,
                          selected=context.filters.districts, role=role,
                          reports_text=map_texts),
        height=460, use_container_width=True, returned_objects=[], key="board_map",
    )
    _, legend_rows = rate_shading(map_rates, selected=context.filters.districts, role=role,
                                  reports_text=map_texts)
    st.caption(f"Districts shaded by {RATE_UNIT} (darker is higher): "
               + "; ".join(label for _, label in legend_rows) + ".")
with quarter_col:
    st.subheader("Reports by district and calendar quarter")
    st.dataframe(pack.quarter_table, hide_index=True, width="stretch")

if not presenting:
    _reasons()

if pack.actions_by_agency is not None and pack.places_without_action is not None:
    st.subheader("Problem-solving: actions this period")
    agency_col, places_col = st.columns(2, gap="large")
    with agency_col:
        st.markdown("**Opened and completed, by agency**")
        if pack.actions_by_agency.empty:
            st.write("No action was opened or completed in the period.")
        else:
            st.dataframe(pack.actions_by_agency, hide_index=True, width="stretch")
    with places_col:
        st.markdown("**Places with the most reports and no action yet**")
        if pack.places_without_action.empty:
            st.write("Every listed place has an action, or none is listed.")
        else:
            st.dataframe(pack.places_without_action, hide_index=True, width="stretch")
    st.caption(escape_markdown(pack.actions_note))

st.download_button(
    "Download the board pack (PDF)",
    app.audited_download(
        context, "Board pack PDF",
        lambda: board_pack_pdf(pack),
    ),
    file_name="board_pack.pdf", mime="application/pdf", on_click="ignore",
    key="board.pack",
)
