"""Benchmark the shared store (PostGIS or GeoPackage) against the in-memory frame.

Run from the project folder::

    .venv/bin/python bench/store.py --size 1000000 --store postgis
    .venv/bin/python bench/store.py --size 100000 --store gpkg --out build/bench/store
    .venv/bin/python bench/store.py --size 10000 --no-browser      # no Streamlit, no Chromium

For one size of the seeded demo data (``build/bench/data/seed7-rSIZE``, generated when
missing), in a store made for the run (a throwaway PostgreSQL cluster from ``bench/pg.py``,
which the tests use too, or a new ``.gpkg`` file), every figure comes from a fresh process:

1. ingest: ``store.ingest(kind, [file])`` of the StreetSafe file, then the survey and
   services files, with the split between validating and writing; the store's size on
   disk afterwards (PostGIS: ``pg_database_size``, less the empty database; GeoPackage:
   the file and its write-ahead log);
2. counting, for all reports, one district (Watford) and a county-wide period: the time
   of ``StoreReports.count(filters, ("district_code",))`` and of
   ``analyse_hotspots(StoreReports(...), filters)``, the first time and again (median of
   ``--repeats``), against ``FrameCounts`` over the same folder loaded in memory, timed the
   same way after its one-off warm-up (load, then the codes of every report), which is
   timed too. The study areas (district outlines) are read once beforehand in both, so
   "first" is the counting, not the geography. Every call ``analyse_hotspots`` makes to
   the store is timed, to show where its time goes;
3. the real dashboard in headless Chromium (``SAFETYMAP_MAP_ASSETS=local``,
   ``SAFETYMAP_ROLE=analyst``), once on the store and once with ``SAFETYMAP_DATA`` = the
   folder: time from navigation until the County map, Hotspots and Board overview pages
   are drawn (first after the server started, then a new session), two filter changes
   opened by link on the Hotspots page (not cached yet), and the peak resident memory
   (VmHWM) of the Streamlit process tree afterwards.

Nothing here asserts a target. The figures are printed as Markdown and written to
``<out>/store-<store>-r<size>.json`` and ``.md``; Streamlit logs go beside them. The
PostgreSQL cluster and the servers started are stopped at the end, whatever happens; a
GeoPackage store is deleted unless ``--keep-store``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from common import (
    ROOT,
    PageView,
    browse_dashboard,
    emit,
    ensure_data,
    loadavg,
    mb_text,
    open_browser,
    peak_rss_mb,
    row,
    say,
    seconds_text,
    view_text,
)
from playwright.sync_api import Error as PlaywrightError

sys.path.insert(0, str(ROOT))  # loaders, safetymap and geodata when run as a script

from loaders.counts import Slot
from loaders.store.base import Selection

#: The filters timed: every report, one district (Watford), a county-wide quarter.
WATFORD = "E07000103"
PERIOD = (date(2026, 1, 1), date(2026, 3, 31))
#: The counting the County map page does.
COUNT_BY: tuple[str, ...] = ("district_code",)
#: Dimensions FrameCounts works out once per dataset (as ``bench/measure.py`` warms it).
WARM_UP_BY: tuple[tuple[str, ...], ...] = (
    ("cell",), ("reason",), ("event_weekday", "event_month"),
    ("occurred_weekday", "occurred_hour", "time_of_day", "district_code"),
)
#: A map layer is drawn once this many paths are in the streamlit-folium iframe.
DISTRICT_PATHS = 10
HEXAGONS = "path.leaflet-interactive"
#: The Board overview's last element: the page's script has run to its end.
BOARD_DONE = "[data-testid='stDownloadButton']"


def filter_cases() -> list[tuple[str, str, Any]]:
    """Return (name, words, Filters) of every selection timed."""
    from safetymap.analysis.filters import Filters  # noqa: PLC0415 - workers only

    return [
        ("all", "all reports", Filters()),
        ("district", f"one district ({WATFORD}, Watford)", Filters(districts=(WATFORD,))),
        ("period", f"county-wide, {PERIOD[0]:%Y-%m-%d}..{PERIOD[1]:%Y-%m-%d}",
         Filters(start=PERIOD[0], end=PERIOD[1])),
    ]


# ------------------------------------------------------------------------ small helpers
def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


# ------------------------------------------------------------------------ timed counting
@dataclass
class TimedReports:
    """Wrap a ``ReportCounts`` and record every call made to it, and how long it took."""

    inner: Any
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Return the wrapped reports' key."""
        return str(self.inner.key)

    def _record(self, method: str, detail: str, call: Callable[[], Any]) -> Any:
        seconds, result = _timed(call)
        self.calls.append({"method": method, "detail": detail, "seconds": seconds,
                           "rows": len(result) if hasattr(result, "__len__") else None})
        return result

    def count(
        self, filters: Selection, by: tuple[str, ...] = (), *, resolution: int = 9,
        slot: Slot | None = None,
    ) -> pd.DataFrame:
        """Count, timed."""
        detail = f"by {','.join(by) or '-'}" + (f" r{resolution}" if "cell" in by else "")
        return self._record("count", detail, lambda: self.inner.count(
            filters, by, resolution=resolution, slot=slot))

    def span(self, filters: Selection) -> tuple[date, date] | None:
        """Span, timed."""
        return self._record("span", "", lambda: self.inner.span(filters))

    def rows(self, filters: Selection, *, slot: Slot | None = None) -> pd.DataFrame:
        """Rows, timed."""
        return self._record("rows", "", lambda: self.inner.rows(filters, slot=slot))

    def take(self) -> list[dict[str, Any]]:
        """Return the calls recorded so far and forget them."""
        calls, self.calls = self.calls, []
        return calls


def time_selections(reports: Any, repeats: int) -> dict[str, Any]:
    """Time ``count`` by district and ``analyse_hotspots`` per selection, first and again."""
    from safetymap.analysis.patrol import analyse_hotspots  # noqa: PLC0415 - workers only

    timed = TimedReports(reports)
    cases: dict[str, Any] = {}
    for name, words, chosen in filter_cases():
        first_s, counted = _timed(lambda chosen=chosen: reports.count(chosen, COUNT_BY))
        again = [_timed(lambda chosen=chosen: reports.count(chosen, COUNT_BY))[0]
                 for _ in range(repeats)]
        analyse_first_s, analysis = _timed(lambda chosen=chosen: analyse_hotspots(timed, chosen))
        calls = timed.take()
        analyse_again = []
        for _ in range(repeats):
            analyse_again.append(_timed(lambda chosen=chosen: analyse_hotspots(timed, chosen))[0])
            timed.take()
        cases[name] = {
            "words": words,
            "selected": int(counted["reports"].sum()),
            "districts_counted": len(counted),
            "count_first_s": first_s, "count_again_s": again,
            "count_again_median_s": _median(again),
            "analyse_first_s": analyse_first_s, "analyse_again_s": analyse_again,
            "analyse_again_median_s": _median(analyse_again),
            "analyse_selected": analysis.selected_reports,
            "analyse_cells": len(analysis.result.cells),
            "analyse_calls": calls,
        }
        say(f"{name}: count {first_s:.3f} s then {_median(again):.3f} s; analyse "
             f"{analyse_first_s:.3f} s then {_median(analyse_again):.3f} s "
             f"({len(calls)} calls to the reports)")
    return cases


def warm_geography() -> float:
    """Read the study areas of every selection once (the same one-off for both sides)."""
    from safetymap.analysis.patrol import study_area  # noqa: PLC0415 - workers only

    start = time.perf_counter()
    for _, _, chosen in filter_cases():
        study_area(chosen.districts)
    return time.perf_counter() - start


# ------------------------------------------------------------------------ workers
def worker_ingest(url: str, folder: Path) -> None:
    """Ingest the demo folder into the store, kind by kind; emit the times."""
    from loaders.source import files_by_kind  # noqa: PLC0415 - a worker's imports
    from loaders.store import IngestProgress, open_store  # noqa: PLC0415

    opened_s, store = _timed(lambda: open_store(url))
    files, _ = files_by_kind(folder)
    kinds: dict[str, Any] = {}
    for kind in ("streetsafe", "survey", "services"):
        marks: dict[str, float] = {}
        last_said = [time.monotonic()]

        def progress(step: IngestProgress, marks: dict[str, float] = marks,
                     last_said: list[float] = last_said, kind: str = kind) -> None:
            marks.setdefault(step.stage, time.perf_counter())
            if time.monotonic() - last_said[0] > 30:
                last_said[0] = time.monotonic()
                say(f"ingest {kind}: {step.stage} {step.done:,} of {step.total:,}")

        start = time.perf_counter()
        summary = store.ingest(kind, files[kind], progress=progress)
        end = time.perf_counter()
        writing = marks.get("writing")
        kinds[kind] = {
            "files": [path.name for path in files[kind]],
            "bytes": sum(path.stat().st_size for path in files[kind]),
            "seconds": end - start,
            "validate_s": (writing - start) if writing is not None else None,
            "write_s": (end - writing) if writing is not None else None,
            "added": summary.added, "already_present": summary.already_present,
            "refused": summary.refused,
        }
        say(f"ingested {kind}: {summary.added:,} added in {end - start:.1f} s")
    emit({"open_s": opened_s, "kinds": kinds, "revision": store.revision(),
           "peak_rss_mb": peak_rss_mb()})


def worker_store(url: str, repeats: int) -> None:
    """Time counting in the store; emit the figures."""
    from loaders.store import open_store  # noqa: PLC0415 - a worker's imports
    from safetymap.datasource import StoreReports  # noqa: PLC0415

    opened_s, store = _timed(lambda: open_store(url))
    revision_s, revision = _timed(store.revision)
    # One connection and a trivial query: paid by every call, as each opens its own.
    overhead = [_timed(store.revision)[0] for _ in range(max(repeats, 5))]
    geography_s = warm_geography()
    reports = StoreReports(store, revision)
    cases = time_selections(reports, repeats)
    emit({"open_s": opened_s, "revision_s": revision_s, "call_overhead_s": overhead,
           "call_overhead_median_s": _median(overhead), "geography_s": geography_s,
           "cases": cases, "peak_rss_mb": peak_rss_mb()})


def worker_frame(folder: Path, repeats: int) -> None:
    """Time FrameCounts over the folder loaded in memory; emit the figures."""
    from loaders.source import FolderSource  # noqa: PLC0415 - a worker's imports
    from safetymap.analysis.counts import FrameCounts  # noqa: PLC0415
    from safetymap.analysis.filters import Filters  # noqa: PLC0415

    load_s, dataset = _timed(lambda: FolderSource(folder).load())
    frame = dataset.streetsafe.frame
    loaded_mb = peak_rss_mb()
    start = time.perf_counter()
    counts = FrameCounts(frame)
    for by in WARM_UP_BY:
        counts.count(Filters(), by)
    warm_up_s = time.perf_counter() - start
    geography_s = warm_geography()
    cases = time_selections(counts, repeats)
    emit({"load_s": load_s, "reports": len(frame), "peak_rss_after_load_mb": loaded_mb,
           "warm_up_s": warm_up_s, "geography_s": geography_s, "cases": cases,
           "peak_rss_mb": peak_rss_mb()})


def run_worker(arguments: Sequence[str], *, timeout_s: float) -> dict[str, Any]:
    """Run this script as a worker; return the JSON record it wrote last."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", *arguments]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=None,
                            text=True, timeout=timeout_s, check=False)
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not records:
        raise RuntimeError(f"worker {arguments[0]} failed with code {result.returncode}")
    return dict(records[-1])


# ------------------------------------------------------------------------ stores
@dataclass(frozen=True)
class StoreUnderTest:
    """The store a run fills: its setting (URL or path) and how to weigh it."""

    kind: str
    url: str
    size: Callable[[], dict[str, Any]]
    details: dict[str, Any]


def _postgres_sizes(url: str, empty_bytes: int) -> dict[str, Any]:
    import psycopg  # noqa: PLC0415 - only with --store postgis

    with psycopg.connect(url) as connection:
        database = int(connection.execute(
            "SELECT pg_database_size(current_database())").fetchone()[0])
        tables = {
            str(name): int(size) for name, size in connection.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'safetymap' AND c.relkind = 'r'").fetchall()
        }
        stats = connection.execute(
            "SELECT n_live_tup, last_analyze, last_autoanalyze FROM pg_stat_user_tables "
            "WHERE schemaname = 'safetymap' AND relname = 'streetsafe'").fetchone()
    return {
        "database_bytes": database, "empty_database_bytes": empty_bytes,
        "store_bytes": database - empty_bytes, "table_bytes": tables,
        "streetsafe_stats": None if stats is None else {
            "n_live_tup": stats[0], "last_analyze": stats[1], "last_autoanalyze": stats[2],
        },
    }


def analyze_store(kind: str, url: str) -> float:
    """Run ``ANALYZE`` on the store (the ingest does not); return the seconds it took."""
    start = time.perf_counter()
    if kind == "postgis":
        import psycopg  # noqa: PLC0415 - only with --store postgis

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    else:
        import sqlite3  # noqa: PLC0415 - only with --store gpkg

        connection = sqlite3.connect(url, isolation_level=None)
        try:
            connection.execute("ANALYZE")
        finally:
            connection.close()
    return time.perf_counter() - start


def _gpkg_sizes(path: Path) -> dict[str, Any]:
    sizes = {suffix or "file": Path(f"{path}{suffix}").stat().st_size
             for suffix in ("", "-wal", "-shm") if Path(f"{path}{suffix}").exists()}
    return {"store_bytes": sum(sizes.values()), "files": sizes}


@contextlib.contextmanager
def store_under_test(kind: str, out: Path, size: int, *, keep: bool) -> Iterator[StoreUnderTest]:
    """Give an empty store of ``kind`` for the run; stop or delete it afterwards."""
    if kind == "gpkg":
        path = out / f"store-r{size}.gpkg"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            yield StoreUnderTest("gpkg", str(path), lambda: _gpkg_sizes(path),
                                 {"path": str(path)})
        finally:
            if not keep:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg  # noqa: PLC0415 - only with --store postgis
    from pg import postgres_cluster  # noqa: PLC0415 - only with --store postgis

    with postgres_cluster() as cluster:
        url = cluster.new_database()
        with psycopg.connect(url) as connection:
            empty = int(connection.execute(
                "SELECT pg_database_size(current_database())").fetchone()[0])
            version = str(connection.execute("SHOW server_version").fetchone()[0])
            postgis = str(connection.execute("SELECT postgis_lib_version()").fetchone()[0])
            buffers = str(connection.execute("SHOW shared_buffers").fetchone()[0])
        say(f"PostgreSQL {version} with PostGIS {postgis} on port {cluster.port} "
             f"(started in {cluster.started_in_s:.1f} s)")
        yield StoreUnderTest(
            "postgis", url, lambda: _postgres_sizes(url, empty),
            {"server_version": version, "postgis": postgis, "shared_buffers": buffers,
             "settings": "fsync=off, synchronous_commit=off, full_page_writes=off "
                         "(bench/pg.py)", "started_in_s": cluster.started_in_s},
        )
        say("stopping the PostgreSQL cluster")


# ------------------------------------------------------------------------ browser
#: Each page view timed, in order: first after the server started, then a new session,
#: then two filter changes opened by link.
PAGE_VIEWS: tuple[PageView, ...] = (
    PageView("county_first", "/", HEXAGONS, DISTRICT_PATHS),
    PageView("hotspots_first", "/hotspots", HEXAGONS, DISTRICT_PATHS + 1),
    PageView("board_first", "/board_overview", BOARD_DONE, 1, mode="page"),
    PageView("county_again", "/", HEXAGONS, DISTRICT_PATHS),
    PageView("hotspots_again", "/hotspots", HEXAGONS, DISTRICT_PATHS + 1),
    PageView("board_again", "/board_overview", BOARD_DONE, 1, mode="page"),
    PageView("hotspots_district", f"/hotspots?district={WATFORD}", HEXAGONS, DISTRICT_PATHS + 1),
    PageView("hotspots_period", f"/hotspots?from={PERIOD[0]:%Y-%m-%d}&to={PERIOD[1]:%Y-%m-%d}",
             HEXAGONS, DISTRICT_PATHS + 1),
)


def dashboard_env(out: Path, *, store: str = "", data: str = "") -> dict[str, str]:
    """Return the dashboard's settings: the store or the folder, local assets, analyst."""
    return {
        "SAFETYMAP_STORE": store, "SAFETYMAP_DATA": data, "SAFETYMAP_MAP_ASSETS": "local",
        "SAFETYMAP_ROLE": "analyst", "SAFETYMAP_CACHE_DIR": str(out / "cache"),
        "SAFETYMAP_HEADER_MAP": "", "SAFETYMAP_TILES": "",
    }


# ------------------------------------------------------------------------ the report
def _ratio(store: float | None, frame: float | None) -> str:
    if store is None or frame is None or frame <= 0:
        return "-"
    return f"{store / frame:,.1f}x"


def report(record: dict[str, Any]) -> str:
    """Return the run's figures as Markdown."""
    size, kind = record["size"], record["store"]
    name = "PostGIS" if kind == "postgis" else "GeoPackage"
    lines = [
        f"## Store benchmark: {name}, {size:,} reports",
        "",
        (f"Run on {record['started']} ({record['total_s'] / 60:.1f} minutes); "
         f"`{record['command']}`."),
        "",
        f"- Machine: {record['machine']}",
        (f"- Data: `{record['data']}`; load average at the start {record['loadavg_start']}, "
         f"at the end {record['loadavg_end']}"),
    ]
    if record["store_details"]:
        details = ", ".join(f"{k} {v}" for k, v in record["store_details"].items())
        lines.append(f"- Store: {details}")
    lines += ["", "### Ingest and size", "",
              row("kind", "file", "rows added", "ingest", "validate", "write", "rows/s"),
              row("---", "---:", "---:", "---:", "---:", "---:", "---:")]
    ingest = record["ingest"]
    for kind_name, figures in ingest["kinds"].items():
        rate = figures["added"] / figures["seconds"] if figures["seconds"] else 0
        lines.append(row(kind_name, mb_text(figures["bytes"] / 1e6), f"{figures['added']:,}",
                          seconds_text(figures["seconds"]), seconds_text(figures["validate_s"]),
                          seconds_text(figures["write_s"]), f"{rate:,.0f}"))
    sizes = record["store_size"]
    if "database_bytes" in sizes:
        parts = (f"database {mb_text(sizes['database_bytes'] / 1e6)} less the empty database "
                 f"with PostGIS, {mb_text(sizes['empty_database_bytes'] / 1e6)}; the streetsafe "
                 "table with its indexes "
                 f"{mb_text(sizes['table_bytes'].get('streetsafe', 0) / 1e6)}")
    else:
        parts = ", ".join(f"{k} {mb_text(v / 1e6)}" for k, v in sizes["files"].items())
    lines += ["", (f"Store on disk after ingest: **{mb_text(sizes['store_bytes'] / 1e6)}** "
                   f"({parts}); ingest worker peak memory {mb_text(ingest['peak_rss_mb'])}.")]
    if record.get("analyze_s") is not None:
        lines += ["", (f"`ANALYZE` was run again after the ingest, before the timings "
                       f"({seconds_text(record['analyze_s'])}).")]
    else:
        lines += ["", "The ingest ends with `ANALYZE` (the store runs it when rows were added)."]
    stats = [record.get(key, {}).get("streetsafe_stats")
             for key in ("store_size", "store_size_after_queries")]
    if stats[0] is not None and stats[1] is not None:
        lines[-1] += (f" PostgreSQL statistics of streetsafe: last analyze "
                      f"{stats[0]['last_analyze'] or 'never'} and last autoanalyze "
                      f"{stats[0]['last_autoanalyze'] or 'never'} before the store timings.")
    store, frame = record["queries"]["store"], record["queries"]["frame"]
    repeats = record["repeats"]
    lines += ["", "### Counting: store against FrameCounts in memory", "",
              f"First call, then the median of {repeats} more (\"again\").", "",
              row("call", "selection", "selected", "store first", "store again",
                   "frame first", "frame again", "store/frame again"),
              row("---", "---", *["---:"] * 6)]
    for label, prefix in ((f"count by {', '.join(COUNT_BY)}", "count"),
                          ("analyse_hotspots", "analyse")):
        for case, ours in store["cases"].items():
            theirs = frame["cases"][case]
            selected = ours["selected"] if prefix == "count" else ours["analyse_selected"]
            lines.append(row(
                label, ours["words"], f"{selected:,}", seconds_text(ours[f"{prefix}_first_s"]),
                seconds_text(ours[f"{prefix}_again_median_s"]),
                seconds_text(theirs[f"{prefix}_first_s"]),
                seconds_text(theirs[f"{prefix}_again_median_s"]),
                _ratio(ours[f"{prefix}_again_median_s"], theirs[f"{prefix}_again_median_s"]),
            ))
    lines += ["", "### One-off costs", "",
              row("one-off", "figure"), row("---", "---:"),
              row("FrameCounts: load and validate the folder (FolderSource)",
                   seconds_text(frame["load_s"])),
              row("FrameCounts: codes and cells of every report (warm-up)",
                   seconds_text(frame["warm_up_s"])),
              row("FrameCounts worker peak memory (loaded, warmed, all calls)",
                   mb_text(frame["peak_rss_mb"])),
              row("Store: open (schema check)", seconds_text(store["open_s"])),
              row("Store: one call's connection and a trivial query (median)",
                   seconds_text(store["call_overhead_median_s"])),
              row("Store worker peak memory (all calls)", mb_text(store["peak_rss_mb"])),
              row("Study areas read once (both sides; store / frame worker)",
                   f"{seconds_text(store['geography_s'])} / {seconds_text(frame['geography_s'])}")]
    lines += ["", "### Where analyse_hotspots spends its time in the store (first call)", "",
              row("selection", "calls", "call", "seconds", "rows"),
              row("---", "---:", "---", "---:", "---:")]
    for ours in store["cases"].values():
        calls = ours["analyse_calls"]
        for number, call in enumerate(calls, 1):
            lines.append(row(ours["words"] if number == 1 else "", f"{number}/{len(calls)}",
                              f"{call['method']} {call['detail']}".strip(),
                              seconds_text(call["seconds"]),
                              "-" if call["rows"] is None else f"{call['rows']:,}"))
    dashboard = record.get("dashboard")
    if dashboard:
        lines += ["", "### Dashboard in headless Chromium (analyst, local map assets)", "",
                  ("Seconds from navigation until drawn (maps: the layer is in the "
                   "streamlit-folium iframe; Board overview: its last element); each view "
                   "is a new browser session. Filter changes are opened by link and are not "
                   "cached yet."), "",
                  row("view", f"{name} store", "SAFETYMAP_DATA folder")]
        lines.append(row("---", "---:", "---:"))
        words = {
            "county_first": "County map, first after server start (loads the data)",
            "hotspots_first": "Hotspots, first (analysis of all reports)",
            "board_first": "Board overview, first (board pack)",
            "county_again": "County map, new session (cached)",
            "hotspots_again": "Hotspots, new session (cached)",
            "board_again": "Board overview, new session (cached)",
            "hotspots_district": f"Filter change: Hotspots, district {WATFORD}",
            "hotspots_period": "Filter change: Hotspots, period "
                               f"{PERIOD[0]:%Y-%m-%d}..{PERIOD[1]:%Y-%m-%d}",
        }
        both = [dashboard.get("store", {}), dashboard.get("folder", {})]
        for view, text in words.items():
            lines.append(row(text, *(view_text(side.get(view)) for side in both)))
        lines.append(row("Server peak memory (VmHWM, process tree) after all views",
                          *(mb_text(side["memory"]["peak_rss_mb"]) if side else "-"
                            for side in both)))
        lines.append(row("Server peak memory after County map, Hotspots, Board overview",
                          *(mb_text(side["board_first"]["peak_rss_mb"]) if side else "-"
                            for side in both)))
        lines.append(row("Server memory now (VmRSS) after all views",
                          *(mb_text(side["memory"]["rss_mb"]) if side else "-" for side in both)))
        lines.append(row("Server memory when healthy, before any page (VmRSS)",
                          *(mb_text(side["memory_idle"]["rss_mb"]) if side else "-"
                            for side in both)))
    if record["failures"]:
        lines += ["", "### Failures", "", *(f"- {failure}" for failure in record["failures"])]
    return "\n".join(lines) + "\n"


def machine() -> str:
    """Return a line about the machine and Python."""
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    model = next(
        (line.split(":", 1)[1].strip() for line in
         Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    return (f"{os.cpu_count()} cores ({model}), {memory_kib / 2**20:.1f} GiB, "
            f"Python {platform.python_version()}")


# ------------------------------------------------------------------------ main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark the shared store against the in-memory frame.",
        epilog="Example: .venv/bin/python bench/store.py --size 1000000 --store postgis",
    )
    parser.add_argument("--size", type=int, default=100_000, help="reports (default 100000)")
    parser.add_argument("--store", choices=["postgis", "gpkg"], default="postgis",
                        help="the store to fill (default postgis)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "store",
                        help="folder for the JSON, the Markdown and logs "
                             "(default build/bench/store)")
    parser.add_argument("--data", type=Path,
                        help="demo folder (default build/bench/data/seed<seed>-r<size>)")
    parser.add_argument("--seed", type=int, default=7, help="demo data seed (default 7)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="calls timed again after the first (default 3)")
    parser.add_argument("--no-browser", dest="browser", action="store_false",
                        help="skip the dashboard in Chromium")
    parser.add_argument("--browser-timeout", type=float, default=600.0,
                        help="seconds a page may take to draw (default 600)")
    parser.add_argument("--analyze", action="store_true",
                        help="run ANALYZE again after the ingest, before the timings "
                             "(the ingest itself ends with one)")
    parser.add_argument("--keep-store", action="store_true",
                        help="keep the GeoPackage file afterwards")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.size < 1 or args.repeats < 1:
        parser.error("--size and --repeats must be 1 or more")
    args.out = args.out.resolve()
    args.data = (args.data or ROOT / "build" / "bench" / "data"
                 / f"seed{args.seed}-r{args.size}").resolve()
    return args


def run_as_worker(arguments: list[str], repeats: int) -> int:
    """Run one worker command (called by :func:`run_worker` in a fresh process)."""
    command, target = arguments[0], arguments[1]
    if command == "ingest":
        worker_ingest(target, Path(arguments[2]))
    elif command == "store":
        worker_store(target, repeats)
    elif command == "frame":
        worker_frame(Path(target), repeats)
    else:
        raise SystemExit(f"unknown worker command {command!r}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the Markdown; write the JSON and the Markdown."""
    args = parse_args(argv)
    if args.worker:
        return run_as_worker(args.worker, args.repeats)
    started, clock = datetime.now(UTC), time.perf_counter()
    command = " ".join([".venv/bin/python bench/store.py", *(argv or sys.argv[1:])])
    args.out.mkdir(parents=True, exist_ok=True)
    ensure_data(args.data, args.size, args.seed)
    stem = f"store-{args.store}-r{args.size}" + ("-analyzed" if args.analyze else "")
    record: dict[str, Any] = {
        "size": args.size, "store": args.store, "data": str(args.data),
        "repeats": args.repeats, "command": command, "machine": machine(),
        "started": f"{started:%Y-%m-%d %H:%M} UTC", "loadavg_start": loadavg(),
        "failures": [], "queries": {}, "analyze": args.analyze,
    }
    json_path, md_path = args.out / f"{stem}.json", args.out / f"{stem}.md"

    def keep() -> None:  # written as we go, so a stopped run keeps its figures
        json_path.write_text(json.dumps(record, indent=1, default=str))

    with store_under_test(args.store, args.out, args.size, keep=args.keep_store) as store:
        record["store_details"] = store.details
        say(f"ingesting {args.data} into the {args.store} store")
        record["ingest"] = run_worker(["ingest", store.url, str(args.data)], timeout_s=7200)
        record["store_size"] = store.size()
        say(f"store size {record['store_size']['store_bytes'] / 1e6:,.1f} MB")
        if args.analyze:
            record["analyze_s"] = analyze_store(args.store, store.url)
            say(f"ANALYZE took {record['analyze_s']:.1f} s")
        keep()
        say("timing counting in the store")
        record["queries"]["store"] = run_worker(["store", store.url,
                                                 "--repeats", str(args.repeats)],
                                                timeout_s=3600)
        if args.store == "postgis":  # did autovacuum analyse the table before the queries?
            record["store_size_after_queries"] = store.size()
        keep()
        say("timing FrameCounts over the folder in memory")
        record["queries"]["frame"] = run_worker(["frame", str(args.data),
                                                 "--repeats", str(args.repeats)],
                                                timeout_s=3600)
        keep()
        gc.collect()
        with open_browser(args.browser) as browser:
            if browser is not None:
                record["chromium"] = browser.version
                record["dashboard"] = {}
                for side, env in (
                    ("store", dashboard_env(args.out, store=store.url)),
                    ("folder", dashboard_env(args.out, data=str(args.data))),
                ):
                    log = args.out / f"{stem}-streamlit-{side}.log"
                    say(f"dashboard with the {side}")
                    try:
                        record["dashboard"][side] = browse_dashboard(
                            browser, env, log, PAGE_VIEWS, timeout_s=args.browser_timeout)
                    except (RuntimeError, PlaywrightError) as error:
                        record["failures"].append(f"dashboard with the {side}: {error}")
                        record["dashboard"][side] = {}
                    failed = [name for name, view in record["dashboard"][side].items()
                              if isinstance(view, dict) and view.get("failure")]
                    record["failures"] += [
                        f"dashboard with the {side}, {name}: "
                        f"{record['dashboard'][side][name]['failure']}" for name in failed
                    ]
                    keep()
    record["loadavg_end"] = loadavg()
    record["total_s"] = time.perf_counter() - clock
    keep()
    text = report(record)
    md_path.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    say(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
