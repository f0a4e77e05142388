"""Turn export files of one kind into one validated frame, refusing rows with reasons.

The steps are the same for every kind: read, match headers, parse each field, check the
parsed values against a pandera schema built from the field specs, place the points, and
combine the files so that a duplicate id counts once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa

from geodata import ANALYSIS_CRS
from loaders.fields import Parsed, parse_float
from loaders.geography import TOLERANCE_M, assign_areas, district_name, points_from
from loaders.problems import LoadError, Problem, quote_found
from loaders.reading import FileProblem, RawTable, header_key, match_headers, read_table

WITHHELD = "a value withheld (confidential service location)"


@dataclass(frozen=True)
class FieldSpec:
    """One field of the contract: how to find it, read it and check it."""

    name: str
    parse: Callable[[pd.Series], Parsed]
    expected: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    checks: tuple[pa.Check, ...] = ()
    #: the column must be present even where blanks are allowed (survey answers)
    required_column: bool = False


@dataclass(frozen=True)
class PlaceSpec:
    """Where a kind's point comes from: a pair of degree fields or of grid fields."""

    prefix: str
    required: bool
    lat_aliases: tuple[str, ...]
    lon_aliases: tuple[str, ...]
    east_aliases: tuple[str, ...]
    north_aliases: tuple[str, ...]

    def names(self) -> tuple[str, str, str, str]:
        """Return the canonical latitude, longitude, easting and northing field names."""
        p = self.prefix
        return (f"{p}latitude", f"{p}longitude", f"{p}easting", f"{p}northing")


@dataclass(frozen=True)
class RowRule:
    """A check across the fields of a row, such as an end date not before its start.

    ``expected`` takes the parsed values and returns, for each row that breaks the rule,
    what was expected of ``field`` (missing for the rows that keep it).
    """

    field: str
    expected: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class KindSpec:
    """Everything the pipeline needs to know about one input kind."""

    kind: str
    id_field: str
    fields: tuple[FieldSpec, ...]
    place: PlaceSpec | None
    #: rows whose location must not appear anywhere (confidential services)
    withhold: Callable[[pd.DataFrame], pd.Series] | None = None
    #: rows whose coordinates are never quoted in a problem, whatever else is wrong with
    #: them: the withheld rows and those that only look confidential. Called with the
    #: parsed values and the raw text of each field (blank where the file lacks it).
    guard: Callable[[pd.DataFrame, pd.DataFrame], pd.Series] | None = None
    #: kind-specific columns derived after validation
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    #: field whose location columns of withheld rows are dropped
    output_columns: tuple[str, ...] = ()
    #: checks across the fields of a row, made once each field has been read
    rules: tuple[RowRule, ...] = ()


@dataclass
class FileReport:
    """What happened to one file: counts a data-quality panel shows."""

    file: str
    rows: int = 0
    loaded: int = 0
    refused: int = 0
    duplicates: int = 0
    outside_county: int = 0
    file_error: str | None = None


@dataclass
class LoadResult:
    """The validated rows of one kind, and everything that was refused or noticed."""

    kind: str
    frame: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    def raise_if_problems(self) -> None:
        """Raise :class:`LoadError` listing every problem, if there is any."""
        if self.problems:
            raise LoadError(self.problems)


def _coordinate_specs(place: PlaceSpec) -> list[FieldSpec]:
    lat, lon, east, north = place.names()
    return [
        FieldSpec(lat, parse_float, "a latitude in decimal degrees (WGS84), 49 to 61",
                  place.lat_aliases, checks=(pa.Check.in_range(49.0, 61.0),)),
        FieldSpec(lon, parse_float, "a longitude in decimal degrees (WGS84), -8 to 2",
                  place.lon_aliases, checks=(pa.Check.in_range(-8.0, 2.0),)),
        FieldSpec(east, parse_float, "an easting in metres (British National Grid)",
                  place.east_aliases, checks=(pa.Check.in_range(0.0, 700_000.0),)),
        FieldSpec(north, parse_float, "a northing in metres (British National Grid)",
                  place.north_aliases, checks=(pa.Check.in_range(0.0, 1_300_000.0),)),
    ]


def _all_fields(spec: KindSpec) -> list[FieldSpec]:
    fields = list(spec.fields)
    if spec.place is not None:
        fields += _coordinate_specs(spec.place)
    return fields


def _resolve_xy(table: RawTable, columns: dict[str, str], place: PlaceSpec) -> None:
    """Read bare ``x``/``y`` columns as degrees or grid metres, by their values."""
    lat, lon, east, north = place.names()
    keys = {header_key(c): c for c in table.frame.columns}
    x_col = keys.get(header_key(f"{place.prefix}x"))
    y_col = keys.get(header_key(f"{place.prefix}y"))
    if x_col is None or y_col is None or {lat, lon, east, north} & columns.keys():
        return
    values = pd.to_numeric(table.frame[x_col].str.strip(), errors="coerce")
    if values.abs().max() > 180:
        columns[east], columns[north] = x_col, y_col
    else:
        columns[lon], columns[lat] = x_col, y_col


def _check_columns(spec: KindSpec, table: RawTable, columns: dict[str, str]) -> None:
    # Every missing column in one message, so that one run of `validate` lists them all.
    missing = [
        f for f in spec.fields if (f.required or f.required_column) and f.name not in columns
    ]
    present = ", ".join(f'"{c}"' for c in table.frame.columns) or "no columns"
    wanted: list[str] = []
    if missing:
        wanted.append("a column " + "; ".join(
            f.name + (f" (or {', '.join(f.aliases)})" if f.aliases else "") for f in missing
        ))
    if spec.place is not None and spec.place.required:
        lat, lon, east, north = spec.place.names()
        if not ({lat, lon} <= columns.keys() or {east, north} <= columns.keys()):
            wanted.append(f"columns {lat} and {lon}, or {east} and {north}")
    if wanted:
        raise FileProblem(Problem(table.name, None, None, "; and ".join(wanted), present))


def _schema(spec: KindSpec, fields: list[FieldSpec]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            f.name: pa.Column(checks=list(f.checks), nullable=not f.required, required=False)
            for f in fields
        },
        strict=False,
    )


class _Collector:
    """Gather problems per cell, keeping the first reason given for a cell."""

    def __init__(self, table: RawTable, columns: dict[str, str], withheld: pd.Series) -> None:
        self.table = table
        self.columns = columns
        self.withheld = withheld
        self.seen: set[tuple[int, str]] = set()
        self.problems: list[Problem] = []
        self.location_fields: set[str] = set()

    def label(self, name: str) -> str:
        column = self.columns.get(name)
        if column is None or header_key(column) == header_key(name):
            return name
        return f'{name} ("{column}")'

    def add(self, row: int, name: str, expected: str, found: str | None = None) -> None:
        if (row, name) in self.seen:
            return
        self.seen.add((row, name))
        if found is None:
            if name in self.location_fields and bool(self.withheld.get(row, False)):
                found = WITHHELD
            else:
                column = self.columns.get(name)
                raw = self.table.frame.at[row, column] if column is not None else ""
                found = quote_found(raw)
        self.problems.append(Problem(self.table.name, row, self.label(name), expected, found))

    def rows(self) -> set[int]:
        return {row for row, _ in self.seen}


def _load_file(
    spec: KindSpec, path: Path, header_map: dict[str, str] | None
) -> tuple[pd.DataFrame, list[Problem], list[str], FileReport]:
    table = read_table(path)
    fields = _all_fields(spec)
    aliases = {f.name: f.aliases for f in fields}
    columns = match_headers(table, aliases, header_map)
    if spec.place is not None:
        _resolve_xy(table, columns, spec.place)
    _check_columns(spec, table, columns)
    frame = table.frame
    report = FileReport(file=table.name, rows=len(frame))

    typed = pd.DataFrame(index=frame.index)
    bad_cells: dict[str, pd.Series] = {}
    for f in fields:
        raw = frame[columns[f.name]] if f.name in columns else pd.Series("", index=frame.index)
        values, bad = f.parse(raw)
        if f.required and (values.dtype == object or pd.api.types.is_string_dtype(values)):
            values = values.where(values.astype(str).str.strip() != "", None)
        typed[f.name] = values
        bad_cells[f.name] = bad

    withheld = (
        spec.withhold(typed).astype(bool) if spec.withhold is not None
        else pd.Series(False, index=frame.index)
    )
    guarded = withheld
    if spec.guard is not None:
        raw_fields = pd.DataFrame(
            {f.name: frame[columns[f.name]] if f.name in columns else "" for f in fields},
            index=frame.index,
        )
        guarded = withheld | spec.guard(typed, raw_fields).astype(bool)
    collector = _Collector(table, columns, guarded)
    location_fields: list[str] = list(spec.place.names()) if spec.place is not None else []
    collector.location_fields = set(location_fields)
    expected_of = {f.name: f.expected for f in fields}
    for name, bad in bad_cells.items():
        for row in bad.index[bad.to_numpy()]:
            collector.add(int(row), name, expected_of[name])
    for rule in spec.rules:
        broken = rule.expected(typed)
        for row in broken.index[broken.notna().to_numpy()]:
            collector.add(int(row), rule.field, str(broken[row]))
    if location_fields and withheld.any():
        # A confidential location never goes further than this line.
        typed.loc[withheld, location_fields] = np.nan

    try:
        _schema(spec, fields).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        for column, index, check in zip(
            cases["column"], cases["index"], cases["check"], strict=True
        ):
            if column is None or index is None or pd.isna(index):
                continue
            found = "blank" if check == "not_nullable" else None
            collector.add(int(index), str(column), expected_of[str(column)], found)

    result = typed
    if spec.place is not None:
        result = _place(spec.place, typed, collector, report)

    refused = collector.rows()
    keep = ~result.index.isin(list(refused))
    accepted = result[keep].copy()
    accepted["source_file"] = table.name
    accepted["source_row"] = accepted.index.astype("int64")
    report.refused = len(refused)
    problems = sorted(collector.problems, key=lambda problem: problem.row or 0)
    return accepted, problems, table.notices, report


def _place(
    place: PlaceSpec, typed: pd.DataFrame, collector: _Collector, report: FileReport
) -> pd.DataFrame:
    lat, lon, east, north = place.names()
    has_degrees = typed[lat].notna() & typed[lon].notna()
    has_grid = typed[east].notna() & typed[north].notna()
    any_given = typed[[lat, lon, east, north]].notna().any(axis=1)
    pair_missing = ~has_degrees & ~has_grid
    pair_text = f"{lat} and {lon}, or {east} and {north}"
    for row in typed.index[(pair_missing & any_given).to_numpy()]:
        collector.add(int(row), lat, f"both halves of a coordinate pair ({pair_text})")
    if place.required:
        for row in typed.index[(pair_missing & ~any_given).to_numpy()]:
            collector.add(int(row), lat, f"a location ({pair_text})", "blank")

    # A row is placed unless its coordinates themselves are bad: one refused for another
    # field is still checked, so that being outside the county is said with its other
    # problems.
    bad_coordinates = [
        row for row, name in collector.seen if name in (lat, lon, east, north)
    ]
    usable = ~typed.index.isin(bad_coordinates)
    points, latitude, longitude = points_from(
        typed[lat].where(usable), typed[lon].where(usable),
        typed[east].where(usable), typed[north].where(usable),
    )
    areas = assign_areas(points)
    outside = areas["km_outside"].notna()
    report.outside_county = int(outside.sum())
    for row in typed.index[outside.to_numpy()]:
        given = lat if has_degrees[row] else east
        km = areas["km_outside"].to_numpy()[typed.index.get_loc(row)]
        found = (
            WITHHELD if bool(collector.withheld.get(row, False))
            else f"{latitude[row]:.5f}, {longitude[row]:.5f} ({km:.1f} km outside the county)"
        )
        collector.add(
            int(row), given,
            f"a place inside Hertfordshire (within {TOLERANCE_M:.0f} m of a district)", found,
        )
    result = typed.drop(columns=[east, north])
    result[lat] = latitude
    result[lon] = longitude
    p = place.prefix
    result[f"{p}lsoa_code"] = areas["lsoa_code"]
    result[f"{p}lsoa_name"] = areas["lsoa_name"]
    result[f"{p}district_code"] = areas["district_code"]
    return gpd.GeoDataFrame(result, geometry=points, crs=ANALYSIS_CRS)


def _content_hash(frame: pd.DataFrame) -> pd.Series:
    content = frame.drop(columns=["source_file", "source_row", "geometry"], errors="ignore")
    return pd.util.hash_pandas_object(content.astype(str), index=False)


def _deduplicate(
    spec: KindSpec, frame: pd.DataFrame, reports: dict[str, FileReport]
) -> tuple[pd.DataFrame, list[Problem]]:
    ids = frame[spec.id_field]
    repeated = ids.duplicated(keep="first")
    if not repeated.any():
        return frame, []
    hashes = _content_hash(frame)
    first_pos = ~repeated
    first_hash = pd.Series(hashes[first_pos].to_numpy(), index=ids[first_pos].to_numpy())
    first_file = pd.Series(frame["source_file"][first_pos].to_numpy(), index=first_hash.index)
    first_row = pd.Series(frame["source_row"][first_pos].to_numpy(), index=first_hash.index)
    problems: list[Problem] = []
    repeat_rows = frame[repeated]
    same = hashes[repeated].to_numpy() == first_hash.loc[ids[repeated]].to_numpy()
    for (_, row), is_same in zip(repeat_rows.iterrows(), same, strict=True):
        report = reports[row["source_file"]]
        report.loaded -= 1
        if is_same:
            report.duplicates += 1
            continue
        key = row[spec.id_field]
        report.refused += 1
        problems.append(Problem(
            row["source_file"], int(row["source_row"]), spec.id_field,
            f"a new {spec.id_field}, or the same content as its earlier record "
            f"({first_file[key]} row {first_row[key]}), which was kept",
            f"{quote_found(key)} with different content",
        ))
    return frame[~repeated], problems


def empty_frame(spec: KindSpec) -> gpd.GeoDataFrame:
    """Return an empty frame with the kind's output columns."""
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in spec.output_columns})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=ANALYSIS_CRS), crs=ANALYSIS_CRS)


def load_kind(
    spec: KindSpec, paths: Iterable[Path], *, header_map: dict[str, str] | None = None
) -> LoadResult:
    """Load every file of one kind into one :class:`LoadResult`.

    A file with a whole-file problem is refused as a whole (one problem); a row with any
    problem is refused with one problem per bad field; every other row is kept. Rows that
    repeat an id with the same content count once; with other content they are refused.
    """
    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    notices: list[str] = []
    reports: dict[str, FileReport] = {}
    for path in paths:
        try:
            accepted, file_problems, file_notices, report = _load_file(spec, path, header_map)
        except FileProblem as error:
            problems.append(error.problem)
            reports[path.name] = FileReport(file=path.name, file_error=error.problem.message())
            continue
        report.loaded = len(accepted)
        reports[path.name] = report
        problems += file_problems
        notices += file_notices
        frames.append(accepted)
    if not frames or all(f.empty for f in frames):
        frame: pd.DataFrame = empty_frame(spec)
    else:
        frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
        frame, duplicate_problems = _deduplicate(spec, frame, reports)
        problems += duplicate_problems
        frame = frame.reset_index(drop=True)
        if spec.finish is not None:
            frame = spec.finish(frame)
        if "district_code" in frame.columns:
            frame["district_name"] = district_name(frame["district_code"])
        frame = frame[[c for c in spec.output_columns if c in frame.columns]]
    order = {name: position for position, name in enumerate(reports)}
    problems.sort(key=lambda problem: (order.get(problem.file, -1), problem.row or 0))
    if not isinstance(frame, gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame),
                                 crs=ANALYSIS_CRS), crs=ANALYSIS_CRS)
    return LoadResult(spec.kind, frame, problems, notices, list(reports.values()))
