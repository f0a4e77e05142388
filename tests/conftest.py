"""Shared pytest fixtures, one section per concern; add new fixtures in a section of their own."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

# ============================================================================== browser
# A Streamlit server per (script, environment) for the whole session, and headless Chromium
# through playwright. Helpers are in tests/browser.py; tests using `chromium` are marked
# `browser` automatically, so `pytest -m "not browser"` leaves them out.

from tests.browser import (  # noqa: E402
    CHROMIUM_ARGS,
    NetworkLog,
    StreamlitApp,
    find_chromium,
    run_streamlit,
)

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
def chromium() -> Iterator[object]:
    """Give a headless Chromium (a playwright ``Browser``); skip when there is none, unless CI."""
    executable = find_chromium()
    if executable is None:
        message = (
            "Chromium is not installed (looked for /usr/bin/chromium and chromium on PATH); "
            "install it with `apt-get install chromium` to run the browser tests."
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI is set, and CI must run them.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(chromium) -> Iterator[object]:
    """Give a fresh playwright ``BrowserContext`` (no cookies, 1280×900), closed afterwards."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def network_log(browser_context) -> NetworkLog:
    """Record every request made by pages of ``browser_context``, iframes included."""
    return NetworkLog.attach(browser_context)


@pytest.fixture
def browser_page(browser_context, network_log) -> object:
    """Give a new playwright ``Page`` whose requests ``network_log`` records."""
    return browser_context.new_page()
