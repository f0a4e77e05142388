"""What the benchmark scripts share: messages, memory, demo data, page views, the tables.

``bench/run.py`` (the hotspot map against one marker per report) and ``bench/store.py``
(the shared store against the in-memory frame) both import from here, as does
``bench/measure.py``; the processes they start (Streamlit, Chromium, PostgreSQL) come from
``bench/harness.py`` and ``bench/pg.py``, which the tests use too. Nothing here asserts a
target: the scripts print figures.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import find_chromium, launch_chromium, run_streamlit

if TYPE_CHECKING:
    from playwright.sync_api import Browser

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


# ------------------------------------------------------------------------ messages
def say(message: str) -> None:
    """Write a progress line to stderr, with the script's name and the time."""
    sys.stderr.write(f"[bench/{Path(sys.argv[0]).name} {time.strftime('%H:%M:%S')}] "
                     f"{message}\n")
    sys.stderr.flush()


def emit(record: dict[str, Any]) -> None:
    """Write one JSON line to stdout: how a worker process hands its figures back."""
    sys.stdout.write(json.dumps(record, default=str) + "\n")
    sys.stdout.flush()


def loadavg() -> str:
    """Return the 1, 5 and 15 minute load averages: other work on the machine skews timings."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ------------------------------------------------------------------------ memory
def _status_kib(pid: int | str, name: str) -> int | None:
    """Return a ``/proc/PID/status`` memory field in KiB; None when the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {name} line; is this Linux?")


def peak_rss_mb(pid: int | str = "self") -> float:
    """Return the peak resident memory (VmHWM) of a process in MB (10^6 bytes).

    Raises
    ------
    RuntimeError
        The process is gone, or ``/proc`` gives no peak (not Linux).
    """
    kib = _status_kib(pid, "VmHWM")
    if kib is None:
        raise RuntimeError(f"process {pid} is gone: no /proc/{pid}/status to read")
    return kib * 1024 / 1e6


def process_tree(pid: int) -> list[int]:
    """Return ``pid`` and every process descended from it (from /proc's children lists)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                queue += [int(child) for child in (task / "children").read_text().split()]
    return found


def tree_memory_mb(pid: int) -> dict[str, Any]:
    """Return the peak (VmHWM) and current (VmRSS) memory of a process tree, in MB.

    A process that ends while the tree is read counts as nothing.
    """
    pids = process_tree(pid)
    return {
        "processes": len(pids),
        "peak_rss_mb": sum(_status_kib(p, "VmHWM") or 0 for p in pids) * 1024 / 1e6,
        "rss_mb": sum(_status_kib(p, "VmRSS") or 0 for p in pids) * 1024 / 1e6,
    }


# ------------------------------------------------------------------------ demo data
_GENERATE_CODE = """
import sys
from pathlib import Path
from safetymap.demo import write_demo_data
write_demo_data(Path(sys.argv[1]), reports=int(sys.argv[2]), seed=int(sys.argv[3]))
"""


def demo_folder(work_dir: Path, size: int, seed: int) -> Path:
    """Return where the seeded demo data of ``size`` reports is kept under ``work_dir``."""
    return work_dir / "data" / f"seed{seed}-r{size}"


def ensure_data(folder: Path, size: int, seed: int) -> float | None:
    """Write the demo exports into ``folder`` unless a complete copy is there.

    The data is generated in a fresh process (its memory is not this one's). Returns the
    seconds it took, or None when the folder was already complete.
    """
    complete = folder / ".complete"
    if complete.exists():
        return None
    say(f"generating {size:,} demo reports into {folder}")
    if folder.exists():  # an interrupted run: start again
        shutil.rmtree(folder)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _GENERATE_CODE, str(folder), str(size), str(seed)],
                   cwd=ROOT, check=True, timeout=3600)
    complete.write_text("ok\n")
    return time.perf_counter() - start


# ------------------------------------------------------------------------ the tables
def seconds_text(value: float | None) -> str:
    """Return seconds for a table: milliseconds under 0.1 s, "-" when not measured."""
    if value is None:
        return "-"
    if value < 0.1:
        return f"{value * 1000:,.1f} ms"
    return f"{value:,.2f} s" if value < 10 else f"{value:,.1f} s"


def mb_text(value: float | None) -> str:
    """Return megabytes for a table, two decimals under 10 MB; "-" when not measured."""
    if value is None:
        return "-"
    return f"{value:,.1f} MB" if value >= 10 else f"{value:,.2f} MB"


def row(*cells: str) -> str:
    """Return one Markdown table row."""
    return "| " + " | ".join(cells) + " |"


def view_text(view: View | dict[str, Any] | None) -> str:
    """Return a page view for a table: its seconds, or why it was not drawn."""
    if not view:
        return "not measured"
    if isinstance(view, dict):
        view = View(view.get("seconds"), view.get("failure", ""))
    return seconds_text(view.seconds) if view.seconds is not None else view.failure


# ------------------------------------------------------------------------ the browser
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


@dataclass(frozen=True)
class PageView:
    """One page view to time: its name, the path after the server's URL, and when drawn."""

    name: str
    path: str
    selector: str
    min_count: int
    mode: str = "map"


def browse_dashboard(
    browser: Browser, env: dict[str, str], log: Path, views: Sequence[PageView], *,
    timeout_s: float,
) -> dict[str, Any]:
    """Serve the real dashboard with ``env``; time each view in a new browser session.

    Returns each view's ``seconds`` (or ``failure``) and the server's peak memory after it
    (``peak_rss_mb``, its process tree), and ``server_start_s``, ``memory_idle`` (before any
    page) and ``memory`` (after the last).
    """
    figures: dict[str, Any] = {}
    start = time.perf_counter()
    with run_streamlit(ROOT / "dashboard.py", env=env, log=log, timeout_s=120) as server:
        figures["server_start_s"] = time.perf_counter() - start
        figures["memory_idle"] = tree_memory_mb(server.process.pid)
        for view in views:
            drawn = time_to_draw(browser, server.url + view.path, mode=view.mode,
                                 selector=view.selector, min_count=view.min_count,
                                 timeout_s=timeout_s, log=log)
            memory = tree_memory_mb(server.process.pid)
            figures[view.name] = {"seconds": drawn.seconds, "failure": drawn.failure,
                                  "peak_rss_mb": memory["peak_rss_mb"]}
            say(f"dashboard {view.name}: {view_text(drawn)}, server peak "
                f"{memory['peak_rss_mb']:,.0f} MB")
        figures["memory"] = tree_memory_mb(server.process.pid)
    return figures
