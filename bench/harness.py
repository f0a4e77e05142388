"""Start Streamlit apps and headless Chromium: shared by the tests and the benchmarks.

The tests' pytest fixtures (``tests/conftest.py``) and the benchmark scripts in this folder
both start the dashboard with :func:`run_streamlit` and Debian's Chromium with
:func:`launch_chromium`; nothing here asserts or times anything. ``pyproject.toml`` puts
this folder on the tests' import path.
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,  # noqa: S310 - http://127.0.0.1
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
