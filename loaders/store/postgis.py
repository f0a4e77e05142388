"""Keep the store in PostgreSQL with PostGIS: for a force-wide deployment of many dashboards.

The tables live in the schema ``safetymap`` (created on first use, with PostGIS in
``public`` when the user may install it). Every operation opens its own connection; an
ingest is one transaction holding a transaction-level advisory lock, so ingests from any
number of processes queue and each lands whole, and one whose process dies is rolled
back by the server. Reports are counted in the database (``store.count``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import geopandas as gpd
import psycopg
import shapely
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from loaders.kinds import KINDS
from loaders.store.base import StoreError, StoreUnavailable
from loaders.store.records import ColumnType
from loaders.store.sql import Connection, Cursor, SQLStore, first_row

#: Key of the advisory lock every ingest (and the first creation of the tables) holds.
LOCK_KEY = 7_270_007
#: Schema that holds the store's tables.
SCHEMA = "safetymap"
SRS_ID = 27700


def _describe(url: str) -> tuple[str, str]:
    """Return a URL without its password, and the password (empty when there is none)."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error:
        raise StoreError(
            "The store URL cannot be read: expected postgresql://USER@HOST:PORT/DATABASE, "
            "e.g. postgresql://safetymap@db.example.police.uk:5432/safetymap."
        ) from None
    user = str(params.get("user") or "")
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or "5432")
    database = str(params.get("dbname") or user or "postgres")
    shown = f"postgresql://{user + '@' if user else ''}{host}:{port}/{database}"
    return shown, str(params.get("password") or "")


@dataclass(frozen=True)
class PostGISStore(SQLStore):
    """The store in a PostGIS database; open it with :func:`loaders.store.open_store`."""

    #: ``postgresql://`` URL; never shown (it may hold a password): see ``description``
    url: str = field(repr=False)
    #: seconds to wait for the server to answer a new connection
    connect_timeout_s: int = 5

    #: in UTC, whatever the session's time zone (some have offsets of half an hour)
    minute_expression = "CAST(extract(minute FROM occurred_at AT TIME ZONE 'UTC') AS integer)"
    #: ISO weeks start on Monday; the local wall-clock time, whatever the session's zone
    week_expression = ("to_char(date_trunc('week', event_at AT TIME ZONE 'Europe/London'), "
                       "'YYYY-MM-DD')")
    column_types: ClassVar[dict[ColumnType, str]] = {
        "text": "text", "real": "double precision", "answer": "double precision",
        "integer": "bigint", "boolean": "boolean", "datetime": "timestamptz", "date": "text",
    }
    geometry_type: ClassVar[str] = f"geometry(Point, {SRS_ID})"
    serial_key: ClassVar[str] = "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    @property
    def description(self) -> str:
        """Return ``PostGIS store postgresql://USER@HOST:PORT/DATABASE`` (no password)."""
        return f"PostGIS store {_describe(self.url)[0]}"

    def _scrub(self, error: BaseException) -> str:
        text = " ".join(str(error).split()).rstrip(".")
        password = _describe(self.url)[1]
        return text.replace(password, "***") if password else text

    def _conninfo(self) -> str:
        params = conninfo_to_dict(self.url)
        options = " ".join(
            part for part in (str(params.get("options") or ""),
                              f"-c search_path={SCHEMA},public") if part
        )
        timeout = params.get("connect_timeout") or self.connect_timeout_s
        return make_conninfo(self.url, options=options, connect_timeout=timeout)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Connection]:
        conninfo = self._conninfo()
        try:
            connection = psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as error:
            raise StoreUnavailable(
                f"The {self.description} cannot be reached ({self._scrub(error)}). Check "
                "that the database is running and that SAFETYMAP_STORE (or --store) names it."
            ) from None
        try:
            yield connection
        except psycopg.OperationalError as error:
            raise StoreUnavailable(
                f"The {self.description} stopped answering ({self._scrub(error)})."
            ) from None
        except psycopg.Error as error:
            raise StoreError(
                f"The {self.description} refused a statement ({self._scrub(error)})."
            ) from None
        finally:
            connection.close()

    @contextlib.contextmanager
    def _write(self, connection: Connection) -> Iterator[None]:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            yield

    @contextlib.contextmanager
    def _read(self, connection: Connection) -> Iterator[None]:
        with connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def _geometry_values(self, geometry: gpd.GeoSeries) -> list[object]:
        points = shapely.set_srid(geometry.to_numpy(), SRS_ID)
        ewkb = shapely.to_wkb(points, hex=True, include_srid=True, output_dimension=2)
        return list(ewkb.tolist())

    def _geometry_select(self) -> str:
        return "ST_AsBinary(geom)"

    def _wkb(self, stored: Sequence[object]) -> list[bytes | None]:
        return [None if value is None else bytes(value)  # type: ignore[call-overload]
                for value in stored]

    def _copy_rows(
        self, cursor: Cursor, table: str, names: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    # ------------------------------------------------------------------ schema
    def _schema_statements(self) -> list[str]:
        return [
            *super()._schema_statements(),
            *(f"CREATE INDEX IF NOT EXISTS {kind}_geom ON {kind} USING gist (geom)"
              for kind in KINDS),
        ]

    def _add_outreach_table(self, cursor: Cursor) -> None:
        super()._add_outreach_table(cursor)
        cursor.execute("CREATE INDEX IF NOT EXISTS outreach_geom ON outreach USING gist (geom)")

    def _ready(self, cursor: Cursor) -> bool:
        cursor.execute("SELECT to_regclass('store_meta')")
        row = first_row(cursor)
        return row is not None and row[0] is not None and self._check_version(cursor)

    def ensure_schema(self) -> None:
        """Create PostGIS (when missing and allowed), the schema and the tables.

        A store made by an older version is brought up to this one (``_migrate``).

        Raises
        ------
        StoreUnavailable
            The database cannot be reached.
        StoreError
            PostGIS is missing and this user may not install it, or a table cannot be made.
        """
        with self._connect() as connection:
            cursor = connection.cursor()
            if self._ready(cursor) and not self._outdated(cursor):
                return
            with self._write(connection):
                if self._ready(cursor):
                    self._migrate(cursor)
                    return
                self._create_schema(cursor)

    def _create_schema(self, cursor: Cursor) -> None:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        if first_row(cursor) is None:
            try:
                with cursor.connection.transaction():
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public")
            except psycopg.Error as error:
                raise StoreError(
                    f"PostGIS is not installed in the {self.description}, and this user may "
                    f"not install it ({self._scrub(error)}). Ask the database's administrator "
                    "to run: CREATE EXTENSION postgis;"
                ) from None
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        for statement in self._schema_statements():
            cursor.execute(statement)
        self._write_version(cursor)
