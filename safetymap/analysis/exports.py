"""Turn tables into CSV, XLSX and GeoJSON downloads that a spreadsheet cannot run.

Formula injection (CONTRACT §5)
-------------------------------
Text from an input is data. A spreadsheet treats a cell that starts with ``=``, ``+``,
``-``, ``@``, tab or carriage return as a formula, so every *text* cell that starts with one
of them gets a leading apostrophe (``=1+1`` becomes ``'=1+1``), and so does a column name.
Numbers stay numbers: a negative number such as ``-5.0`` in a numeric column is not text
and is written as the number. The text ``"-5"`` (from an input's text column, such as a
comment) *is* neutralised, because the exporter cannot tell it from ``-5+cmd|...``.
The XLSX writer also stores every text cell as a string (``data_type "s"``), never as a
formula, so even a cell that slipped through would not be evaluated.

Formats
-------
- Date-times are written as ISO 8601 text with their offset (``2026-03-02T09:06:18+00:00``).
- CSV and XLSX carry no ``geometry`` column: the ``latitude``/``longitude`` columns already
  give each place in WGS84. CSV is UTF-8 with a byte-order mark by default so that Excel
  reads names with accents correctly.
- GeoJSON is in WGS84 (EPSG:4326), as RFC 7946 requires.

Roles
-----
:func:`records_for_export` decides what a role may download: ``partner`` gets no
row-level records at all (a :class:`PermissionError`), ``police`` gets them without
:data:`PERSONAL_COLUMNS`, ``analyst`` gets everything.
"""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from safetymap.roles import Role, check_role, sees_personal, sees_points

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Columns only the analyst role may export: demographics and free-text comments.
PERSONAL_COLUMNS = ("age_band", "sex", "comment")


def _neutral(value: object) -> object:
    """Return a text value with a leading apostrophe if it could start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy in which no text cell or column name can start a formula.

    Parameters
    ----------
    frame
        Any table; a GeoDataFrame stays a GeoDataFrame.

    Returns
    -------
    pandas.DataFrame
        The same table, with an apostrophe before every text cell and column name that
        starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return. Numeric columns
        (including negative numbers) and the geometry are unchanged.
    """
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
            continue
        risky = series.map(
            lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS)
        ).astype(bool)
        if risky.any():
            series = series.copy()
            series[risky] = ["'" + value for value in series[risky]]
            result[column] = series
    return result.rename(columns=_neutral)


def _iso(value: object) -> object:
    """Return a date or date-time as ISO 8601 text (with its offset); else the value."""
    if isinstance(value, (datetime, date)):  # pd.Timestamp is a datetime
        return None if pd.isna(value) else value.isoformat()
    return value


def _export_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a plain table to write: no geometry, date-times as text, formulas neutralised."""
    geometry = [c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)]
    table = pd.DataFrame(frame.drop(columns=geometry))
    for column in table.columns:
        series = table[column]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            table[column] = series.astype(object).map(_iso)
        elif series.dtype == object:
            table[column] = series.map(_iso)
    return neutralise_formulas(table)


def to_csv_bytes(frame: pd.DataFrame, *, bom: bool = True) -> bytes:
    """Return a table as CSV, formula cells neutralised.

    Parameters
    ----------
    frame
        The table; a geometry column is left out.
    bom
        Start with a UTF-8 byte-order mark, which Excel needs to read accents correctly.

    Returns
    -------
    bytes
        UTF-8 CSV, one header row, ``\\n`` line ends, missing values empty.
    """
    text = _export_table(frame).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8-sig" if bom else "utf-8")


def _xlsx_value(value: object) -> object:
    """Return a value openpyxl can store: None, bool, int, float or clean text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    # Control characters are illegal in XLSX; dropping one must not expose a formula.
    return _neutral(ILLEGAL_CHARACTERS_RE.sub("", str(_iso(value))))


def to_xlsx_bytes(frame: pd.DataFrame, *, sheet_name: str = "Data") -> bytes:
    """Return a table as an XLSX workbook whose text cells are never formulas.

    Parameters
    ----------
    frame
        The table; a geometry column is left out.
    sheet_name
        Name of the one worksheet.

    Returns
    -------
    bytes
        The workbook: a header row, then one row per record. Text is stored as strings
        (``data_type "s"``), numbers as numbers, missing values as empty cells.
    """
    table = _export_table(frame)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_name)

    def cell(value: object) -> WriteOnlyCell:
        stored = _xlsx_value(value)
        written = WriteOnlyCell(sheet, value=stored)
        if isinstance(stored, str):
            written.data_type = "s"  # openpyxl would read "=..." as a formula
        return written

    sheet.append([cell(name) for name in table.columns])
    for row in table.itertuples(index=False, name=None):
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _json_value(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def to_geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """Return records as a GeoJSON FeatureCollection in WGS84, formula cells neutralised.

    Parameters
    ----------
    gdf
        Records with a geometry and a CRS; rows without a geometry become features with a
        null geometry.

    Returns
    -------
    bytes
        UTF-8 GeoJSON (EPSG:4326) with every other column as a property; missing values
        are null and date-times ISO 8601 text.

    Raises
    ------
    TypeError
        When ``gdf`` is not a GeoDataFrame.
    ValueError
        When ``gdf`` has no CRS.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"'gdf' should be GeoDataFrame, got {type(gdf)}")
    if gdf.crs is None:
        raise ValueError("`gdf` must have a valid CRS; set one with gdf.set_crs(...).")
    properties = _export_table(gdf)
    properties = properties.astype(object).where(properties.notna(), None)
    features = gpd.GeoDataFrame(
        properties, geometry=gdf.geometry.to_crs("EPSG:4326").to_numpy(), crs="EPSG:4326"
    )
    text = features.to_json(na="null", drop_id=True, ensure_ascii=False, default=_json_value)
    return text.encode("utf-8")


def records_for_export(frame: pd.DataFrame, *, role: Role) -> pd.DataFrame:
    """Return the records a role may download, without the columns it may not see.

    Parameters
    ----------
    frame
        Row-level records (StreetSafe reports or survey responses).
    role
        ``analyst`` keeps every column; ``police`` loses :data:`PERSONAL_COLUMNS`;
        ``partner`` may not export records at all.

    Returns
    -------
    pandas.DataFrame
        A copy with the columns the role may see.

    Raises
    ------
    PermissionError
        For ``partner``, which sees aggregates only (CONTRACT §5).
    ValueError
        For an unknown role.
    """
    if not sees_points(check_role(role)):
        raise PermissionError(
            f"Role {role!r} sees aggregates only (CONTRACT §5): no row-level export. "
            "Download the district table instead."
        )
    if sees_personal(role):
        return frame.copy()
    return frame.drop(columns=[c for c in PERSONAL_COLUMNS if c in frame.columns])



def to_json_bytes(frame: pd.DataFrame) -> bytes:
    """Return a table as a JSON list of objects: missing values null, times ISO 8601.

    Text cells are neutralised as in CSV, since JSON is often opened in a spreadsheet too.
    """
    table = _export_table(frame)
    table = table.astype(object).where(table.notna(), None)
    records = table.to_dict(orient="records")
    text = json.dumps(records, indent=2, ensure_ascii=False, default=_json_value)
    return (text + "\n").encode("utf-8")
