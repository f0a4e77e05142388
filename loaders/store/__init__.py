"""Keep validated exports in one shared store: a GeoPackage file, or PostGIS for a force.

Open a store with :func:`open_store` (a ``.gpkg`` path or a ``postgresql://`` URL), then:

- ``store.ingest(kind, paths)`` validates files with the loaders and, in one transaction,
  adds rows whose id is new, counts rows already held with identical content, refuses rows
  whose id is held with other content (a conflict) and every invalid row to a quarantine
  table with their reasons (file, row, field, expected, found), and records each file's
  checksum so that ingesting the same file again adds nothing;
- ``store.load()`` returns the :class:`~loaders.source.Dataset` the dashboard shows;
- ``store.count(filters, by, resolution=9, slot=None)``, ``store.span(filters)`` and
  ``store.rows(filters)`` count and select reports in the database rather than pulling
  every row (the store's answer to ``loaders.counts.ReportCounts``);
- ``store.summary()`` says what the store holds.

Confidential services reach the store without a location: the loaders drop it first.
Nothing here imports streamlit.
"""

from __future__ import annotations

from pathlib import Path

from loaders.store.base import (
    HEX_RESOLUTIONS,
    FileSummary,
    IngestProgress,
    IngestSummary,
    ProgressCallback,
    Selection,
    Store,
    StoreError,
    StoreSummary,
    StoreUnavailable,
)
from loaders.store.gpkg import GeoPackageStore
from loaders.store.postgis import PostGISStore

__all__ = [
    "HEX_RESOLUTIONS",
    "FileSummary",
    "GeoPackageStore",
    "IngestProgress",
    "IngestSummary",
    "PostGISStore",
    "ProgressCallback",
    "Selection",
    "Store",
    "StoreError",
    "StoreSummary",
    "StoreUnavailable",
    "is_postgres_url",
    "open_store",
]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(url_or_path: str | Path) -> bool:
    """Tell whether a store setting names a PostgreSQL database rather than a file."""
    return str(url_or_path).strip().lower().startswith(_POSTGRES_SCHEMES)


def open_store(url_or_path: str | Path, *, timeout_s: float = 120.0) -> Store:
    """Open the store a setting names, creating its tables on first use.

    Parameters
    ----------
    url_or_path
        A path to a ``.gpkg`` file (created when missing, in an existing folder), or a
        ``postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE`` URL.
    timeout_s
        GeoPackage only: how long an ingest waits for another one to finish.

    Raises
    ------
    StoreError
        The setting is neither, or the store was made by a newer version.
    StoreUnavailable
        The file cannot be opened or the database cannot be reached; the message names
        the file or the host and port, never a password.
    """
    text = str(url_or_path).strip()
    if is_postgres_url(text):
        postgis = PostGISStore(text)
        postgis.ensure_schema()
        return postgis
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(
            f"A store is a path to a .gpkg file or a postgresql:// URL; found a {scheme}:// "
            "URL. For PostgreSQL write postgresql://USER@HOST:PORT/DATABASE."
        )
    path = Path(text).expanduser()
    if path.suffix.lower() != ".gpkg":
        raise StoreError(
            f"A store is a path to a .gpkg file or a postgresql:// URL; found {path} "
            "(a file store's name ends in .gpkg, e.g. /srv/safetymap/store.gpkg)."
        )
    geopackage = GeoPackageStore(path.absolute(), timeout_s=timeout_s)
    geopackage.ensure_schema()
    return geopackage
