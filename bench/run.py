"""Benchmark the hotspot map against the naive one-marker-per-report map, side by side.

Run from the project folder::

    .venv/bin/python bench/run.py --sizes 10000 100000 1000000 --out docs/benchmarks.md
    .venv/bin/python bench/run.py --quick                 # 2,000 and 10,000 reports
    .venv/bin/python bench/run.py --quick --no-browser    # no Streamlit, no Chromium

For each size, demo data is generated once (``safetymap.demo.write_demo_data``, seeded)
into ``--work-dir`` and every figure comes from a fresh process:

1. load and validate through ``FolderSource`` (the same for both approaches), with the
   peak memory of that process;
2. a filter change (district, or period county-wide) to a finished map, once warm:
   ours is ``analyse_hotspots`` on ``FrameCounts``, whose codes are worked out once as in
   the dashboard, then ``hotspot_layer``, ``hotspot_map`` and the HTML; naive is a folium
   MarkerCluster with one Marker per selected report, and its HTML;
3. the bytes of the map's HTML, all reports;
4. the time from navigation until the map's layer is in the streamlit-folium iframe, in
   headless Chromium, for a minimal Streamlit app serving each map (``bench/map_app.py``)
   and for the real dashboard (county page, then the Hotspots page);
5. the peak memory (VmHWM) of those server processes;
6. one-off warm-ups: first call against warm call.

Naive steps that run past ``--naive-timeout`` (a map build) or ``--browser-timeout`` (a
page) are stopped and reported as "did not finish within N s". Targets are printed with
PASS or MISS beside the figure they apply to; nothing here asserts them. Raw figures are
kept in ``<work-dir>/results.json``. With ``--out FILE`` the tables replace the part of
FILE between the ``bench:begin`` and ``bench:end`` comments, so the analysis written
around them stays.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import (
    BENCH_DIR,
    ROOT,
    PageView,
    View,
    browse_dashboard,
    demo_folder,
    ensure_data,
    loadavg,
    mb_text,
    open_browser,
    peak_rss_mb,
    row,
    say,
    seconds_text,
    time_to_draw,
    view_text,
)
from harness import CHROMIUM_ARGS, find_chromium, run_streamlit

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (2_000, 10_000)
#: Sizes at which a target applies (None: every size).
PAYLOAD_TARGET_MB = 2.0
FILTER_TARGET_S, FILTER_TARGET_AT = 1.0, 1_000_000
FIRST_PAGE_TARGET_S, FIRST_PAGE_TARGET_AT = 5.0, 100_000
MEMORY_TARGET_MB, MEMORY_TARGET_AT = 2_000.0, 1_000_000
#: Selectors of a drawn layer in the streamlit-folium iframe.
HEXAGONS = "path.leaflet-interactive"
MARKERS = ".marker-cluster, .leaflet-marker-icon"
DISTRICT_PATHS = 10
PACKAGES = (
    "streamlit", "streamlit-folium", "folium", "branca", "geopandas", "shapely", "pandas",
    "numpy", "h3", "esda", "libpysal", "pandera", "pyogrio", "playwright",
)
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
#: The dashboard's pages timed, in order: the county page twice (the second a new session
#: on a warm server), then the Hotspots page twice.
DASHBOARD_VIEWS = (
    PageView("county_first", "", HEXAGONS, DISTRICT_PATHS),
    PageView("county_warm", "", HEXAGONS, DISTRICT_PATHS),
    PageView("hotspots_first", "/hotspots", HEXAGONS, DISTRICT_PATHS + 1),
    PageView("hotspots_warm", "/hotspots", HEXAGONS, DISTRICT_PATHS + 1),
)
#: Most naive steps a worker runs (all reports, 5 districts, 4 periods), for its time limit.
NAIVE_STEPS = 10

_IMPORTS_CODE = """
import json, time
start = time.perf_counter()
import loaders.source, safetymap.analysis.patrol, safetymap.maps.hotspots, streamlit_folium
print(json.dumps({"seconds": time.perf_counter() - start}))
"""
# Only the loaders are imported, so the peak memory is loading's, not the analysis stack's.
_LOAD_CODE = f"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, {str(BENCH_DIR)!r})
from common import peak_rss_mb
from loaders.source import FolderSource
start = time.perf_counter()
dataset = FolderSource(Path(sys.argv[1])).load()
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "reports": len(dataset.streetsafe.frame),
                  "refused": len(dataset.streetsafe.problems), "peak_rss_mb": peak_rss_mb()}}))
"""


# ------------------------------------------------------------------------ workers
def _json_lines(text: str | bytes | None) -> list[dict[str, Any]]:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return [json.loads(line) for line in (text or "").splitlines() if line.startswith("{")]


def _run_worker(arguments: Sequence[str], *, timeout_s: float) -> list[dict[str, Any]]:
    """Run a Python worker; return its JSON lines (those written before a timeout too)."""
    command = [sys.executable, *arguments]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False, cwd=ROOT
        )
    except subprocess.TimeoutExpired as expired:
        say(f"worker stopped after {timeout_s:.0f} s: {' '.join(arguments[:3])}")
        return _json_lines(expired.stdout)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-30:])
        raise RuntimeError(f"{' '.join(command[:4])} failed ({done.returncode}):\n{tail}")
    return _json_lines(done.stdout)


# ------------------------------------------------------------------------ browser
def _prepare_map_app(work_dir: Path) -> Path:
    """Copy the bench app, its helpers and the map assets into the work folder."""
    from safetymap.settings import VENDOR_DIR  # noqa: PLC0415 - light, only with --browser

    app_dir = work_dir / "app"
    app_dir.mkdir(parents=True, exist_ok=True)
    for name in ("map_app.py", "measure.py", "common.py", "harness.py"):
        shutil.copy2(BENCH_DIR / name, app_dir / name)
    # Streamlit serves only a real static/ folder beside the script, not a symlink.
    shutil.copytree(VENDOR_DIR, app_dir / "static" / "vendor", dirs_exist_ok=True)
    return app_dir / "map_app.py"


def browse_map_app(
    browser: Browser, app: Path, folder: Path, kind: str, *, timeout_s: float, size: int
) -> dict[str, Any]:
    """Serve one map in the bench app; time the first and a second page view."""
    log = app.parent / f"streamlit-{kind}-{size}.log"
    env = {"BENCH_DATA": str(folder), "BENCH_KIND": kind}
    selector, count = (HEXAGONS, DISTRICT_PATHS + 1) if kind == "ours" else (MARKERS, 1)
    with run_streamlit(app, env=env, log=log, timeout_s=120) as server:
        first = time_to_draw(browser, server.url, selector=selector, min_count=count,
                             timeout_s=timeout_s, log=log)
        say(f"{kind} map app, first view: {view_text(first)}")
        warm = View(None, "not tried: the first view failed")
        if first.seconds is not None:
            warm = time_to_draw(browser, server.url, selector=selector, min_count=count,
                                timeout_s=timeout_s, log=log)
            say(f"{kind} map app, second view: {view_text(warm)}")
        memory = peak_rss_mb(server.process.pid)
    return {"first": asdict(first), "warm": asdict(warm), "peak_rss_mb": memory}


# ------------------------------------------------------------------------ one size
def measure_size(
    size: int, args: argparse.Namespace, browser: Browser | None, app: Path | None
) -> dict[str, Any]:
    """Take every measurement at one size; return the raw figures."""
    folder = demo_folder(args.work_dir, size, args.seed)
    generated_s = ensure_data(folder, size, args.seed)
    if generated_s is not None:
        say(f"{size:,}: generated demo data in {generated_s:.1f} s")
    record: dict[str, Any] = {"size": size, "generate_s": generated_s, "loadavg": loadavg()}
    record["load"] = _run_worker(["-c", _LOAD_CODE, str(folder)], timeout_s=3600)[-1]
    say(f"{size:,}: loaded {record['load']['reports']:,} reports "
         f"in {record['load']['seconds']:.1f} s")
    quick = ["--quick"] if args.quick else []
    record["ours"] = _run_worker(
        [str(BENCH_DIR / "measure.py"), "ours", str(folder), *quick], timeout_s=3600
    )[-1]
    say(f"{size:,}: ours done")
    steps = NAIVE_STEPS
    record["naive"] = _run_worker(
        [str(BENCH_DIR / "measure.py"), "naive", str(folder),
         "--timeout", str(args.naive_timeout), *quick],
        timeout_s=600 + steps * (args.naive_timeout + 120),
    )
    say(f"{size:,}: naive done")
    if browser is not None and app is not None:
        record["map_app"] = {
            kind: browse_map_app(browser, app, folder, kind, size=size,
                                 timeout_s=args.browser_timeout)
            for kind in ("ours", "naive")
        }
        env = {
            "SAFETYMAP_DATA": str(folder), "SAFETYMAP_MAP_ASSETS": "local",
            "SAFETYMAP_ROLE": "police", "SAFETYMAP_CACHE_DIR": str(args.work_dir / "cache"),
        }
        record["dashboard"] = browse_dashboard(
            browser, env, args.work_dir / f"streamlit-dashboard-{size}.log", DASHBOARD_VIEWS,
            timeout_s=args.browser_timeout,
        )
    return record


# ------------------------------------------------------------------------ the table
def _ratio(naive: float | None, ours: float | None, *, at_least: bool = False) -> str:
    if naive is None or ours is None or ours <= 0:
        return "-"
    return f"{'> ' if at_least else ''}{naive / ours:,.1f}x"


def _verdict(value: float | None, limit: float, applies: bool) -> str:
    if not applies:
        return ""
    if value is None:
        return "MISS"
    return "PASS" if value <= limit else "MISS"


def _median(values: list[float]) -> float | None:
    """Return the median, the higher middle value for an even count; inf is a timeout."""
    if not values:
        return None
    return statistics.median_high(values)


def _naive_steps(record: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [step for step in record["naive"] if step.get("step") == kind]


def _naive_cell(steps: list[dict[str, Any]], ours: float | None) -> tuple[str, str]:
    """Return the naive figure (median total) and its ratio; timeouts count as infinite."""
    if not steps:
        return "not measured (worker stopped)", "-"
    totals = [step.get("total_s", float("inf")) for step in steps]
    middle = _median(totals)
    timeout = max(step.get("timeout_s", 0.0) for step in steps)
    unfinished = sum(1 for step in steps if step.get("timed_out"))
    note = f" ({unfinished} of {len(steps)} did not finish within {timeout:.0f} s)"
    if middle is None or middle == float("inf"):
        return f"did not finish within {timeout:.0f} s{note if len(steps) > 1 else ''}", (
            _ratio(timeout, ours, at_least=True)
        )
    return seconds_text(middle) + (note if unfinished else ""), _ratio(middle, ours)


def main_table(records: list[dict[str, Any]]) -> list[str]:
    """Return the side-by-side table: every measure, ours, naive, ratio, target, result."""
    lines = [
        row("measure", "reports", "ours", "naive", "naive/ours", "target", "result"),
        row(*["---"] * 3, *["---:"] * 2, "---", "---"),
    ]

    def add(measure: str, size: int, *cells: str) -> None:
        lines.append(row(measure, f"{size:,}", *cells))

    for record in records:
        size, load = record["size"], record["load"]
        add("Load and validate (FolderSource; same for both)", size,
            seconds_text(load["seconds"]), "same", "1.0x", "", "")
    for record in records:
        size, load = record["size"], record["load"]
        add("Peak memory of the loading process", size,
            mb_text(load["peak_rss_mb"]), "same", "1.0x", "", "")
    for kind, words in (("district", "district"), ("period", "period, county-wide")):
        for record in records:
            size, ours = record["size"], record["ours"]
            runs = [run["total_s"] for run in ours["warm_pass"] if run["kind"] == kind]
            middle = _median(runs)
            naive, ratio = _naive_cell(_naive_steps(record, kind), middle)
            applies = size == FILTER_TARGET_AT
            add(f"Filter change ({words}) to finished map, warm; median of {len(runs)}", size,
                seconds_text(middle) if middle is not None else "-", naive, ratio,
                f"<= {FILTER_TARGET_S:.0f} s at {FILTER_TARGET_AT:,}",
                _verdict(middle, FILTER_TARGET_S, applies))
    for record in records:
        size, ours = record["size"], record["ours"]
        naive, ratio = _naive_cell(_naive_steps(record, "default"), ours["again"]["total_s"])
        add("All reports to finished map (no filter), warm", size,
            seconds_text(ours["again"]["total_s"]), naive, ratio, "", "")
    for record in records:
        size, ours = record["size"], record["ours"]
        payload = ours["first"]["bytes"] / 1e6
        steps = _naive_steps(record, "default")
        if steps and "bytes" in steps[0]:
            naive_mb = steps[0]["bytes"] / 1e6
            naive, ratio = mb_text(naive_mb), _ratio(naive_mb, payload)
        elif steps:
            estimate = steps[0]["markers"] * _bytes_per_marker(records) / 1e6
            naive = f"not built within {steps[0]['timeout_s']:.0f} s (~{mb_text(estimate)} at the "
            naive += "rate of smaller sizes)" if estimate else ")"
            ratio = _ratio(estimate, payload) if estimate else "-"
        else:
            naive, ratio = "not measured", "-"
        add(f"Map payload, all reports (HTML; ours {ours['first']['cells']:,} hexagons)", size,
            mb_text(payload), naive, ratio, f"<= {PAYLOAD_TARGET_MB:.0f} MB",
            _verdict(payload, PAYLOAD_TARGET_MB, applies=True))
    browsed = [record for record in records if "map_app" in record]
    for record in browsed:
        apps = record["map_app"]
        ours_s, naive_s = apps["ours"]["warm"]["seconds"], apps["naive"]["warm"]["seconds"]
        add("Map drawn in Chromium, all reports (bench app, warm server)", record["size"],
            view_text(apps["ours"]["warm"]), view_text(apps["naive"]["warm"]),
            _ratio(naive_s, ours_s), "", "")
    for record in browsed:
        apps = record["map_app"]
        add("Server peak memory, bench app serving that map", record["size"],
            mb_text(apps["ours"]["peak_rss_mb"]), mb_text(apps["naive"]["peak_rss_mb"]),
            _ratio(apps["naive"]["peak_rss_mb"], apps["ours"]["peak_rss_mb"]), "", "")
    for record in browsed:
        size, view = record["size"], record["dashboard"]["county_warm"]
        add("Dashboard first page drawn (county map; new session, data loaded)", size,
            view_text(view), "-", "-",
            f"<= {FIRST_PAGE_TARGET_S:.0f} s at {FIRST_PAGE_TARGET_AT:,}",
            _verdict(view["seconds"], FIRST_PAGE_TARGET_S, size == FIRST_PAGE_TARGET_AT))
    for record in browsed:
        size, view = record["size"], record["dashboard"]["hotspots_warm"]
        add("Dashboard Hotspots page drawn (new session, analysis cached)", size,
            view_text(view), "-", "-", "", "")
    for record in browsed:
        # after loading, the county page and one Hotspots page view, as the target asks
        size, dashboard = record["size"], record["dashboard"]["hotspots_first"]
        add("Dashboard server peak memory (load, county page, one Hotspots view)", size,
            mb_text(dashboard["peak_rss_mb"]), "-", "-",
            f"<= {MEMORY_TARGET_MB / 1000:.0f} GB at {MEMORY_TARGET_AT:,}",
            _verdict(dashboard["peak_rss_mb"], MEMORY_TARGET_MB, size == MEMORY_TARGET_AT))
    return lines


def _bytes_per_marker(records: list[dict[str, Any]]) -> float:
    """Return the naive map's bytes per marker at the largest size where it was built."""
    built = [
        step for record in records for step in _naive_steps(record, "default") if "bytes" in step
    ]
    if not built:
        return 0.0
    largest = max(built, key=lambda step: step["markers"])
    return float(largest["bytes"]) / max(largest["markers"], 1)


def warmup_table(records: list[dict[str, Any]], imports_s: float) -> list[str]:
    """Return the one-off warm-ups: what the first call costs against a warm call."""
    lines = [
        row("one-off warm-up (paid once per server process)", "reports", "first", "warm",
             "first/warm"),
        row("---", "---", "---:", "---:", "---:"),
        row("Import the loaders, analysis and map libraries", "any", seconds_text(imports_s),
            "-", "-"),
    ]
    for record in records:
        size, ours, load = record["size"], record["ours"], record["load"]
        lines.append(row("Load and validate the data (st.cache_resource)", f"{size:,}",
                          seconds_text(load["seconds"]), "0 s (cached)", "-"))
        lines.append(row("Cell, time and reason codes of every report (once per dataset)",
                          f"{size:,}", seconds_text(ours["report_cells_s"]), "0 s (cached)", "-"))
        first, again = ours["first"]["analyse_s"], ours["again"]["analyse_s"]
        lines.append(row("analyse_hotspots, all reports, same filter again", f"{size:,}",
                          seconds_text(first), seconds_text(again), _ratio(first, again)))
        for kind in ("district", "period"):
            cold = _median([r["analyse_s"] for r in ours["first_pass"] if r["kind"] == kind])
            warm = _median([r["analyse_s"] for r in ours["warm_pass"] if r["kind"] == kind])
            lines.append(row(f"analyse_hotspots, a {kind} chosen for the first time vs again",
                             f"{size:,}", seconds_text(cold or 0), seconds_text(warm or 0),
                             _ratio(cold, warm)))
        if "dashboard" in record:
            dashboard = record["dashboard"]
            for page, words in (("county", "county page"), ("hotspots", "Hotspots page")):
                first_view, warm_view = dashboard[f"{page}_first"], dashboard[f"{page}_warm"]
                lines.append(row(
                    f"Dashboard {words} drawn: first after server start vs a new session",
                    f"{size:,}", view_text(first_view), view_text(warm_view),
                    _ratio(first_view["seconds"], warm_view["seconds"]),
                ))
            for kind in ("ours", "naive"):
                app = record["map_app"][kind]
                lines.append(row(
                    f"Bench app ({kind}) map drawn: first after server start vs a new session",
                    f"{size:,}", view_text(app["first"]), view_text(app["warm"]),
                    _ratio(app["first"]["seconds"], app["warm"]["seconds"]),
                ))
    return lines


def breakdown_table(records: list[dict[str, Any]]) -> list[str]:
    """Return where our time goes: aggregation + Gi*, layer, map + HTML, per change kind."""
    lines = [
        row("our map, warm (median run)", "reports", "selected", "hexagons", "dots",
             "aggregation + Gi*", "layer", "map + HTML", "total", "payload",
             "places, listed after the map"),
        row("---", "---", *["---:"] * 9),
    ]
    for record in records:
        ours, size = record["ours"], record["size"]
        rows: list[tuple[str, dict[str, Any]]] = []
        for kind in ("district", "period"):
            runs = sorted(
                (run for run in ours["warm_pass"] if run["kind"] == kind),
                key=lambda run: run["total_s"],
            )
            if runs:
                rows.append((f"{kind} change", runs[len(runs) // 2]))
        rows.append(("all reports", ours["again"]))
        rows.append(("all reports, resolution 8 (about 920 m)", ours["coarse"]))
        for name, run in rows:
            lines.append(row(
                name, f"{size:,}", f"{run['selected']:,}", f"{run['cells']:,}",
                f"{run['dots']:,}", seconds_text(run["analyse_s"]), seconds_text(run["layer_s"]),
                seconds_text(run["map_s"]),
                seconds_text(run["total_s"]), mb_text(run["bytes"] / 1e6),
                seconds_text(run["places_s"]) if "places_s" in run else "-",
            ))
    return lines


def machine(chromium: str) -> list[str]:
    """Return lines describing this machine and the package versions."""
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    model = next(
        (line.split(":", 1)[1].strip() for line in
         Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return [
        (f"- Machine: {os.cpu_count()} cores ({model}), {memory_kib / 2**20:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}"),
        f"- Python {platform.python_version()}; {chromium}",
        f"- Packages: {', '.join(versions)}",
    ]


def chromium_version(browser: Browser | None) -> str:
    """Return the Chromium version, from the running browser or its --version."""
    if browser is not None:
        return f"Chromium {browser.version} (headless, {' '.join(CHROMIUM_ARGS)})"
    executable = find_chromium()
    if executable is None:
        return "Chromium not installed"
    output = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=False, timeout=30
    ).stdout.strip()
    return output or "Chromium (version unknown)"


def report(
    records: list[dict[str, Any]], *, imports_s: float, command: str, chromium: str,
    started: datetime, total_s: float, args: argparse.Namespace,
) -> str:
    """Return the whole report as Markdown: when, where, how, and the three tables."""
    lines = [
        f"Run on {started:%Y-%m-%d} from {started:%H:%M} UTC, {total_s / 60:.1f} minutes in all.",
        "",
        *machine(chromium),
        f"- Command: `{command}`",
        "- Load average (1, 5, 15 min) when each size started: "
        + "; ".join(f"{record['size']:,}: {record['loadavg']}" for record in records)
        + f"; at the end: {loadavg()}",
        (f"- Demo data: `write_demo_data(..., seed={args.seed})`; naive map builds stopped "
        f"after {args.naive_timeout:.0f} s, page views after {args.browser_timeout:.0f} s."),
        "",
        "### Ours against naive",
        "",
        *main_table(records),
        "",
        "### One-off warm-ups",
        "",
        *warmup_table(records, imports_s),
        "",
        "### Where our time goes",
        "",
        *breakdown_table(records),
        "",
    ]
    return "\n".join(lines)


def write_out(path: Path, text: str) -> None:
    """Put ``text`` between the bench markers of ``path``, keeping the rest of the file."""
    block = f"{BEGIN}\n{text}\n{END}"
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if BEGIN in current and END in current:
            head, rest = current.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(head + block + tail, encoding="utf-8")
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Benchmarks\n\n{block}\n", encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark the hotspot map against one marker per report.",
        epilog="Example: .venv/bin/python bench/run.py --sizes 10000 100000 1000000 "
        "--out docs/benchmarks.md",
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of reports "
                        f"(default {' '.join(map(str, DEFAULT_SIZES))}; with --quick "
                        f"{' '.join(map(str, QUICK_SIZES))})")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: small sizes, 1 district and 1 period change")
    parser.add_argument("--no-browser", dest="browser", action="store_false",
                        help="skip Streamlit and Chromium (steps 4 and 5)")
    parser.add_argument("--seed", type=int, default=7, help="demo data seed (default 7)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "bench",
                        help="where data, logs and results.json go (default build/bench)")
    parser.add_argument("--naive-timeout", type=float, default=300.0,
                        help="seconds a naive map may take to build and render (default 300)")
    parser.add_argument("--browser-timeout", type=float, default=600.0,
                        help="seconds a page may take to draw its map (default 600)")
    parser.add_argument("--out", type=Path, help="Markdown file to write the tables into")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if any(size < 1 for size in args.sizes):
        parser.error(f"--sizes must be whole numbers of 1 or more, got {args.sizes}")
    args.work_dir = args.work_dir.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the tables; write them to ``--out`` when given."""
    args = parse_args(argv)
    started, clock = datetime.now(UTC), time.perf_counter()
    command = " ".join([".venv/bin/python bench/run.py", *(argv or sys.argv[1:])])
    args.work_dir.mkdir(parents=True, exist_ok=True)
    imports_s = _run_worker(["-c", _IMPORTS_CODE], timeout_s=600)[-1]["seconds"]
    records = []
    with open_browser(args.browser) as browser:
        app = _prepare_map_app(args.work_dir) if browser is not None else None
        chromium = chromium_version(browser)
        for size in args.sizes:
            records.append(measure_size(size, args, browser, app))
            # Kept as we go, so a long run that is stopped still leaves its figures.
            (args.work_dir / "results.json").write_text(json.dumps(records, indent=1))
    text = report(records, imports_s=imports_s, command=command, chromium=chromium,
                  started=started, total_s=time.perf_counter() - clock, args=args)
    sys.stdout.write(text + "\n")
    if args.out is not None:
        write_out(args.out, text)
        say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
