"""Watch what pages do in headless Chromium in tests: requests, errors, maps, screenshots.

Starting Streamlit and Chromium is in ``bench/harness.py``, shared with the benchmarks; the
pytest fixtures built on both are in ``conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Frame, Page, Request, WebError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Schemes that never touch the network.
_NO_NETWORK_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension"})


def is_local(url: str) -> bool:
    """Tell whether a request to ``url`` stays on this machine."""
    parts = urlsplit(url)
    return parts.scheme in _NO_NETWORK_SCHEMES or parts.hostname in LOCAL_HOSTS


@dataclass
class BrowserLog:
    """What the pages of a browser context did: every URL requested, every uncaught error.

    Frames are included, so the streamlit-folium iframe's requests and errors are here too.
    """

    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, context: BrowserContext) -> BrowserLog:
        """Start recording the requests and uncaught errors of every page in ``context``."""
        log = cls()
        context.on("request", log._record_request)
        context.on("weberror", log._record_error)
        return log

    def _record_request(self, request: Request) -> None:
        self.urls.append(request.url)

    def _record_error(self, web_error: WebError) -> None:
        self.errors.append(str(web_error.error.message))

    def offsite(self) -> list[str]:
        """Return the requested URLs that go anywhere but this machine."""
        return [url for url in self.urls if not is_local(url)]


def wait_for_map_frame(page: Page, *, timeout_ms: float = 30_000) -> Frame:
    """Return the iframe streamlit-folium draws in, once Leaflet has made the map in it.

    Raises
    ------
    playwright.sync_api.TimeoutError
        No map appeared within ``timeout_ms``.
    """
    # streamlit-folium keeps its iframe hidden until the map script has run without error,
    # so wait for it to be attached, not visible, and let the map selector say what failed.
    iframe = page.wait_for_selector(
        "iframe[src*='st_folium']", state="attached", timeout=timeout_ms
    )
    frame = iframe.content_frame() if iframe is not None else None
    if frame is None:
        raise AssertionError("the streamlit-folium iframe has no document")
    frame.wait_for_selector(".leaflet-container", timeout=timeout_ms)
    return frame


def save_screenshot(page: Page, path: Path) -> Path:
    """Save a full-page screenshot of ``page`` to ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
