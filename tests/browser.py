"""Start Streamlit apps and drive headless Chromium in tests, with no outside network.

The pytest fixtures built on these are in ``conftest.py``; the helpers here can also be used
from a script.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Frame, Page, Request, WebError

#: Flags for Chromium in a container: no sandbox, GPU or background traffic of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Schemes that never touch the network.
_NO_NETWORK_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension"})


def find_chromium() -> str | None:
    """Return the path of a Chromium executable, or None when there is none."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class StreamlitApp:
    """A running ``streamlit run``: its URL and the file its output goes to."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def run_streamlit(
    script: Path,
    *,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout_s: float = 60.0,
    port: int | None = None,
) -> Iterator[StreamlitApp]:
    """Run ``streamlit run script`` on a free port of 127.0.0.1 until the block ends.

    Static serving is on, so ``script``'s sibling folder ``static/`` is at ``/app/static/``.
    The server is stopped when the block ends, whatever happens in it.

    Parameters
    ----------
    script
        The app's main script; it runs with its own folder as the working directory.
    env
        Variables added to this process's environment for the app.
    log
        File for the app's stdout and stderr; in the temporary folder when omitted.
    timeout_s
        How long to wait for ``/_stcore/health`` to answer.
    port
        Port to listen on (a free one when omitted), for apps that must know it up front.
    """
    script = script.resolve()
    port = port or free_port()
    # Outside the work tree: a test run must leave nothing in the repository.
    log = log or Path(tempfile.gettempdir()) / f"streamlit-{script.stem}-{port}.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.enableStaticServing=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=script.parent,
            env={**os.environ, **(env or {})},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, process, log, timeout_s)
        yield StreamlitApp(url=url, log=log, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {process.returncode} before it was healthy; "
                f"its output ({log}):\n{_tail(log)}"
            )
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(
        f"streamlit did not answer {url}/_stcore/health within {timeout_s:.0f} s; "
        f"its output ({log}):\n{_tail(log)}"
    )


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


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


@contextlib.contextmanager
def launch_chromium(executable: str) -> Iterator[Browser]:
    """Give Debian's headless Chromium through Playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only when a browser runs

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def open_browser(enabled: bool) -> Iterator[Browser | None]:
    """Give headless Chromium for a benchmark, or None when not wanted (``--no-browser``)."""
    if not enabled:
        yield None
        return
    executable = find_chromium()
    if executable is None:
        raise SystemExit(
            "Chromium is not installed (looked for /usr/bin/chromium and chromium on PATH); "
            "install it with `apt-get install chromium`, or run with --no-browser."
        )
    with launch_chromium(executable) as browser:
        yield browser


# ------------------------------------------------------------------ timing (benchmarks)
@dataclass(frozen=True)
class View:
    """One page view: seconds until it was drawn, or why it was not."""

    seconds: float | None
    failure: str = ""


# True when drawn (``map``: ``selector`` in the map iframe; ``page``: in the page); the text
# of an error element when one shows.
_DRAWN_JS = """([mode, selector, minCount]) => {
  const error = document.querySelector("[data-testid='stException']");
  if (error) return "error: " + error.innerText.slice(0, 200);
  if (mode === "page") return document.querySelectorAll(selector).length >= minCount;
  const frame = document.querySelector("iframe[src*='st_folium']");
  const doc = frame && frame.contentDocument;
  return Boolean(doc && doc.querySelectorAll(selector).length >= minCount);
}"""


def server_error(log: Path) -> str:
    """Return the last error line of a Streamlit log, as a suffix; "" when there is none."""
    if not log.exists():
        return ""
    lines = [
        line.strip() for line in log.read_text(errors="replace").splitlines()
        if "Error" in line or "Traceback" in line or "exceeds" in line
    ]
    return f" (server: {lines[-1][:200]})" if lines else ""


def time_to_draw(
    browser: Browser, url: str, *, selector: str, min_count: int, timeout_s: float, log: Path,
    mode: str = "map",
) -> View:
    """Open ``url`` in a new browser context (a new session); time it until drawn.

    ``mode`` ``map``: until ``min_count`` of ``selector`` are in the map's iframe; ``page``:
    in the page itself. The benchmarks time views with it; no test asserts a time.
    """
    from playwright.sync_api import Error  # noqa: PLC0415 - only when a browser runs

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        start = time.perf_counter()
        deadline = start + timeout_s
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        while True:
            remaining_ms = (deadline - time.perf_counter()) * 1000
            if remaining_ms <= 0:
                return View(None, f"not drawn within {timeout_s:.0f} s{server_error(log)}")
            try:
                result = page.wait_for_function(
                    _DRAWN_JS, arg=[mode, selector, min_count], polling=100,
                    timeout=remaining_ms,
                ).json_value()
            except Error as error:  # a timeout, or the page replaced its document
                if "Timeout" in type(error).__name__ or "Timeout" in str(error):
                    continue
                page.wait_for_timeout(100)
                continue
            if result is True:
                return View(time.perf_counter() - start)
            return View(None, f"{result}{server_error(log)}")
    finally:
        context.close()
