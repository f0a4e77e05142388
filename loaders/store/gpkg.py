"""Keep the store in one GeoPackage file: the default, for one dashboard server.

The file is a real GeoPackage (OGC 12-128r18): QGIS and GDAL open its three point layers
(``streetsafe``, ``survey``, ``services``, EPSG:27700) and its attribute tables
(``store_files``, ``store_quarantine``, ``store_ingests``). Everything is written through
one SQLite connection per operation: an ingest is one ``BEGIN IMMEDIATE`` transaction, so a
second ingest waits for the first (up to ``timeout_s``) and a killed process leaves the
file as it was. The journal is in WAL mode, so the dashboard reads while an ingest writes.
Layers have no spatial index: its triggers need GDAL's SQL functions.
"""

from __future__ import annotations

import contextlib
import sqlite3
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from loaders.kinds import KINDS
from loaders.source import KIND_NAMES
from loaders.store.base import StoreUnavailable
from loaders.store.records import ColumnType, utc_text
from loaders.store.sql import Connection, Cursor, SQLStore, first_row

#: ``PRAGMA application_id`` of a GeoPackage: "GPKG".
GPKG_APPLICATION_ID = 0x47504B47
#: ``PRAGMA user_version`` of GeoPackage 1.2.
GPKG_USER_VERSION = 10200
SRS_ID = 27700
#: GeoPackage binary header of a little-endian, envelope-free geometry in EPSG:27700.
_HEADER = b"GP\x00\x01" + struct.pack("<i", SRS_ID)
#: Bytes of envelope after the 8-byte header, by the header's envelope indicator.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_ATTRIBUTE_TABLES = {
    "store_files": "Files ingested into the safety map store",
    "store_quarantine": "Rows and files refused at ingest, with their reasons",
    "store_ingests": "Ingests into the safety map store",
    "actions": "Problem-solving log: actions at places",
    "action_history": "Problem-solving log: every change to an action",
}


def _spatial_ref_sys_rows() -> list[tuple[str, int, str, int, str, str]]:
    wgs84 = CRS.from_epsg(4326).to_wkt("WKT1_GDAL")
    grid = CRS.from_epsg(SRS_ID).to_wkt("WKT1_GDAL")
    return [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic"),
        ("WGS 84 geodetic", 4326, "EPSG", 4326, wgs84, "longitude/latitude, WGS 84"),
        ("OSGB36 / British National Grid", SRS_ID, "EPSG", SRS_ID, grid,
         "British National Grid, metres"),
    ]


_GPKG_DDL = [
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
]


def geometry_blobs(geometry: gpd.GeoSeries) -> list[object]:
    """Return points as GeoPackage geometry blobs (None where there is no point)."""
    wkb = shapely.to_wkb(geometry.to_numpy(), byte_order=1, output_dimension=2)
    return [None if w is None else _HEADER + w for w in wkb.tolist()]


def blob_wkb(blob: bytes | None) -> bytes | None:
    """Return the WKB inside a GeoPackage geometry blob."""
    if blob is None:
        return None
    envelope = (blob[3] >> 1) & 0b111
    return bytes(blob[8 + _ENVELOPE_BYTES[envelope]:])


@dataclass(frozen=True)
class GeoPackageStore(SQLStore):
    """The store in a GeoPackage file; open it with :func:`loaders.store.open_store`."""

    path: Path
    #: how long to wait for another process's ingest to finish, in seconds
    timeout_s: float = 120.0

    #: times are stored as ``2026-03-14T21:30:00.000Z``: the minute is characters 15-16
    minute_expression = "CAST(substr(occurred_at, 15, 2) AS INTEGER)"
    #: SQLite has no time zones, but UK time is UTC or one hour ahead: the local day is the
    #: UTC day, or the next one when the stored local weekday says so; its Monday is then
    #: that many days back
    week_expression = (
        "date(event_at, CASE WHEN (CAST(strftime('%w', event_at) AS INTEGER) + 6) % 7 "
        "= event_weekday THEN '+0 days' ELSE '+1 days' END, "
        "'-' || event_weekday || ' days')"
    )
    column_types: ClassVar[dict[ColumnType, str]] = {
        "text": "TEXT", "real": "REAL", "answer": "REAL", "integer": "INTEGER",
        "boolean": "BOOLEAN", "datetime": "DATETIME", "date": "TEXT",
    }
    geometry_type: ClassVar[str] = "POINT"
    serial_key: ClassVar[str] = "INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"

    @property
    def description(self) -> str:
        """Return ``GeoPackage store PATH``."""
        return f"GeoPackage store {self.path}"

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Connection]:
        folder = self.path.parent
        if not folder.is_dir():
            raise StoreUnavailable(
                f"The {self.description} cannot be opened: the folder {folder} does not "
                "exist. Create it, or name a .gpkg file in an existing folder."
            )
        try:
            connection = sqlite3.connect(str(self.path), timeout=self.timeout_s,
                                         isolation_level=None)
        except sqlite3.Error as error:
            raise StoreUnavailable(
                f"The {self.description} cannot be opened: {error}."
            ) from None
        try:
            yield connection
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StoreUnavailable(
                    f"The {self.description} is busy: another process has held it for more "
                    f"than {self.timeout_s:.0f} s ({error}). Try again when it has finished."
                ) from None
            raise StoreUnavailable(f"The {self.description} cannot be used: {error}.") from None
        except sqlite3.DatabaseError as error:
            raise StoreUnavailable(
                f"The {self.description} is not a GeoPackage the safety map can use: {error}."
            ) from None
        finally:
            connection.close()

    @contextlib.contextmanager
    def _transaction(self, connection: Connection, begin: str) -> Iterator[None]:
        connection.execute(begin)
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _write(self, connection: Connection) -> contextlib.AbstractContextManager[None]:
        # IMMEDIATE takes the write lock at once: two ingests queue instead of deadlocking.
        return self._transaction(connection, "BEGIN IMMEDIATE")

    def _read(self, connection: Connection) -> contextlib.AbstractContextManager[None]:
        return self._transaction(connection, "BEGIN")

    def _sql(self, text: str) -> str:
        return text

    def _geometry_values(self, geometry: gpd.GeoSeries) -> list[object]:
        return geometry_blobs(geometry)

    def _geometry_select(self) -> str:
        return "geom"

    def _wkb(self, stored: Sequence[object]) -> list[bytes | None]:
        return [blob_wkb(blob) if isinstance(blob, bytes | None) else None for blob in stored]

    def _copy_rows(
        self, cursor: Cursor, table: str, names: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        marks = ", ".join("?" for _ in names)
        statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(statement, rows)

    def _after_ingest(self, cursor: Cursor, kind: str, frame: gpd.GeoDataFrame) -> None:
        placed = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
        if placed.empty:
            return
        min_x, min_y, max_x, max_y = (float(v) for v in np.asarray(placed.total_bounds))
        cursor.execute(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
            "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
            "max_y = max(coalesce(max_y, ?), ?), last_change = ? WHERE table_name = ?",
            (min_x, min_x, min_y, min_y, max_x, max_x, max_y, max_y,
             utc_text(datetime.now(UTC)), kind),
        )

    # ------------------------------------------------------------------ schema
    def _ready(self, cursor: Cursor) -> bool:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name = 'store_meta'")
        return first_row(cursor) is not None and self._check_version(cursor)

    def ensure_schema(self) -> None:
        """Create the GeoPackage and the store's tables unless they are there.

        A store made by an older version is brought up to this one (``_migrate``).

        Raises
        ------
        StoreUnavailable
            The file cannot be opened or written, or is an SQLite file of something else.
        """
        with self._connect() as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode")
            if str((first_row(cursor) or ("",))[0]).lower() != "wal":
                with contextlib.suppress(sqlite3.OperationalError):
                    cursor.execute("PRAGMA journal_mode = WAL")
                    cursor.fetchall()
            if self._ready(cursor) and not self._outdated(cursor):
                return
            # Only a new or older store takes the write lock: opening an up-to-date one
            # never waits for an ingest.
            with self._write(connection):
                if self._ready(cursor):
                    self._migrate(cursor)
                    return
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                tables = {name for (name,) in cursor.fetchall()}
                cursor.execute("PRAGMA application_id")
                application = int((first_row(cursor) or (0,))[0])
                if tables and application != GPKG_APPLICATION_ID:
                    raise StoreUnavailable(
                        f"The {self.description} is an SQLite file but not a GeoPackage; "
                        "name a new .gpkg file (it is created on first use)."
                    )
                self._create_schema(cursor)

    def _create_schema(self, cursor: Cursor) -> None:
        cursor.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
        cursor.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
        for statement in _GPKG_DDL:
            cursor.execute(statement)
        cursor.executemany(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
            "organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)",
            _spatial_ref_sys_rows(),
        )
        for statement in self._schema_statements():
            cursor.execute(statement)
        for kind in KINDS:
            self._register_feature_table(cursor, kind)
        self._register_attribute_tables(cursor)
        self._write_version(cursor)

    def _register_feature_table(self, cursor: Cursor, kind: str) -> None:
        """List a kind's table of points in ``gpkg_contents``, so that QGIS and GDAL show it."""
        cursor.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change, srs_id) VALUES (?, 'features', ?, ?, ?, ?)",
            (kind, kind, KIND_NAMES[kind].capitalize(), utc_text(datetime.now(UTC)), SRS_ID),
        )
        cursor.execute(
            "INSERT OR IGNORE INTO gpkg_geometry_columns (table_name, column_name, "
            "geometry_type_name, srs_id, z, m) VALUES (?, 'geom', 'POINT', ?, 0, 0)",
            (kind, SRS_ID),
        )

    def _register_attribute_tables(self, cursor: Cursor) -> None:
        """List the attribute tables in ``gpkg_contents``, so that QGIS and GDAL show them."""
        now = utc_text(datetime.now(UTC))
        for table, description in _ATTRIBUTE_TABLES.items():
            cursor.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                "description, last_change) VALUES (?, 'attributes', ?, ?, ?)",
                (table, table, description, now),
            )

    def _add_action_tables(self, cursor: Cursor) -> None:
        super()._add_action_tables(cursor)
        self._register_attribute_tables(cursor)

    def _add_outreach_table(self, cursor: Cursor) -> None:
        super()._add_outreach_table(cursor)
        self._register_feature_table(cursor, "outreach")
