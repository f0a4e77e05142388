"""Serve one benchmark map with st_folium: ours (hexagons) or naive (MarkerCluster).

``bench/run.py`` copies this file and ``measure.py`` into its work folder, next to a copy of
``static/vendor`` (Streamlit serves only a real ``static/`` folder beside the script), and
starts it with ``BENCH_DATA`` (a folder of exports) and ``BENCH_KIND`` (``ours`` or
``naive``). What the map is drawn from is made once per server, as the dashboard caches
its data and analysis; the folium map is built and sent on every run, as in the dashboard
and in naive dashboards alike.
"""

import os
from pathlib import Path

import pandas as pd
import streamlit as st
from measure import HotspotLayer, default_view_inputs, default_view_map
from streamlit_folium import st_folium


@st.cache_resource(show_spinner="Preparing the map…")
def bench_inputs(folder: str, kind: str) -> HotspotLayer | pd.DataFrame:
    """Return what the map is drawn from, made once per server."""
    return default_view_inputs(Path(folder), kind)


st.set_page_config(page_title="Benchmark map", layout="wide")
inputs = bench_inputs(os.environ["BENCH_DATA"], os.environ["BENCH_KIND"])
st_folium(default_view_map(inputs), height=620, use_container_width=True, returned_objects=[],
          key="bench_map")
