"""Streamlit glue shared by the pages: data loading, the sidebar filters, the banner.

This is the only package besides ``pages/`` and ``dashboard.py`` that imports streamlit.
"""
