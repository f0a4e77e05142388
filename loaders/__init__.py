"""Load StreetSafe reports, survey responses, services and outreach points from exports.

Every loader returns a :class:`LoadResult`: a GeoDataFrame in EPSG:27700 with one
documented schema (``KindSpec.output_columns``), the problems that refused files or rows
(file, row, field, expected, found), notices, and a report per file. Nothing here imports
streamlit; the dashboard, the command line and the tests call the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from loaders.kinds import KINDS, OUTREACH, SERVICES, STREETSAFE, SURVEY
from loaders.pipeline import FileReport, LoadResult, load_kind
from loaders.problems import LoadError, Problem

__all__ = [
    "KINDS",
    "FileReport",
    "LoadError",
    "LoadResult",
    "Problem",
    "load_kind",
    "load_outreach",
    "load_services",
    "load_streetsafe",
    "load_survey",
]


def load_streetsafe(
    paths: Iterable[Path], *, header_map: dict[str, str] | None = None
) -> LoadResult:
    """Load StreetSafe report exports (CONTRACT §1)."""
    return load_kind(STREETSAFE, paths, header_map=header_map)


def load_survey(paths: Iterable[Path], *, header_map: dict[str, str] | None = None) -> LoadResult:
    """Load Feelings of Safety survey exports (CONTRACT §2)."""
    return load_kind(SURVEY, paths, header_map=header_map)


def load_services(
    paths: Iterable[Path], *, header_map: dict[str, str] | None = None
) -> LoadResult:
    """Load support service lists (CONTRACT §3); confidential locations are dropped here."""
    return load_kind(SERVICES, paths, header_map=header_map)


def load_outreach(
    paths: Iterable[Path], *, header_map: dict[str, str] | None = None
) -> LoadResult:
    """Load outreach points: QR-code posters, leaflet points, drop-ins (CONTRACT §3b)."""
    return load_kind(OUTREACH, paths, header_map=header_map)
