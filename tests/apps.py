"""Run the dashboard once in Streamlit's AppTest, as a browser opening a link would."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def run_dashboard(
    page: str | None = None, query: dict[str, str] | None = None, *, timeout: float = 60
) -> AppTest:
    """Open ``dashboard.py`` on ``page`` with ``query`` in the link; fail on any exception."""
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if page is not None:
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app
