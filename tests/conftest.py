"""Shared pytest fixtures, one section per concern; add new fixtures in a section of their own."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from browser import BrowserLog
from harness import StreamlitApp, find_chromium, launch_chromium, run_streamlit
from pg import PostgresCluster, PostgresMissing, postgres_cluster

from safetymap.maps.assets import assets_installed
from safetymap.settings import VENDOR_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

# ============================================================================== tools
# A test that needs a tool (Chromium, PostgreSQL with PostGIS, pdftotext, the map assets)
# asks for it through a fixture. On a developer's machine without the tool it is skipped
# with the command that installs it; under CI (`CI` set, as `.ci/run` does) it fails,
# since CI installs every tool and a skip there would hide a check that never ran.


def missing_tool(message: str) -> NoReturn:
    """Skip the test for a missing tool, or fail it when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} CI is set, and CI must run this test.")
    pytest.skip(message)


PdfText = Callable[[bytes], str]  # the `pdf_text` fixture


@pytest.fixture(scope="session")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> PdfText:
    """Give a function that returns the text of a PDF, page by page (poppler's pdftotext)."""
    executable = shutil.which("pdftotext")
    if executable is None:
        missing_tool("pdftotext is not installed; install it with `apt-get install poppler-utils`.")
    folder = tmp_path_factory.mktemp("pdf")

    def read(pdf: bytes) -> str:
        path = folder / "read.pdf"
        path.write_bytes(pdf)
        done = subprocess.run([executable, "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True)
        return done.stdout

    return read


@pytest.fixture(scope="session")
def map_assets() -> Path:
    """Give the folder of the installed map assets (Leaflet and plugins from npm)."""
    if not assets_installed(VENDOR_DIR):
        missing_tool(f"map assets are not installed in {VENDOR_DIR}; run `make assets` "
                     "(or `safetymap assets`, which needs npm).")
    return VENDOR_DIR


# ============================================================================== browser
# A Streamlit server per (script, environment) for the whole session, and headless Chromium
# through playwright. bench/harness.py starts them (the benchmarks do the same);
# tests/browser.py watches what pages do. Tests using `chromium` are marked `browser`
# automatically, so `pytest -m "not browser"` leaves them out.

StartStreamlit = Callable[..., StreamlitApp]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses Chromium as a ``browser`` test."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[StartStreamlit]:
    """Give a function that starts ``streamlit run script`` and returns the running app.

    Call it as ``streamlit_server(script, env={...})``. Each (script, env) pair is started
    once and shared by the session; every server is stopped when the session ends, whether
    the tests passed or not.
    """
    running: dict[tuple[Path, frozenset[tuple[str, str]]], StreamlitApp] = {}
    with contextlib.ExitStack() as stack:

        def start(script: Path, *, env: Mapping[str, str] | None = None) -> StreamlitApp:
            key = (script.resolve(), frozenset((env or {}).items()))
            if key not in running:
                running[key] = stack.enter_context(run_streamlit(script, env=env))
            return running[key]

        yield start


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Give a headless Chromium (a playwright ``Browser``); skip when there is none, unless CI."""
    executable = find_chromium()
    if executable is None:
        missing_tool(
            "Chromium is not installed (looked for /usr/bin/chromium and chromium on PATH); "
            "install it with `apt-get install chromium` to run the browser tests."
        )
    with launch_chromium(executable) as browser:
        yield browser


@pytest.fixture
def browser_context(chromium: Browser) -> Iterator[BrowserContext]:
    """Give a fresh playwright ``BrowserContext`` (no cookies, 1280 by 900), closed afterwards."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def browser_log(browser_context: BrowserContext) -> BrowserLog:
    """Record every request and uncaught error of pages in ``browser_context``, iframes too."""
    return BrowserLog.attach(browser_context)


@pytest.fixture
def browser_page(browser_context: BrowserContext, browser_log: BrowserLog) -> Page:
    """Give a new playwright ``Page`` whose requests ``browser_log`` records."""
    return browser_context.new_page()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """Run one throwaway PostgreSQL with PostGIS for the session; skip if not installed, unless CI."""
    try:
        with postgres_cluster() as cluster:
            print(f"PostgreSQL with PostGIS started in {cluster.started_in_s:.2f} s")
            yield cluster
    except PostgresMissing as missing:
        missing_tool(str(missing))


# ============================================================================== map tiles
# The product requests OpenStreetMap tiles by default; tests draw maps without tiles, so no
# test (and no Streamlit server a browser test starts, which inherits this environment)
# asks a tile server for anything. A test about tiles passes its own setting.
os.environ["SAFETYMAP_TILES"] = "none"


# ============================================================================== stores
@pytest.fixture(params=["gpkg", "postgis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Give the address of a new, empty store of each kind."""
    if request.param == "gpkg":
        return str(tmp_path / "store.gpkg")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()
