"""Hertfordshire safety map: the Streamlit entry point (``streamlit run dashboard.py``).

It loads the data once per server, draws the shared sidebar once, says where the data
comes from, and hands over to the page the user chose.
"""

import streamlit as st

from loaders.store import StoreError
from safetymap.ui import app
from safetymap.ui.text import escape_markdown

st.set_page_config(
    page_title="Hertfordshire safety map",
    layout="wide",
)

context = app.start()

# Addresses in words (/records, /add-data), as a copied link shows them. Adding data is
# the analysts' job: other roles do not get a page they can do nothing on.
pages = st.navigation(
    [
        st.Page("pages/county_map.py", title="County map", default=True),
        st.Page("pages/hotspots.py", title="Hotspots"),
        st.Page("pages/coverage_gaps.py", title="Coverage gaps"),
        st.Page("pages/actions.py", title="Action lists"),
        st.Page("pages/feelings_of_safety.py", title="Feelings of Safety"),
        st.Page("pages/board_overview.py", title="Board overview"),
        st.Page("pages/analyst.py", title="Records and downloads", url_path="records"),
        *(
            [st.Page("pages/upload.py", title="Add data", url_path="add-data")]
            if context.role == "analyst" else []
        ),
        st.Page("pages/data_sources.py", title="Data and sources"),
    ]
)
# Each page its own browser-tab title (a screen reader reads it first on arrival).
st.set_page_config(page_title=f"{pages.title} - Hertfordshire safety map")
try:
    pages.run()
except StoreError as error:  # the store went away while a page was counting in it
    st.error(escape_markdown(error))
