"""Downloads: formula cells neutralised in CSV, XLSX and GeoJSON; what each role may export."""

from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from safetymap.analysis.exports import (
    neutralise_formulas,
    records_for_export,
    to_csv_bytes,
    to_geojson_bytes,
    to_xlsx_bytes,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1923 000000", "'+44 1923 000000"),
        ("-5", "'-5"),  # text from an input: the exporter cannot tell it from -5+cmd|...
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "'=1+1"),  # already neutral: unchanged, so neutralising twice is safe
        ("Badly lit = scary", "Badly lit = scary"),
        ("", ""),
    ],
)
def test_neutralise_text_cells(text: str, expected: str) -> None:
    frame = pd.DataFrame({"comment": [text]})
    assert neutralise_formulas(frame)["comment"].tolist() == [expected]


def test_numbers_stay_numbers() -> None:
    frame = pd.DataFrame({
        "change": [-5.0, 2.5],
        "count": np.array([-3, 4]),
        "mixed": pd.Series([-7, "-7"], dtype=object),
        "label": pd.Categorical(["=A1", "ok"]),
    })
    result = neutralise_formulas(frame)
    assert result["change"].tolist() == [-5.0, 2.5]
    assert result["count"].dtype == np.int64
    assert result["mixed"].tolist() == [-7, "'-7"]  # the number stays, the text does not
    assert result["label"].tolist() == ["'=A1", "ok"]
    assert frame["mixed"].tolist() == [-7, "-7"]  # the input is not changed


def test_column_names_are_neutralised_too() -> None:
    assert list(neutralise_formulas(pd.DataFrame({"=cmd": [1]})).columns) == ["'=cmd"]


RECORDS = pd.DataFrame({
    "response_id": ["R1", "R2"],
    "completed_at": pd.Series(pd.to_datetime(["2026-07-01 10:00", "2026-01-05 09:30"]))
    .dt.tz_localize("Europe/London"),
    "comment": ["=HYPERLINK(\"http://x\")", "Fine"],
    "change": [-5.0, np.nan],
    "age_band": ["16-24", None],
    "sex": ["Female", "Male"],
})


def test_csv_neutralises_and_writes_iso_times() -> None:
    data = to_csv_bytes(RECORDS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["response_id", "completed_at", "comment", "change", "age_band", "sex"],
        ["R1", "2026-07-01T10:00:00+01:00", "'=HYPERLINK(\"http://x\")", "-5.0", "16-24",
         "Female"],
        ["R2", "2026-01-05T09:30:00+00:00", "Fine", "", "", "Male"],
    ]
    assert not to_csv_bytes(RECORDS, bom=False).startswith(b"\xef\xbb\xbf")


def test_xlsx_stores_formula_text_as_strings() -> None:
    frame = pd.DataFrame({"comment": ["=1+1", "-5", "bell\x07=2"], "change": [-5.0, 1.5, None]})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    sheet = book.active
    assert sheet is not None
    header, first, second, third = list(sheet.iter_rows())
    assert [cell.value for cell in header] == ["comment", "change"]
    assert (first[0].value, first[0].data_type) == ("'=1+1", "s")
    assert (second[0].value, second[0].data_type) == ("'-5", "s")
    assert (first[1].value, first[1].data_type) == (-5, "n")  # a number, not text
    # A control character is illegal in XLSX; dropping it leaves "bell=2", still text.
    assert (third[0].value, third[0].data_type) == ("bell=2", "s")
    assert third[1].value is None


def test_xlsx_writes_times_as_iso_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(RECORDS)))
    sheet = book.active
    assert sheet is not None
    assert sheet["B2"].value == "2026-07-01T10:00:00+01:00"
    assert sheet["C2"].value == "'=HYPERLINK(\"http://x\")"
    assert sheet["C2"].data_type == "s"


def test_geojson_is_wgs84_and_neutralised() -> None:
    # Watford town centre, given in British National Grid.
    points = gpd.GeoSeries.from_xy([511000.0, 511000.0], [196500.0, 196500.0], crs="EPSG:27700")
    gdf = gpd.GeoDataFrame(RECORDS, geometry=points.to_numpy(), crs="EPSG:27700")
    gdf.loc[1, "geometry"] = None
    collection = json.loads(to_geojson_bytes(gdf))
    first, second = collection["features"]
    lon, lat = first["geometry"]["coordinates"]
    expected = points.to_crs("EPSG:4326").iloc[0]
    assert (lon, lat) == pytest.approx((expected.x, expected.y), abs=1e-9)
    assert 51.6 < lat < 51.7
    assert -0.42 < lon < -0.38
    assert first["properties"]["comment"] == "'=HYPERLINK(\"http://x\")"
    assert first["properties"]["completed_at"] == "2026-07-01T10:00:00+01:00"
    assert first["properties"]["change"] == -5.0
    assert second["geometry"] is None
    assert second["properties"]["change"] is None


def test_geojson_needs_a_crs() -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=gpd.points_from_xy([0.0], [0.0]))
    with pytest.raises(ValueError, match="must have a valid CRS"):
        to_geojson_bytes(gdf)
    with pytest.raises(TypeError, match="should be GeoDataFrame, got <class"):
        to_geojson_bytes(pd.DataFrame({"a": [1]}))  # type: ignore[arg-type]


def test_records_for_each_role() -> None:
    assert list(records_for_export(RECORDS, role="analyst").columns) == list(RECORDS.columns)
    assert list(records_for_export(RECORDS, role="police").columns) == [
        "response_id", "completed_at", "change"
    ]
    with pytest.raises(PermissionError, match="aggregates only"):
        records_for_export(RECORDS, role="partner")
