"""Ingest, load and count in one SQL database; the GeoPackage and PostGIS stores share this.

An ingest validates every file with the loaders first (no lock held), then, in one
transaction that holds the store's write lock, for each file:

1. skips it when a file with the same checksum was ingested before;
2. copies its valid rows into a temporary table, in batches (the progress bar);
3. joins them to the stored records by id: same content is "already present", other
   content is a conflict, refused to quarantine with the stored record it conflicts with;
4. inserts the rows whose id is new, and records the file and its refusals.

A process killed anywhere in that leaves no trace: the transaction is never committed.
Subclasses say how to connect, lock, bulk-copy and encode geometries in their dialect.

Reports are counted in the database (:meth:`SQLStore.count`, the store's answer to
``loaders.counts.ReportCounts``) with a ``GROUP BY`` over columns stored at ingest: the H3
cells and the local weekday, month and hour of each report. A store made by an older
version (:data:`SCHEMA_VERSION`) gains those columns when it is opened (:meth:`SQLStore._migrate`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd

# A module import, not names: ``loaders.counts`` imports this package (for ``Selection``),
# so it may still be loading when this module is.
import loaders.counts as report_counts
from loaders.fields import LONDON
from loaders.kinds import KINDS
from loaders.pipeline import FileReport, LoadResult, load_kind
from loaders.problems import Problem, quote_found
from loaders.source import DEMO_ID_PREFIX, ID_FIELDS, KIND_NAMES, Dataset, demo_origin
from loaders.store.actions import (
    HISTORY_COLUMNS,
    Action,
    ActionRefused,
    check_changes,
    check_new_action,
)
from loaders.store.base import (
    FileSummary,
    IngestProgress,
    IngestSummary,
    ProgressCallback,
    Selection,
    StoreError,
    StoreSummary,
)
from loaders.store.records import (
    REASON_BITS,
    TIME_COLUMNS,
    Column,
    ColumnType,
    hex_column,
    reasons_column,
    record_columns,
    records_frame,
    spec_of,
    storage_columns,
    store_columns,
    time_columns,
    typed_series,
    utc_text,
)

#: Version of the tables below; a store made by a newer version is not touched, one made
#: by an older version is brought up to this one when opened (:meth:`SQLStore._migrate`).
#: 1: the first; 2: StreetSafe reports gain the local times of :data:`TIME_COLUMNS`;
#: 3: and their reasons as bits of one number (:data:`REASON_BITS`); 4: the problem-solving
#: log (``actions`` and ``action_history``, :mod:`loaders.store.actions`); 5: outreach
#: points (the ``outreach`` table of points, as the other kinds).
SCHEMA_VERSION = 5
#: Index for the squares of the day-by-hour chart (a slot selects about 1 report in 168).
_SLOT_INDEX = ("CREATE INDEX IF NOT EXISTS streetsafe_occurred_slot "
               "ON streetsafe (occurred_weekday, occurred_hour)")
#: Rows of reports read per batch when a store's new columns are filled in.
_MIGRATE_BATCH = 50_000
#: Any DB-API connection or cursor (sqlite3 or psycopg).
Connection = Any
Cursor = Any


def file_checksum(path: Path) -> str:
    """Return the SHA-256 of a file's bytes; empty when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def first_row(cursor: Cursor) -> tuple[Any, ...] | None:
    """Return the first row of a query's result, reading it to the end (None when empty).

    Reading to the end matters in SQLite: a statement left half-read keeps its snapshot.
    """
    rows = cursor.fetchall()
    return tuple(rows[0]) if rows else None


def _as_datetime(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _value(cursor: Cursor) -> Any:
    row = first_row(cursor)
    return None if row is None else row[0]


def _local_midnight(day: date) -> str:
    return utc_text(datetime.combine(day, time(0), tzinfo=ZoneInfo(LONDON)))


@dataclass(frozen=True)
class _Staged:
    """A file validated before the transaction (``result`` None: seen before, not read)."""

    path: Path
    checksum: str
    result: LoadResult | None
    columns: dict[str, list[object]] | None


class SQLStore(ABC):
    """The behaviour both stores share; a subclass supplies its dialect."""

    #: stored type of each column type
    column_types: ClassVar[dict[ColumnType, str]]
    #: type of the geometry column
    geometry_type: ClassVar[str]
    #: definition of an auto-numbered primary key
    serial_key: ClassVar[str]
    #: the minute (0-59) of ``occurred_at``: the same in UTC as in UK time
    minute_expression: ClassVar[str]
    #: the Monday (``YYYY-MM-DD``) of the local week of ``event_at``, worked out from the
    #: stored columns, so that no store needs a new column for it
    week_expression: ClassVar[str]

    # ------------------------------------------------------------------ dialect
    @property
    @abstractmethod
    def description(self) -> str:
        """Return the store as a user may see it: a path, or a URL without password."""

    @abstractmethod
    def _connect(self) -> contextlib.AbstractContextManager[Connection]:
        """Open a connection whose errors become :class:`StoreError`; close it afterwards."""

    @abstractmethod
    def _write(self, connection: Connection) -> contextlib.AbstractContextManager[None]:
        """Run a block as one transaction holding the store's write lock."""

    @abstractmethod
    def _read(self, connection: Connection) -> contextlib.AbstractContextManager[None]:
        """Run a block as one read-only transaction that sees one state of the store."""

    @abstractmethod
    def _sql(self, text: str) -> str:
        """Return SQL written with ``?`` placeholders in the driver's placeholder style."""

    @abstractmethod
    def _geometry_values(self, geometry: gpd.GeoSeries) -> list[object]:
        """Return geometries as the values the geometry column takes (None when missing)."""

    @abstractmethod
    def _geometry_select(self) -> str:
        """Return the SELECT expression that reads the geometry column as WKB."""

    @abstractmethod
    def _wkb(self, stored: Sequence[object]) -> list[bytes | None]:
        """Return what :meth:`_geometry_select` read as WKB."""

    @abstractmethod
    def _copy_rows(
        self, cursor: Cursor, table: str, names: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        """Append rows to a (temporary) table as fast as the dialect allows."""

    @abstractmethod
    def _create_schema(self, cursor: Cursor) -> None:
        """Create every table of an empty store (inside the schema transaction)."""

    def _after_ingest(self, cursor: Cursor, kind: str, frame: gpd.GeoDataFrame) -> None:  # noqa: B027 - an optional hook
        """Update dialect bookkeeping after rows of ``kind`` were added (nothing by default)."""

    # ------------------------------------------------------------------ schema
    def _record_table_ddl(self, kind: str) -> str:
        id_field = spec_of(kind).id_field
        columns = [f"fid {self.serial_key}"]
        for column in store_columns(kind):
            constraint = " NOT NULL UNIQUE" if column.name == id_field else ""
            columns.append(f"{column.name} {self.column_types[column.type]}{constraint}")
        columns += ["ingest_id INTEGER NOT NULL", f"geom {self.geometry_type}"]
        return f"CREATE TABLE IF NOT EXISTS {kind} (\n  " + ",\n  ".join(columns) + "\n)"

    def _meta_ddl(self) -> list[str]:
        when = self.column_types["datetime"]
        key = self.serial_key
        return [
            "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"""CREATE TABLE IF NOT EXISTS store_ingests (
  ingest_id {key}, kind TEXT NOT NULL, started_at {when} NOT NULL,
  user_name TEXT NOT NULL, files INTEGER NOT NULL, added INTEGER NOT NULL,
  already_present INTEGER NOT NULL, refused INTEGER NOT NULL)""",
            f"""CREATE TABLE IF NOT EXISTS store_files (
  file_id {key}, ingest_id INTEGER NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL,
  checksum TEXT NOT NULL, row_count INTEGER NOT NULL, added INTEGER NOT NULL,
  already_present INTEGER NOT NULL, refused INTEGER NOT NULL,
  outside_county INTEGER NOT NULL, file_error TEXT, ingested_at {when} NOT NULL)""",
            ("CREATE UNIQUE INDEX IF NOT EXISTS store_files_checksum "
             "ON store_files (kind, checksum) WHERE file_error IS NULL"),
            f"""CREATE TABLE IF NOT EXISTS store_quarantine (
  quarantine_id {key}, ingest_id INTEGER NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL,
  file_row INTEGER, field TEXT, expected TEXT NOT NULL, found TEXT NOT NULL,
  quarantined_at {when} NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS streetsafe_event_at ON streetsafe (event_at)",
            "CREATE INDEX IF NOT EXISTS streetsafe_district ON streetsafe (district_code)",
            _SLOT_INDEX,
        ]

    def _action_ddl(self) -> list[str]:
        """Return the tables of the problem-solving log: actions and their history.

        Days are ``YYYY-MM-DD`` text in both dialects (a day has no time zone).
        """
        when = self.column_types["datetime"]
        real = self.column_types["real"]
        key = self.serial_key
        return [
            f"""CREATE TABLE IF NOT EXISTS actions (
  action_id {key}, place_name TEXT NOT NULL, district_code TEXT NOT NULL,
  latitude {real} NOT NULL, longitude {real} NOT NULL, agency TEXT NOT NULL,
  what TEXT NOT NULL, status TEXT NOT NULL, started TEXT NOT NULL, done_on TEXT,
  recorded_by TEXT NOT NULL, recorded_at {when} NOT NULL)""",
            f"""CREATE TABLE IF NOT EXISTS action_history (
  history_id {key}, action_id INTEGER NOT NULL, changed_at {when} NOT NULL,
  changed_by TEXT NOT NULL, field TEXT NOT NULL, old_value TEXT, new_value TEXT)""",
            "CREATE INDEX IF NOT EXISTS action_history_action ON action_history (action_id)",
        ]

    def _schema_statements(self) -> list[str]:
        return ([self._record_table_ddl(kind) for kind in KINDS] + self._meta_ddl()
                + self._action_ddl())

    def _stored_version(self, cursor: Cursor) -> int | None:
        """Return the version of the store's tables (None: not made yet); refuse a newer one."""
        cursor.execute(self._sql("SELECT value FROM store_meta WHERE key = ?"),
                       ("schema_version",))
        row = first_row(cursor)
        if row is None:
            return None
        if int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"The store {self.description} was made by a newer version of the safety map "
                f"(store version {row[0]}, this version reads {SCHEMA_VERSION}); upgrade it."
            )
        return int(row[0])

    def _check_version(self, cursor: Cursor) -> bool:
        """Return whether the store's tables exist; refuse a store made by a newer version."""
        return self._stored_version(cursor) is not None

    def _outdated(self, cursor: Cursor) -> bool:
        """Return whether the store's tables were made by an older version (see ``_migrate``)."""
        version = self._stored_version(cursor)
        return version is not None and version < SCHEMA_VERSION

    def _write_version(self, cursor: Cursor) -> None:
        cursor.execute(self._sql("INSERT INTO store_meta (key, value) VALUES (?, ?)"),
                       ("schema_version", str(SCHEMA_VERSION)))

    def _migrate(self, cursor: Cursor) -> None:
        """Bring tables made by an older version up to :data:`SCHEMA_VERSION`.

        Call it inside the transaction that holds the store's write lock (``_write``), so
        that one process migrates and a killed one leaves the store as it was. Nothing is
        done to a store that is up to date.
        """
        version = self._stored_version(cursor)
        if version is None or version >= SCHEMA_VERSION:
            return
        if version < 2:
            self._add_time_columns(cursor)
        if version < 3:
            self._add_reason_bits(cursor)
        if version < 4:
            self._add_action_tables(cursor)
        if version < 5:
            self._add_outreach_table(cursor)
        cursor.execute(self._sql("UPDATE store_meta SET value = ? WHERE key = ?"),
                       (str(SCHEMA_VERSION), "schema_version"))

    def _add_action_tables(self, cursor: Cursor) -> None:
        """Version 3 to 4: add the problem-solving log's tables (empty)."""
        for statement in self._action_ddl():
            cursor.execute(statement)

    def _add_outreach_table(self, cursor: Cursor) -> None:
        """Version 4 to 5: add the table of outreach points (empty)."""
        cursor.execute(self._record_table_ddl("outreach"))

    def _add_time_columns(self, cursor: Cursor) -> None:
        """Version 1 to 2: add :data:`TIME_COLUMNS` to StreetSafe reports and fill them in."""
        when = Column("event_at", "datetime")

        def compute(event_at: Sequence[object], occurred_at: Sequence[object]) -> dict[
            str, list[object]
        ]:
            return time_columns(typed_series(event_at, when), typed_series(occurred_at, when))

        self._backfill(cursor, TIME_COLUMNS, ("event_at", "occurred_at"), compute)
        cursor.execute(_SLOT_INDEX)

    def _add_reason_bits(self, cursor: Cursor) -> None:
        """Version 2 to 3: add :data:`REASON_BITS` to StreetSafe reports and fill it in."""

        def compute(environment: Sequence[object], behaviour: Sequence[object]) -> dict[
            str, list[object]
        ]:
            return {REASON_BITS.name: reasons_column(pd.Series(environment, dtype=object),
                                                     pd.Series(behaviour, dtype=object))}

        self._backfill(cursor, (REASON_BITS,), ("environment", "behaviour"), compute)

    def _backfill(
        self,
        cursor: Cursor,
        columns: Sequence[Column],
        sources: Sequence[str],
        compute: Callable[..., dict[str, list[object]]],
    ) -> None:
        """Add ``columns`` to StreetSafe reports and fill them in as an ingest would.

        ``compute`` takes the values of the ``sources`` columns of a batch of reports and
        returns each new column's values; they are copied into a temporary table and set
        with one ``UPDATE``.
        """
        names = [column.name for column in columns]
        for column in columns:
            cursor.execute(f"ALTER TABLE streetsafe ADD COLUMN {column.name} "
                           f"{self.column_types[column.type]}")
        definitions = ", ".join(f"{column.name} {self.column_types[column.type]}"
                                for column in columns)
        cursor.execute(f"CREATE TEMPORARY TABLE migrate_columns (fid INTEGER, {definitions})")
        last = 0  # fids count from 1
        while True:
            cursor.execute(self._sql(
                f"SELECT fid, {', '.join(sources)} FROM streetsafe WHERE fid > ? "  # noqa: S608 - fixed column names
                "ORDER BY fid LIMIT ?"
            ), (last, _MIGRATE_BATCH))
            rows = cursor.fetchall()
            if not rows:
                break
            fids, *values = zip(*rows, strict=True)
            computed = compute(*values)
            self._copy_rows(cursor, "migrate_columns", ["fid", *names],
                            list(zip(fids, *(computed[name] for name in names), strict=True)))
            last = int(fids[-1])
        cursor.execute(
            f"UPDATE streetsafe SET {', '.join(f'{name} = m.{name}' for name in names)} "  # noqa: S608 - fixed column names
            "FROM migrate_columns m WHERE streetsafe.fid = m.fid"
        )
        cursor.execute("DROP TABLE migrate_columns")

    # ------------------------------------------------------------------ ingest
    def _seen(self, cursor: Cursor, kind: str, checksum: str) -> tuple[Any, ...] | None:
        if not checksum:
            return None
        cursor.execute(self._sql(
            "SELECT ingested_at, row_count, added, already_present FROM store_files "
            "WHERE kind = ? AND checksum = ? AND file_error IS NULL"
        ), (kind, checksum))
        return first_row(cursor)

    def ingest(
        self,
        kind: str,
        paths: Sequence[Path],
        *,
        header_map: dict[str, str] | None = None,
        progress: ProgressCallback | None = None,
        user: str = "",
        batch_size: int = 5_000,
    ) -> IngestSummary:
        """Validate files of one kind and add their new rows to the store, in one transaction.

        Parameters
        ----------
        kind
            ``streetsafe``, ``survey``, ``services`` or ``outreach``.
        paths
            Export files (.csv or .xlsx) of that kind.
        header_map
            A deployment's extra header aliases for the kind (file header → field).
        progress
            Called as files are validated and after each batch of rows is written.
        user
            Who ingests, recorded with the ingest.
        batch_size
            Rows written between two progress calls.

        Returns
        -------
        IngestSummary
            Per file: rows added, already present and refused (quarantined); the problems.
            Valid rows are added even when others are refused.

        Raises
        ------
        StoreUnavailable
            The store cannot be reached; nothing was changed.
        """
        spec = spec_of(kind)
        files = [Path(p) for p in paths]
        if not files:
            raise ValueError("`paths` must name at least one file to ingest.")
        if batch_size < 1:
            raise ValueError(f"`batch_size` must be 1 or more, got {batch_size}.")
        report = progress or (lambda _: None)
        with self._connect() as connection:
            cursor = connection.cursor()
            staged: list[_Staged] = []
            for done, path in enumerate(files):
                report(IngestProgress(path.name, "validating", done, len(files)))
                checksum = file_checksum(path)
                if self._seen(cursor, kind, checksum) is not None:
                    staged.append(_Staged(path, checksum, None, None))
                    continue
                result = load_kind(spec, [path], header_map=header_map)
                staged.append(_Staged(path, checksum, result, storage_columns(kind, result.frame)))
            report(IngestProgress(files[-1].name, "validating", len(files), len(files)))
            with self._write(connection):
                cursor = connection.cursor()
                cursor.execute(self._sql(
                    "INSERT INTO store_ingests (kind, started_at, user_name, files, added, "
                    "already_present, refused) VALUES (?, ?, ?, 0, 0, 0, 0) RETURNING ingest_id"
                ), (kind, utc_text(datetime.now(UTC)), user))
                ingest_id = int(_value(cursor))
                summaries: list[FileSummary] = []
                problems: list[Problem] = []
                for number, item in enumerate(staged):
                    summary, refusals = self._ingest_file(
                        cursor, kind, item, ingest_id=ingest_id, number=number,
                        report=report, batch_size=batch_size,
                    )
                    summaries.append(summary)
                    problems += refusals
                result_summary = IngestSummary(
                    kind, self.description, ingest_id, tuple(summaries), tuple(problems)
                )
                cursor.execute(self._sql(
                    "UPDATE store_ingests SET files = ?, added = ?, already_present = ?, "
                    "refused = ? WHERE ingest_id = ?"
                ), (len(summaries), result_summary.added, result_summary.already_present,
                    result_summary.refused, ingest_id))
            if result_summary.added:
                # Fresh statistics for the query planner: without them the first counts
                # after a large ingest guess their plans (measured: 4.35 s against 3.60 s
                # for a hotspot analysis of 1,000,000 reports in PostGIS).
                connection.cursor().execute(f"ANALYZE {kind}")
        return result_summary

    def _ingest_file(
        self,
        cursor: Cursor,
        kind: str,
        item: _Staged,
        *,
        ingest_id: int,
        number: int,
        report: ProgressCallback,
        batch_size: int,
    ) -> tuple[FileSummary, list[Problem]]:
        name = item.path.name
        seen = self._seen(cursor, kind, item.checksum)
        if seen is not None:
            at, rows, added, present = seen
            return FileSummary(name, item.checksum, rows=int(rows),
                               already_present=int(added) + int(present),
                               already_ingested=_as_datetime(at)), []
        if item.result is None or item.columns is None:  # pragma: no cover - rows are never deleted
            raise StoreError(f"{name}: ingested by another process while this one ran; "
                             "ingest it again.")
        result, columns = item.result, item.columns
        loader_report = result.files[0]
        now = utc_text(datetime.now(UTC))
        if loader_report.file_error is not None:
            self._quarantine(cursor, kind, ingest_id, result.problems, now)
            self._record_file(cursor, kind, item, ingest_id=ingest_id,
                              loader_report=loader_report, counts=(0, 0, 0), now=now)
            return FileSummary(name, item.checksum, file_error=loader_report.file_error), list(
                result.problems
            )

        spec = spec_of(kind)
        id_field = spec.id_field
        table = f"incoming_{number}"
        names = ["seq", *columns, "geom"]
        definitions = ["seq INTEGER"] + [
            f"{c.name} {self.column_types[c.type]}" for c in store_columns(kind)
        ] + [f"geom {self.geometry_type}"]
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({', '.join(definitions)})")
        total = len(result.frame)
        rows = zip(range(total), *columns.values(), self._geometry_values(result.frame.geometry),
                   strict=True)
        done = 0
        while batch := list(itertools.islice(rows, batch_size)):
            self._copy_rows(cursor, table, names, batch)
            done += len(batch)
            report(IngestProgress(name, "writing", done, total))

        cursor.execute(
            f"SELECT i.{id_field}, i.source_row, i.content_digest, t.content_digest, "  # noqa: S608 - names from the kind specs; values are bound
            f"t.source_file, t.source_row FROM {table} i JOIN {kind} t "
            f"ON t.{id_field} = i.{id_field} ORDER BY i.seq"
        )
        matches = cursor.fetchall()
        conflicts = [
            Problem(
                name, int(row), id_field,
                f"a new {id_field}, or the same content as the record already in the store "
                f"({stored_file} row {stored_row}), which was kept",
                f"{quote_found(record_id)} with different content",
            )
            for record_id, row, new, old, stored_file, stored_row in matches
            if new != old
        ]
        stored = ", ".join(c.name for c in store_columns(kind))
        cursor.execute(self._sql(
            f"INSERT INTO {kind} ({stored}, geom, ingest_id) "  # noqa: S608 - names from the kind specs; values are bound
            f"SELECT {stored}, geom, ? FROM {table} i WHERE NOT EXISTS "
            f"(SELECT 1 FROM {kind} t WHERE t.{id_field} = i.{id_field}) ORDER BY i.seq"
        ), (ingest_id,))
        added = total - len(matches)
        present = len(matches) - len(conflicts) + loader_report.duplicates
        refused = loader_report.refused + len(conflicts)
        refusals = sorted([*result.problems, *conflicts], key=lambda p: p.row or 0)
        self._quarantine(cursor, kind, ingest_id, refusals, now)
        self._record_file(cursor, kind, item, ingest_id=ingest_id, loader_report=loader_report,
                          counts=(added, present, refused), now=now)
        if added:
            self._after_ingest(cursor, kind, result.frame)
        return FileSummary(name, item.checksum, rows=loader_report.rows, added=added,
                           already_present=present, refused=refused), refusals

    def _quarantine(
        self, cursor: Cursor, kind: str, ingest_id: int, problems: Sequence[Problem], now: str
    ) -> None:
        if not problems:
            return
        cursor.executemany(self._sql(
            "INSERT INTO store_quarantine (ingest_id, kind, file, file_row, field, expected, "
            "found, quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ), [(ingest_id, kind, p.file, p.row, p.field, p.expected, p.found, now)
            for p in problems])

    def _record_file(
        self,
        cursor: Cursor,
        kind: str,
        item: _Staged,
        *,
        ingest_id: int,
        loader_report: FileReport,
        counts: tuple[int, int, int],
        now: str,
    ) -> None:
        added, present, refused = counts
        cursor.execute(self._sql(
            "INSERT INTO store_files (ingest_id, kind, file, checksum, row_count, added, "
            "already_present, refused, outside_county, file_error, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ), (ingest_id, kind, item.path.name, item.checksum, loader_report.rows, added, present,
            refused, loader_report.outside_county, loader_report.file_error, now))

    # ------------------------------------------------------------------ reading
    def load(self, *, reports: bool = True) -> Dataset:
        """Return everything the store holds, in the shapes the loaders give.

        Each kind's frame has the loader's columns, types and CRS (EPSG:27700); its
        problems are everything ever quarantined for the kind, and its files what each
        ingested file did (``loaded`` is rows added, ``duplicates`` rows already present).

        With ``reports=False`` the StreetSafe reports stay in the store, to be counted there
        (:meth:`count`): their frame is empty and the dataset says ``reports_in_store``.
        """
        with self._connect() as connection, self._read(connection):
            cursor = connection.cursor()
            results = {kind: self._load_kind(cursor, kind, rows=reports or kind != "streetsafe")
                       for kind in KINDS}
            held, demo = {}, False
            for kind in KINDS:
                cursor.execute(f"SELECT count(*) FROM {kind}")  # noqa: S608 - a kind's table
                held[kind] = int(_value(cursor))
                cursor.execute(self._sql(
                    f"SELECT count(*) FROM (SELECT 1 FROM {kind} "  # noqa: S608 - a kind's table and id field; the value is bound
                    f"WHERE substr({ID_FIELDS[kind]}, 1, ?) = ? LIMIT 1) AS found"
                ), (len(DEMO_ID_PREFIX), DEMO_ID_PREFIX))
                demo = demo or bool(_value(cursor))
            cursor.execute("SELECT max(started_at) FROM store_ingests")
            last = _as_datetime(_value(cursor))
        notices = [
            f"No {KIND_NAMES[kind]} in the store yet: add them with `safetymap ingest --kind "
            f"{kind} FILE` or on the upload page."
            for kind in KINDS if not held[kind]
        ]
        origin = f"the {self.description}"
        if last is not None:
            origin += f", last added to on {last.strftime('%d/%m/%Y %H:%M')} UTC"
        return Dataset(streetsafe=results["streetsafe"], survey=results["survey"],
                       services=results["services"], outreach=results["outreach"],
                       synthetic=demo,
                       origin=demo_origin(origin) if demo else origin,
                       notices=notices, reports_in_store=not reports)

    def _records(
        self, cursor: Cursor, kind: str, where: str = "", params: Sequence[object] = (),
        *, limit: int | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the records of a kind (those ``where`` selects) as the loader's frame, by fid."""
        names = [column.name for column in record_columns(kind)]
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 0):
            raise ValueError(f"`limit` must be a whole number of 0 or more, got {limit!r}.")
        cursor.execute(self._sql(
            f"SELECT {', '.join(names)}, {self._geometry_select()} FROM {kind}{where} "  # noqa: S608 - names from the kind specs; values are bound
            "ORDER BY fid" + ("" if limit is None else " LIMIT ?")
        ), [*params, *(() if limit is None else (limit,))])
        rows = cursor.fetchall()
        values = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(names) + 1)]
        return records_frame(kind, dict(zip(names, values[:-1], strict=True)),
                             self._wkb(values[-1]))

    def _load_kind(self, cursor: Cursor, kind: str, *, rows: bool = True) -> LoadResult:
        frame = self._records(cursor, kind, "" if rows else " WHERE 1 = 0")
        cursor.execute(self._sql(
            "SELECT file, file_row, field, expected, found FROM store_quarantine "
            "WHERE kind = ? ORDER BY quarantine_id"
        ), (kind,))
        problems = [Problem(file, None if row is None else int(row), field, expected, found)
                    for file, row, field, expected, found in cursor.fetchall()]
        cursor.execute(self._sql(
            "SELECT file, row_count, added, refused, already_present, outside_county, "
            "file_error FROM store_files WHERE kind = ? ORDER BY file_id"
        ), (kind,))
        files = [
            FileReport(file=file, rows=int(count), loaded=int(added), refused=int(refused),
                       duplicates=int(present), outside_county=int(outside),
                       file_error=error)
            for file, count, added, refused, present, outside, error in cursor.fetchall()
        ]
        return LoadResult(kind, frame, problems, [], files)

    def summary(self) -> StoreSummary:
        """Return how many records, files and quarantined problems the store holds."""
        with self._connect() as connection, self._read(connection):
            cursor = connection.cursor()
            records: dict[str, int] = {}
            for kind in KINDS:
                cursor.execute(f"SELECT count(*) FROM {kind}")  # noqa: S608 - a kind's table
                records[kind] = int(_value(cursor))
            cursor.execute("SELECT kind, count(*) FROM store_files WHERE file_error IS NULL "
                           "GROUP BY kind")
            files = dict.fromkeys(KINDS, 0) | {k: int(n) for k, n in cursor.fetchall()}
            cursor.execute("SELECT kind, count(*) FROM store_quarantine GROUP BY kind")
            quarantined = dict.fromkeys(KINDS, 0) | {k: int(n) for k, n in cursor.fetchall()}
            cursor.execute("SELECT count(*), max(started_at) FROM store_ingests")
            ingests, last = first_row(cursor) or (0, None)
        return StoreSummary(self.description, records, files, quarantined, int(ingests),
                            _as_datetime(last))

    def revision(self) -> int:
        """Return the number of the last ingest: it changes whenever anything is ingested."""
        with self._connect() as connection:
            cursor = connection.cursor()
            cursor.execute("SELECT coalesce(max(ingest_id), 0) FROM store_ingests")
            return int(_value(cursor))

    # ------------------------------------------------------------------ counting
    def _where(
        self,
        filters: Selection,
        *,
        slot: report_counts.Slot | None = None,
        present: Sequence[str] = (),
    ) -> tuple[str, list[object]]:
        """Return the WHERE clause of a selection of reports and its parameters.

        The same reports as ``safetymap.analysis.counts.FrameCounts.mask`` selects: reason
        codes outside ``loaders.counts.REASON_CODES`` match nothing. ``present`` names
        stored columns that must not be NULL (the dimensions counted by).
        """
        conditions: list[str] = []
        params: list[object] = []

        def among(column: str, values: Sequence[str]) -> None:
            conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)

        if filters.districts:
            among("district_code", filters.districts)
        if filters.start is not None:
            conditions.append("event_at >= ?")
            params.append(_local_midnight(filters.start))
        if filters.end is not None:
            conditions.append("event_at < ?")
            params.append(_local_midnight(filters.end + timedelta(days=1)))
        if filters.times_of_day:
            among("time_of_day", filters.times_of_day)
        if filters.reasons:
            mask = sum(1 << report_counts.REASON_CODES.index(code)
                       for code in set(filters.reasons) if code in report_counts.REASON_CODES)
            conditions.append(f"({REASON_BITS.name} & ?) <> 0")
            params.append(mask)  # 0 when no code is known: nothing matches
        if slot is not None:
            conditions.append("occurred_weekday = ? AND occurred_hour = ?")
            params.extend([slot.weekday, slot.hour])
        conditions += [f"{column} IS NOT NULL" for column in present]
        return (" WHERE " + " AND ".join(conditions)) if conditions else "", params

    def count(
        self,
        filters: Selection,
        by: tuple[str, ...] = (),
        *,
        resolution: int = 9,
        slot: report_counts.Slot | None = None,
    ) -> pd.DataFrame:
        """Return the reports of a selection counted by the dimensions ``by``, in the store.

        The store's answer to ``loaders.counts.ReportCounts.count``: equal, to the row and
        the type, to ``safetymap.analysis.counts.FrameCounts`` over the loaded reports.

        Parameters
        ----------
        filters
            The selection (``safetymap.analysis.filters.Filters``).
        by
            Dimensions of ``loaders.counts.DIMENSIONS``.
        resolution
            H3 resolution of the ``cell`` dimension: 8, 9 or 10, the cells stored at ingest.
        slot
            Keep only reports that occurred in this weekday and hour.

        Returns
        -------
        pandas.DataFrame
            The dimensions of ``by`` in ``DIMENSIONS`` order, then ``reports``: one row per
            group holding at least one report, sorted by the dimensions. With no
            dimension, one row: the number of reports selected (0 included).

        Raises
        ------
        ValueError
            An unknown or repeated dimension, or a resolution that is not stored.
        """
        by = tuple(by)
        report_counts.check_dimensions(by)
        by = report_counts.ordered(by)
        plain = [name for name in by if name != "reason"]
        columns = [self._dimension_sql(name, resolution) for name in plain]
        where, params = self._where(filters, slot=slot, present=columns)
        if "reason" in by:
            # One tally per reason code: the reports whose reason bits have its bit set.
            # Integer arithmetic on one stored number, not a text search per code.
            tallies = [f"sum(CASE WHEN ({REASON_BITS.name} & {1 << i}) <> 0 THEN 1 ELSE 0 END)"
                       for i in range(len(report_counts.REASON_CODES))]
        else:
            tallies = ["count(*)"]
        source = f"streetsafe{where}"
        group = f" GROUP BY {', '.join(columns)}" if columns else ""
        statement = f"SELECT {', '.join([*columns, *tallies])} FROM {source}{group}"  # noqa: S608 - column names from the fixed lists; values are bound
        with self._connect() as connection, self._read(connection):
            cursor = connection.cursor()
            cursor.execute(self._sql(statement), params)
            rows = [tuple(row) for row in cursor.fetchall()]
        if not by:
            return pd.DataFrame({"reports": pd.Series([int(rows[0][0])], dtype="int64")})
        return _counts_frame(by, rows)

    def _dimension_sql(self, name: str, resolution: int) -> str:
        """Return the stored column, or the expression, that gives a dimension's values."""
        if name == "cell":
            return hex_column(resolution)
        if name == "occurred_minute":
            return self.minute_expression
        if name == "event_week":
            return self.week_expression
        return name

    def span(self, filters: Selection) -> tuple[date, date] | None:
        """Return the first and last local day of ``event_at`` selected; None when none is."""
        where, params = self._where(filters)
        with self._connect() as connection, self._read(connection):
            cursor = connection.cursor()
            cursor.execute(self._sql(
                f"SELECT min(event_at), max(event_at) FROM streetsafe{where}"  # noqa: S608 - values are bound
            ), params)
            first, last = (_as_datetime(value) for value in first_row(cursor) or (None, None))
        if first is None or last is None:
            return None
        zone = ZoneInfo(LONDON)
        return first.astimezone(zone).date(), last.astimezone(zone).date()

    def rows(
        self,
        filters: Selection,
        *,
        slot: report_counts.Slot | None = None,
        limit: int | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the selected reports themselves, as the loaders give them, in store order.

        With ``limit``, only the first that many: a page showing a few rows of a large
        selection does not read it all.
        """
        where, params = self._where(filters, slot=slot)
        with self._connect() as connection, self._read(connection):
            return self._records(connection.cursor(), "streetsafe", where, params, limit=limit)

    # ------------------------------------------------------------------ the log
    _ACTION_SELECT = ("SELECT action_id, place_name, district_code, latitude, longitude, "
                      "agency, what, status, started, done_on, recorded_by, recorded_at "
                      "FROM actions")

    def record_action(self, values: dict[str, object], *, user: str) -> Action:
        """Record an action at a place, and its first history, in one transaction.

        Parameters
        ----------
        values
            The fields of ``loaders.store.actions.ACTION_FIELDS``.
        user
            Who records it (``recorded_by``, and the history's ``changed_by``).

        Raises
        ------
        ActionRefused
            A field is missing or bad (every problem named); nothing was written.
        """
        checked = check_new_action(values)
        if not user.strip():
            raise ActionRefused([("field recorded_by: expected who records the action, "
                                  "found nothing")])
        now = utc_text(datetime.now(UTC))
        stored = {name: _stored_value(value) for name, value in checked.items()}
        with self._connect() as connection, self._write(connection):
            cursor = connection.cursor()
            cursor.execute(self._sql(
                "INSERT INTO actions (place_name, district_code, latitude, longitude, agency, "
                "what, status, started, done_on, recorded_by, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING action_id"
            ), (*stored.values(), user, now))
            action_id = int(_value(cursor))
            cursor.executemany(self._sql(
                "INSERT INTO action_history (action_id, changed_at, changed_by, field, "
                "old_value, new_value) VALUES (?, ?, ?, ?, NULL, ?)"
            ), [(action_id, now, user, name, _history_text(value))
                for name, value in stored.items() if value is not None])
            return self._action(cursor, action_id)

    def update_action(
        self, action_id: int, changes: dict[str, object], *, user: str
    ) -> tuple[Action, dict[str, object]]:
        """Change an action's editable fields and record the change, in one transaction.

        The action is read, checked with the change and written under the store's write
        lock, so two edits at once queue and each sees the other's result.

        Returns
        -------
        tuple
            The action as it now stands, and the fields that changed (empty: nothing was
            written, as every value was the stored one).

        Raises
        ------
        ActionRefused
            No such action, a field that cannot be edited or a bad value; nothing written.
        """
        if not user.strip():
            raise ActionRefused([("field changed_by: expected who edits the action, "
                                  "found nothing")])
        with self._connect() as connection, self._write(connection):
            cursor = connection.cursor()
            action = self._action(cursor, action_id)
            changed = check_changes(action, changes)
            if not changed:
                return action, {}
            now = utc_text(datetime.now(UTC))
            assignments = ", ".join(f"{name} = ?" for name in changed)
            cursor.execute(self._sql(
                f"UPDATE actions SET {assignments} WHERE action_id = ?"  # noqa: S608 - names from EDITABLE_FIELDS; values are bound
            ), (*(_stored_value(v) for v in changed.values()), action_id))
            before = action.values()
            cursor.executemany(self._sql(
                "INSERT INTO action_history (action_id, changed_at, changed_by, field, "
                "old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)"
            ), [(action_id, now, user, name, _history_text(before[name]), _history_text(value))
                for name, value in changed.items()])
            return self._action(cursor, action_id), changed

    def _action(self, cursor: Cursor, action_id: object) -> Action:
        number = action_id if isinstance(action_id, int) and not isinstance(
            action_id, bool) else None
        row = None
        if number is not None:
            cursor.execute(self._sql(f"{self._ACTION_SELECT} WHERE action_id = ?"), (number,))
            row = first_row(cursor)
        if row is None:
            raise ActionRefused([(f"field action_id: expected the number of an action in "
                                  f"the log, found {action_id!r}")])
        return _action_of(row)

    def actions(self) -> list[Action]:
        """Return every action of the log, in the order recorded."""
        with self._connect() as connection, self._read(connection):
            cursor = connection.cursor()
            cursor.execute(f"{self._ACTION_SELECT} ORDER BY action_id")
            return [_action_of(tuple(row)) for row in cursor.fetchall()]

    def action_history(self, action_id: int | None = None) -> pd.DataFrame:
        """Return the changes to one action (or to every action), oldest first.

        Columns ``loaders.store.actions.HISTORY_COLUMNS``: values are stored text (days as
        ``YYYY-MM-DD``); ``old_value`` is None for the fields set when it was recorded.
        """
        where, params = ("", []) if action_id is None else (" WHERE action_id = ?",
                                                             [action_id])
        with self._connect() as connection, self._read(connection):
            cursor = connection.cursor()
            cursor.execute(self._sql(
                f"SELECT {', '.join(HISTORY_COLUMNS)} FROM action_history{where} "  # noqa: S608 - fixed names; values are bound
                "ORDER BY history_id"
            ), params)
            rows = [tuple(row) for row in cursor.fetchall()]
        values = list(zip(*rows, strict=True)) if rows else [() for _ in HISTORY_COLUMNS]
        frame = pd.DataFrame({name: pd.Series(list(column), dtype=object)
                              for name, column in zip(HISTORY_COLUMNS, values, strict=True)})
        frame["action_id"] = frame["action_id"].astype("int64")
        frame["changed_at"] = pd.Series([_as_datetime(v) for v in frame["changed_at"]],
                                        dtype=object)
        return frame


def _stored_value(value: object) -> object:
    """Return a field's value as the log stores it: days as ``YYYY-MM-DD`` text."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def _history_text(value: object) -> str | None:
    """Return a field's value as the history keeps it: text, days as ``YYYY-MM-DD``."""
    stored = _stored_value(value)
    return None if stored is None else str(stored)


def _action_of(row: tuple[Any, ...]) -> Action:
    (action_id, place, district, latitude, longitude, agency, what, status, started,
     done_on, by, at) = row
    recorded_at = _as_datetime(at)
    if recorded_at is None:  # pragma: no cover - the column is NOT NULL
        raise StoreError(f"action {action_id} has no time it was recorded")
    return Action(
        action_id=int(action_id), place_name=str(place), district_code=str(district),
        latitude=float(latitude), longitude=float(longitude), agency=str(agency),
        what=str(what), status=str(status), started=date.fromisoformat(str(started)),
        done_on=None if done_on is None else date.fromisoformat(str(done_on)),
        recorded_by=str(by), recorded_at=recorded_at,
    )


def _counts_frame(by: tuple[str, ...], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Return the groups a ``GROUP BY`` gave as a ``count`` result, sorted by the dimensions.

    With ``reason`` the rows hold the other dimensions then one tally per reason code: each
    non-zero tally becomes a group. Sorting happens here, not in SQL, so text sorts as
    Python (and ``pandas.factorize``) sorts it, whatever the database's collation.
    """
    plain = [name for name in by if name != "reason"]
    if "reason" in by:
        groups = [
            (*row[:len(plain)], code, int(tally))
            for row in rows
            for code, tally in zip(report_counts.REASON_CODES, row[len(plain):], strict=True)
            if tally
        ]
    else:
        groups = [(*row[:-1], int(row[-1])) for row in rows]
    if not groups:
        return report_counts.empty_counts(by)
    values = list(zip(*groups, strict=True))
    columns = {
        name: pd.Series(
            values[i], dtype="int64" if name in report_counts.NUMBER_DIMENSIONS else object
        )
        for i, name in enumerate(by)
    }
    columns["reports"] = pd.Series(values[-1], dtype="int64")
    reason_order = {code: i for i, code in enumerate(report_counts.REASON_CODES)}

    def sort_key(column: pd.Series) -> pd.Series:
        return column.map(reason_order) if column.name == "reason" else column

    return (pd.DataFrame(columns).sort_values(list(by), key=sort_key)
            .reset_index(drop=True))
