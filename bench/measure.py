"""Measure one approach inside this process; print each result as one JSON line on stdout.

``bench/run.py`` starts this script once per measurement, so that every figure comes from
a process that did nothing else (peak memory, first-call times)::

    python bench/measure.py ours FOLDER [--quick]
    python bench/measure.py naive FOLDER --timeout SECONDS [--quick]

``bench/map_app.py`` imports :func:`default_view_inputs` and :func:`default_view_map` from
here, to serve the same maps.

OUR approach is the dashboard's: H3 cell ids of every report worked out once per dataset,
then per filter :func:`safetymap.analysis.patrol.analyse_hotspots` (aggregation and Gi*),
:func:`safetymap.maps.hotspots.hotspot_layer` and :func:`~safetymap.maps.hotspots.hotspot_map`.
The NAIVE approach is what popular dashboards do: a folium ``MarkerCluster`` holding one
``Marker`` per report. It is given its best case: plain markers, no tooltip or popup.
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from common import emit, peak_rss_mb
from folium.plugins import MarkerCluster

from geodata import load_districts
from loaders.source import Dataset, FolderSource
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.filters import Filters, filter_reports
from safetymap.analysis.patrol import analyse_hotspots, slot_reports, top_places
from safetymap.maps.base import MapStyle, finish_map, new_map
from safetymap.maps.hotspots import MAX_POINTS, hotspot_layer, hotspot_map

#: Role the maps are drawn for: police see hexagons and (small selections) points.
ROLE = "police"
#: District changes timed: Watford, Stevenage, St Albans, Dacorum, Broxbourne.
DISTRICT_CHANGES: tuple[str, ...] = (
    "E07000103", "E07000243", "E07000240", "E07000096", "E07000095",
)
#: Period changes timed, county-wide: the four quarters of the demo year.
PERIOD_CHANGES: tuple[tuple[date, date], ...] = (
    (date(2025, 11, 1), date(2026, 1, 31)),
    (date(2026, 2, 1), date(2026, 4, 30)),
    (date(2026, 5, 1), date(2026, 7, 31)),
    (date(2026, 8, 1), date(2026, 10, 31)),
)
#: How many of each kind of change ``--quick`` times.
QUICK_CHANGES = 1
#: The page's "Large" hexagons, timed too: what a coarser default would cost and send.
COARSE_RESOLUTION = 8


def _load(folder: Path) -> Dataset:
    return FolderSource(folder).load()


def _changes(quick: bool) -> list[tuple[str, str, Filters]]:
    """Return (kind, label, filters) of every timed filter change."""
    count = QUICK_CHANGES if quick else None
    districts = [
        ("district", code, Filters(districts=(code,))) for code in DISTRICT_CHANGES[:count]
    ]
    periods = [
        ("period", f"{start:%b %Y}-{end:%b %Y}", Filters(start=start, end=end))
        for start, end in PERIOD_CHANGES[:count]
    ]
    return districts + periods


# ------------------------------------------------------------------------ map builders
@dataclass(frozen=True)
class HotspotLayer:
    """What the Hotspots page draws for a selection: hexagons and, when few, report dots."""

    layer: gpd.GeoDataFrame
    reliable: bool
    points: pd.DataFrame | None
    selected: int


@dataclass(frozen=True)
class HotspotView:
    """One hotspot map as the dashboard's Hotspots page makes it, and what each step took."""

    analyse_s: float
    layer_s: float
    map_s: float
    places_s: float
    html_bytes: int
    cells: int
    selected: int
    dots: int


def hotspot_layer_of(
    counts: FrameCounts, filters: Filters, *, resolution: int = 9
) -> tuple[HotspotLayer, float]:
    """Analyse a selection and make its hexagon layer as ``pages/hotspots.py`` does.

    Returns the layer and the seconds the analysis (aggregation and Gi*) took.
    """
    start = time.perf_counter()
    # As the page: the map is drawn before the places are listed (top_places, timed apart).
    analysis = analyse_hotspots(counts, filters, resolution=resolution, places=None)
    analyse_s = time.perf_counter() - start
    result = analysis.result
    # As the page: hexagon outlines are made only for the cells that are drawn.
    layer = hotspot_layer(result.cells, analysis.profiles, role=ROLE, reliable=result.reliable)
    points = None
    if analysis.selected_reports <= MAX_POINTS:  # as the page: police see small selections
        points = slot_reports(counts, filters, None)
    return HotspotLayer(layer, result.reliable, points, analysis.selected_reports), analyse_s


def our_map(drawn: HotspotLayer) -> folium.Map:
    """Return the hotspot map of a layer, as the Hotspots page builds it on every run."""
    return hotspot_map(
        drawn.layer, load_districts(), style=MapStyle(assets="local", tiles=None), role=ROLE,
        reliable=drawn.reliable, report_points=drawn.points,
    )


def hotspot_view(counts: FrameCounts, filters: Filters, *, resolution: int = 9) -> HotspotView:
    """Make the hotspot map of a selection and its HTML, timing each step.

    ``analyse_s`` is aggregation and Gi*, ``layer_s`` the hexagons and their tooltips,
    ``map_s`` the folium map and its HTML; ``places_s`` the top places to patrol, which the
    page lists after the map is drawn.
    """
    start = time.perf_counter()
    drawn, analyse_s = hotspot_layer_of(counts, filters, resolution=resolution)
    layered = time.perf_counter()
    html = our_map(drawn).get_root().render()
    done = time.perf_counter()
    top_places(counts, filters)
    places_s = time.perf_counter() - done
    return HotspotView(
        analyse_s=analyse_s, layer_s=layered - start - analyse_s, map_s=done - layered,
        places_s=places_s,
        html_bytes=len(html.encode()), cells=len(drawn.layer), selected=drawn.selected,
        dots=0 if drawn.points is None else len(drawn.points),
    )


def naive_map(reports: pd.DataFrame) -> folium.Map:
    """Return the naive map: one folium Marker per report in a MarkerCluster.

    The same base map as ours (district bounds, no tiles, local assets), so the layer is
    the only difference.
    """
    style = MapStyle(assets="local", tiles=None)
    folium_map = new_map(load_districts(), style)
    cluster = MarkerCluster(name="Reports").add_to(folium_map)
    latitudes = reports["latitude"].to_numpy().tolist()
    longitudes = reports["longitude"].to_numpy().tolist()
    for latitude, longitude in zip(latitudes, longitudes, strict=True):
        folium.Marker([latitude, longitude]).add_to(cluster)
    return finish_map(folium_map, style)


def default_view_inputs(folder: Path, kind: str) -> HotspotLayer | pd.DataFrame:
    """Return what the map of every report in ``folder`` is drawn from, once per server.

    ``ours``: the analysed hexagon layer (the dashboard caches the analysis); ``naive``:
    the reports' coordinates.
    """
    reports = _load(folder).streetsafe.frame
    if kind == "naive":
        return pd.DataFrame(reports[["latitude", "longitude"]])
    if kind != "ours":
        raise ValueError(f"`kind` must be 'ours' or 'naive', got {kind!r}.")
    return hotspot_layer_of(FrameCounts(reports), Filters())[0]


def default_view_map(inputs: HotspotLayer | pd.DataFrame) -> folium.Map:
    """Return the map of :func:`default_view_inputs`; folium maps are built per run.

    A folium map cannot be rendered twice (the second render refers to layers it no longer
    defines), so, like the dashboard, the app builds a new one on every run.
    """
    if isinstance(inputs, HotspotLayer):
        return our_map(inputs)
    return naive_map(inputs)


# ------------------------------------------------------------------------ commands
def _view_record(view: HotspotView) -> dict[str, Any]:
    return {
        "analyse_s": view.analyse_s, "layer_s": view.layer_s, "map_s": view.map_s,
        "total_s": view.analyse_s + view.layer_s + view.map_s, "places_s": view.places_s,
        "bytes": view.html_bytes,
        "cells": view.cells, "selected": view.selected, "dots": view.dots,
    }


def command_ours(folder: Path, *, quick: bool) -> None:
    """Time our approach: one-off warm-ups, then filter changes once warm."""
    reports = _load(folder).streetsafe.frame
    start = time.perf_counter()
    counts = FrameCounts(reports)  # the dashboard: one per dataset, shared by sessions
    for by in (("cell",), ("reason",), ("event_weekday", "event_month"),
               ("occurred_weekday", "occurred_hour", "time_of_day", "district_code")):
        counts.count(Filters(), by)  # cells and codes: once per dataset and resolution
    cells_s = time.perf_counter() - start

    first = hotspot_view(counts, Filters())
    again = hotspot_view(counts, Filters())
    changes = _changes(quick)
    # First pass: each study area's cells are found once per process (an lru_cache).
    first_pass = [
        {"kind": kind, "label": label, **_view_record(hotspot_view(counts, chosen))}
        for kind, label, chosen in changes
    ]
    warm_pass = [
        {"kind": kind, "label": label, **_view_record(hotspot_view(counts, chosen))}
        for kind, label, chosen in changes
    ]
    hotspot_view(counts, Filters(), resolution=COARSE_RESOLUTION)
    coarse = hotspot_view(counts, Filters(), resolution=COARSE_RESOLUTION)
    emit(
        {
            "kind": "ours", "report_cells_s": cells_s,
            "first": _view_record(first), "again": _view_record(again),
            "first_pass": first_pass, "warm_pass": warm_pass,
            "coarse": _view_record(coarse), "peak_rss_mb": peak_rss_mb(),
        }
    )


class _OutOfTimeError(Exception):
    """A naive step ran past its time limit."""


def _out_of_time(_signum: int, _frame: FrameType | None) -> None:
    raise _OutOfTimeError


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _naive_step(reports: gpd.GeoDataFrame, filters: Filters, timeout_s: float) -> dict[str, Any]:
    start = time.perf_counter()
    selected = filter_reports(reports, filters)
    record: dict[str, Any] = {"markers": len(selected)}
    try:
        with _time_limit(timeout_s):
            folium_map = naive_map(selected)
            built = time.perf_counter()
            html = folium_map.get_root().render()
            done = time.perf_counter()
    except _OutOfTimeError:
        return {**record, "timed_out": True, "timeout_s": timeout_s}
    finally:
        gc.collect()
    return {
        **record, "build_s": built - start, "render_s": done - built, "total_s": done - start,
        "bytes": len(html.encode()),
    }


def command_naive(folder: Path, *, timeout_s: float, quick: bool) -> None:
    """Time the naive approach: the map of every report, then the same filter changes.

    Each step has ``timeout_s`` to build and render its map; one that runs out is
    reported as such and the next step starts.
    """
    reports = _load(folder).streetsafe.frame
    _naive_step(reports.iloc[:100], Filters(), timeout_s)  # first-call costs, not timed
    steps: list[tuple[str, str, Filters]] = [("default", "all reports", Filters())]
    steps += _changes(quick)
    for kind, label, chosen in steps:
        emit({"kind": "naive", "step": kind, "label": label,
               **_naive_step(reports, chosen, timeout_s)})
    emit({"kind": "naive_done", "peak_rss_mb": peak_rss_mb()})


def main(argv: list[str] | None = None) -> int:
    """Run one measurement command (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["ours", "naive"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    commands: dict[str, Callable[[], None]] = {
        "ours": lambda: command_ours(args.folder, quick=args.quick),
        "naive": lambda: command_naive(args.folder, timeout_s=args.timeout, quick=args.quick),
    }
    commands[args.command]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
