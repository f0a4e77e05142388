"""Outreach points: loading, storing, and measuring them against need (issue 15, item 3).

Expected values are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pyproj import Transformer

from loaders import load_outreach
from loaders.source import FolderSource, files_by_kind

# Places well inside their district (GeoNames town centres), as in test_loaders.
WATFORD = (51.65531, -0.39602)
HEMEL = (51.75368, -0.44975)  # Dacorum
STEVENAGE = (51.90224, -0.20256)
LONDON = (51.50740, -0.12780)  # 17.5 km outside the county

HEADER = "point_id,kind,organisation,latitude,longitude,in_place_from,in_place_to,name,notes\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def messages(result: object) -> list[str]:
    return [problem.message() for problem in result.problems]  # type: ignore[attr-defined]


# ------------------------------------------------------------------ loader: accepted
def test_outreach_points_load_with_aliases_labels_and_uk_dates(tmp_path: Path) -> None:
    path = write(tmp_path, "outreach_clarion.csv", f"""
Reference,Type,Partner,Lat,Lng,Placed on,Removed on,Site,Notes
P1,QR code poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},01/03/2026,,Meriden estate,Stairwell B
P2,leaflet point,HDAH,{HEMEL[0]},{HEMEL[1]},2026-03-01,31/03/2026,Library,
P3,Drop-in,Herts IDVA Service,{STEVENAGE[0]},{STEVENAGE[1]},2026-04-01,2026-04-01,,
""")
    result = load_outreach([path])

    assert result.problems == []
    frame = result.frame.set_index("point_id")
    assert frame["kind"].tolist() == ["qr_poster", "leaflet_point", "drop_in"]
    assert frame["organisation"].tolist() == ["Clarion Housing", "HDAH", "Herts IDVA Service"]
    assert frame.at["P1", "in_place_from"] == pd.Timestamp("2026-03-01")
    assert pd.isna(frame.at["P1", "in_place_to"])
    assert frame.at["P2", "in_place_to"] == pd.Timestamp("2026-03-31")
    # in place for one day only: the end may be the start
    assert frame.at["P3", "in_place_to"] == frame.at["P3", "in_place_from"]
    assert frame.at["P1", "name"] == "Meriden estate"
    assert frame.at["P1", "notes"] == "Stairwell B"
    assert frame["district_name"].tolist() == ["Watford", "Dacorum", "Stevenage"]
    assert result.frame.crs == "EPSG:27700"
    assert frame["source_row"].tolist() == [2, 3, 4]


def test_easting_northing_gives_the_same_point(tmp_path: Path) -> None:
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    easting, northing = to_grid.transform(STEVENAGE[1], STEVENAGE[0])
    degrees = write(tmp_path, "outreach_a.csv",
                    "point_id,kind,organisation,latitude,longitude,in_place_from\n"
                    f"S1,drop_in,HDAH,{STEVENAGE[0]},{STEVENAGE[1]},2026-01-01\n")
    grid = write(tmp_path, "outreach_b.csv",
                 "point_id,kind,organisation,easting,northing,in_place_from\n"
                 f"S2,drop_in,HDAH,{easting:.2f},{northing:.2f},2026-01-01\n")
    result = load_outreach([degrees, grid])
    assert result.problems == []
    first, second = result.frame.geometry
    assert first.distance(second) < 0.01  # metres
    assert result.frame["latitude"].iloc[1] == pytest.approx(STEVENAGE[0], abs=1e-6)


def test_xlsx_gives_the_same_points_as_csv(tmp_path: Path) -> None:
    rows = [["point_id", "kind", "organisation", "latitude", "longitude", "in_place_from"],
            ["X1", "qr_poster", "Clarion Housing", WATFORD[0], WATFORD[1], "2026-02-01"]]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "outreach.xlsx")
    write(tmp_path, "outreach.csv", "\n".join(",".join(map(str, row)) for row in rows) + "\n")
    from_xlsx = load_outreach([tmp_path / "outreach.xlsx"]).frame
    from_csv = load_outreach([tmp_path / "outreach.csv"]).frame
    columns = ["point_id", "kind", "organisation", "in_place_from", "latitude", "longitude"]
    pd.testing.assert_frame_equal(from_xlsx[columns], from_csv[columns])


# ------------------------------------------------------------------ loader: refused
def test_every_problem_of_a_row_is_named_with_file_row_field_expected_found(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "outreach_bad.csv", HEADER + f"""
OK1,qr_poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},2026-03-01,,,
B2,flyer,,{LONDON[0]},{LONDON[1]},soon,,,
B3,leaflet_point,HDAH,{HEMEL[0]},{HEMEL[1]},2026-03-01,2026-02-28,,
B4,drop_in,HDAH,,,,,,
B5,drop_in,HDAH,{HEMEL[0]},,2026-03-01,31/02/2026,,
""")
    result = load_outreach([path])

    assert result.frame["point_id"].tolist() == ["OK1"]
    kinds = "qr_poster, leaflet_point, drop_in, other (or their labels, e.g. QR code poster)"
    date = "a date (ISO 8601 such as 2026-03-14, or DD/MM/YYYY)"
    assert messages(result) == [
        f'outreach_bad.csv, row 3, field kind: expected one of {kinds}, found "flyer"',
        f'outreach_bad.csv, row 3, field in_place_from: expected {date}, found "soon"',
        "outreach_bad.csv, row 3, field organisation: expected the organisation that placed "
        "it (not blank), found blank",
        "outreach_bad.csv, row 3, field latitude: expected a place inside Hertfordshire "
        "(within 50 m of a district), found 51.50740, -0.12780 (17.5 km outside the county)",
        "outreach_bad.csv, row 4, field in_place_to: expected a date on or after "
        'in_place_from (01/03/2026), found "2026-02-28"',
        f"outreach_bad.csv, row 5, field in_place_from: expected {date}, found blank",
        "outreach_bad.csv, row 5, field latitude: expected a location (latitude and "
        "longitude, or easting and northing), found blank",
        f"outreach_bad.csv, row 6, field in_place_to: expected {date}; blank while it is "
        'still there, found "31/02/2026"',
        "outreach_bad.csv, row 6, field latitude: expected both halves of a coordinate pair "
        '(latitude and longitude, or easting and northing), found "51.75368"',
    ]
    report = result.files[0]
    assert (report.rows, report.loaded, report.refused, report.outside_county) == (5, 1, 4, 1)


def test_a_file_without_the_required_columns_is_one_message(tmp_path: Path) -> None:
    path = write(tmp_path, "outreach_cols.csv", "id,where\nP1,estate\n")
    result = load_outreach([path])
    assert messages(result) == [
        "outreach_cols.csv: expected a column kind (or type, point type, outreach kind); "
        "organisation (or partner, organization, agency, placed by); in_place_from (or "
        "placed_on, from, start, start date, in place from); and columns latitude and "
        'longitude, or easting and northing, found "id", "where"'
    ]
    assert len(result.frame) == 0


def test_a_repeated_point_counts_once_and_a_conflicting_one_is_refused(tmp_path: Path) -> None:
    row = f"qr_poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},2026-03-01,,,"
    first = write(tmp_path, "outreach_1.csv", HEADER + f"D1,{row}\n")
    second = write(tmp_path, "outreach_2.csv", HEADER + f"D1,{row}\n"
                   + f"D1,drop_in,HDAH,{WATFORD[0]},{WATFORD[1]},2026-03-01,,,\n")
    result = load_outreach([first, second])
    assert result.frame["point_id"].tolist() == ["D1"]
    assert messages(result) == [
        "outreach_2.csv, row 3, field point_id: expected a new point_id, or the same content "
        'as its earlier record (outreach_1.csv row 2), which was kept, found "D1" with '
        "different content"
    ]


def test_a_data_folder_reads_outreach_files_into_the_dataset(tmp_path: Path) -> None:
    write(tmp_path, "Outreach_2026.csv", HEADER
          + f"F1,qr_poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},2026-03-01,,,\n")
    files, _ = files_by_kind(tmp_path)
    assert [p.name for p in files["outreach"]] == ["Outreach_2026.csv"]
    dataset = FolderSource(tmp_path).load()
    assert dataset.outreach.frame["point_id"].tolist() == ["F1"]
    assert [result.kind for result in dataset.results()] == [
        "streetsafe", "survey", "services", "outreach"]
    assert f"No outreach points in {tmp_path} (outreach*.csv or .xlsx)." not in dataset.notices
