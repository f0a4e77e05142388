"""Loaders: aliases, both coordinate systems, UK dates, labels, and every kind of refusal.

Expected values are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.ops import nearest_points

from geodata import load_county
from loaders import LoadError, load_services, load_streetsafe, load_survey
from loaders.source import FolderSource, SourceError, files_by_kind, read_header_map

# Places well inside their district (GeoNames town centres).
WATFORD = (51.65531, -0.39602)
HEMEL = (51.75368, -0.44975)  # Dacorum
STEVENAGE = (51.90224, -0.20256)
LONDON = (51.50740, -0.12780)  # 17.5 km outside the county


def write(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text.lstrip("\n"), encoding=encoding)
    return path


def messages(result_or_error: object) -> list[str]:
    problems = result_or_error.problems  # type: ignore[attr-defined]
    return [problem.message() for problem in problems]


# ------------------------------------------------------------------ StreetSafe: accepted
def test_streetsafe_aliases_uk_dates_and_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "streetsafe_july.csv", f"""
Reference,Date Submitted,Lat,Lng,Environment,Behaviour,Location label
A1,14/07/2026 21:30,{WATFORD[0]},{WATFORD[1]},Badly lit; No CCTV,Verbal abuse by a group,High St
A2,2026-01-05T08:15:00Z,{HEMEL[0]},{HEMEL[1]},rundown,,
""")
    result = load_streetsafe([path])

    assert result.problems == []
    frame = result.frame.set_index("report_id")
    # 14 July is British Summer Time: 21:30 local is 20:30 UTC.
    assert frame.at["A1", "submitted_at"] == pd.Timestamp("2026-07-14 21:30", tz="Europe/London")
    assert frame.at["A1", "submitted_at"].tz_convert("UTC").hour == 20
    # 5 January is GMT: 08:15Z is 08:15 local.
    assert frame.at["A2", "submitted_at"] == pd.Timestamp("2026-01-05 08:15", tz="Europe/London")
    # labels become codes, in the contract's order, whatever order they were given in
    assert frame.at["A1", "environment"] == "no_cctv;poor_lighting"
    assert frame.at["A1", "behaviour"] == "verbal_abuse_group"
    assert frame.at["A2", "environment"] == "rundown"
    assert frame.at["A1", "location_label"] == "High St"
    assert frame.at["A1", "district_code"] == "E07000103"
    assert frame.at["A1", "district_name"] == "Watford"
    assert frame.at["A1", "lsoa_name"].startswith("Watford ")
    assert frame.at["A2", "district_code"] == "E07000096"
    assert result.frame.crs == "EPSG:27700"
    assert frame.at["A1", "source_row"] == 2
    assert frame.at["A2", "source_row"] == 3


def test_easting_northing_gives_the_same_place_as_latitude_longitude(tmp_path: Path) -> None:
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    easting, northing = to_grid.transform(STEVENAGE[1], STEVENAGE[0])
    degrees = write(tmp_path, "streetsafe_a.csv", f"""
report_id,submitted_at,latitude,longitude
S1,2026-03-01 10:00,{STEVENAGE[0]},{STEVENAGE[1]}
""")
    grid = write(tmp_path, "streetsafe_b.csv", f"""
report_id,submitted_at,easting,northing
S1,2026-03-01 10:00,{easting:.2f},{northing:.2f}
""")
    by_degrees = load_streetsafe([degrees]).frame.iloc[0]
    by_grid = load_streetsafe([grid]).frame.iloc[0]

    assert by_grid["district_code"] == by_degrees["district_code"] == "E07000243"
    assert by_grid["lsoa_code"] == by_degrees["lsoa_code"]
    assert by_grid["latitude"] == pytest.approx(STEVENAGE[0], abs=1e-6)
    assert by_grid["longitude"] == pytest.approx(STEVENAGE[1], abs=1e-6)
    assert by_grid.geometry.distance(by_degrees.geometry) < 0.01


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (f"{WATFORD[1]}", f"{WATFORD[0]}"),  # degrees
        ("510900", "196500"),  # British National Grid metres, in Watford
    ],
)
def test_bare_x_y_columns_are_read_by_their_values(tmp_path: Path, x: str, y: str) -> None:
    path = write(tmp_path, "streetsafe.csv", f"id,created,x,y\nX1,2026-03-01 10:00,{x},{y}\n")
    result = load_streetsafe([path])
    assert result.problems == []
    assert result.frame.iloc[0]["district_code"] == "E07000103"


@pytest.mark.parametrize(
    ("occurred_at", "time_of_day", "expected"),
    [
        ("2026-03-02T05:59", "", "night"),
        ("2026-03-02T06:00", "", "morning"),
        ("2026-03-02T11:59", "", "morning"),
        ("2026-03-02T12:00", "", "afternoon"),
        ("2026-03-02T17:59", "", "afternoon"),
        ("2026-03-02T18:00", "", "evening"),
        ("2026-03-02T21:59", "", "evening"),
        ("2026-03-02T22:00", "", "night"),
        ("02/03/2026 23:30", "", "night"),
        ("", "", "unknown"),
        ("", "Evening", "evening"),
        ("", "night", "night"),
    ],
)
def test_time_of_day_bands(tmp_path: Path, occurred_at: str, time_of_day: str, expected: str) -> None:
    path = write(tmp_path, "streetsafe.csv", f"""
report_id,submitted_at,latitude,longitude,occurred_at,time_of_day
T1,2026-03-03 10:00,{WATFORD[0]},{WATFORD[1]},{occurred_at},{time_of_day}
""")
    result = load_streetsafe([path])
    assert result.problems == []
    assert result.frame.iloc[0]["time_of_day"] == expected


def test_event_at_is_occurred_at_else_submitted_at(tmp_path: Path) -> None:
    path = write(tmp_path, "streetsafe.csv", f"""
report_id,submitted_at,latitude,longitude,occurred_at
E1,2026-03-03 10:00,{WATFORD[0]},{WATFORD[1]},2026-03-01 22:00
E2,2026-03-03 10:00,{WATFORD[0]},{WATFORD[1]},
""")
    frame = load_streetsafe([path]).frame.set_index("report_id")
    assert frame.at["E1", "event_at"] == pd.Timestamp("2026-03-01 22:00", tz="Europe/London")
    assert frame.at["E2", "event_at"] == pd.Timestamp("2026-03-03 10:00", tz="Europe/London")


def test_xlsx_gives_the_same_rows_as_csv(tmp_path: Path) -> None:
    rows = [
        ["report_id", "submitted_at", "latitude", "longitude", "environment"],
        ["X1", "14/07/2026 21:30", WATFORD[0], WATFORD[1], "Badly lit"],
        ["X2", "2026-07-15T07:00", HEMEL[0], HEMEL[1], "isolated;no_cctv"],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "streetsafe.xlsx")
    csv = write(tmp_path, "streetsafe.csv", "\n".join(",".join(map(str, r)) for r in rows))

    from_xlsx = load_streetsafe([tmp_path / "streetsafe.xlsx"]).frame
    from_csv = load_streetsafe([csv]).frame
    columns = ["report_id", "submitted_at", "environment", "district_code", "lsoa_code"]
    pd.testing.assert_frame_equal(from_xlsx[columns], from_csv[columns])
    assert from_csv["environment"].tolist() == ["poor_lighting", "no_cctv;isolated"]


def test_bom_and_cp1252_files_are_read(tmp_path: Path) -> None:
    text = "report_id,submitted_at,latitude,longitude,location_label\n"
    text += f"C1,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},Café corner\n"
    bom = tmp_path / "streetsafe_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    windows = tmp_path / "streetsafe_win.csv"
    windows.write_bytes(text.replace("C1", "C2").encode("cp1252"))

    result = load_streetsafe([bom, windows])
    assert result.problems == []
    assert result.frame["location_label"].tolist() == ["Café corner", "Café corner"]
    assert result.notices == [
        "streetsafe_win.csv: not UTF-8; read as Windows-1252 (cp1252). Save as UTF-8."
    ]


def test_a_point_just_outside_a_generalised_boundary_is_accepted(tmp_path: Path) -> None:
    county = load_county().geometry.iloc[0]
    london = shapely.Point(530000, 180000)
    edge = nearest_points(county.boundary, london)[0]
    direction = np.array([london.x - edge.x, london.y - edge.y])
    direction /= np.linalg.norm(direction)
    near = shapely.Point(*(np.array([edge.x, edge.y]) + 30 * direction))
    far = shapely.Point(*(np.array([edge.x, edge.y]) + 200 * direction))
    assert county.distance(near) == pytest.approx(30, abs=0.5)
    points = gpd.GeoSeries([near, far], crs="EPSG:27700").to_crs("EPSG:4326")
    path = write(tmp_path, "streetsafe.csv", f"""
report_id,submitted_at,latitude,longitude
NEAR,2026-03-01 10:00,{points.iloc[0].y:.7f},{points.iloc[0].x:.7f}
FAR,2026-03-01 10:00,{points.iloc[1].y:.7f},{points.iloc[1].x:.7f}
""")
    result = load_streetsafe([path])
    assert result.frame["report_id"].tolist() == ["NEAR"]
    # The county's edge nearest London is Hertsmere's: the point 30 m out is placed there.
    assert result.frame.iloc[0]["district_code"] == "E07000098"
    assert result.frame.iloc[0]["district_name"] == "Hertsmere"
    assert len(result.problems) == 1
    assert result.problems[0].row == 3
    assert "(0.2 km outside the county)" in result.problems[0].found


# ------------------------------------------------------------------ StreetSafe: refused
def test_every_kind_of_row_refusal_names_file_row_field_expected_found(tmp_path: Path) -> None:
    path = write(tmp_path, "streetsafe_bad.csv", f"""
report_id,submitted_at,latitude,longitude,environment,behaviour,time_of_day
OK1,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},,,
B2,31/02/2026 10:00,{WATFORD[0]},{WATFORD[1]},,,
B3,2026-03-01 10:00,{LONDON[0]},{LONDON[1]},,,
B4,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},sparkly,,
B5,2026-03-01 10:00,{WATFORD[0]},,,,
,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},,,
B7,2026-03-01 10:00,{WATFORD[1]},{WATFORD[0]},,,
B8,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},,Followed;shouting,
B9,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},,,teatime
B10,2026-03-01 10:00,,,,,
""")
    result = load_streetsafe([path])

    assert result.frame["report_id"].tolist() == ["OK1"]
    assert messages(result) == [
        'streetsafe_bad.csv, row 3, field submitted_at: expected a date and time (ISO 8601 '
        'such as 2026-03-14T21:30, or DD/MM/YYYY HH:MM), found "31/02/2026 10:00"',
        "streetsafe_bad.csv, row 4, field latitude: expected a place inside Hertfordshire "
        "(within 50 m of a district), found 51.50740, -0.12780 (17.5 km outside the county)",
        "streetsafe_bad.csv, row 5, field environment: expected ';'-separated codes or labels: "
        "no_cctv, poor_lighting, isolated, poor_layout, restricted_visibility, rundown, "
        'drugs_alcohol, other, found "sparkly"',
        "streetsafe_bad.csv, row 6, field latitude: expected both halves of a coordinate pair "
        '(latitude and longitude, or easting and northing), found "51.65531"',
        "streetsafe_bad.csv, row 7, field report_id: expected an id (any text, not blank), "
        "found blank",
        "streetsafe_bad.csv, row 8, field latitude: expected a latitude in decimal degrees "
        '(WGS84), 49 to 61, found "-0.39602"',
        "streetsafe_bad.csv, row 8, field longitude: expected a longitude in decimal degrees "
        '(WGS84), -8 to 2, found "51.65531"',
        "streetsafe_bad.csv, row 9, field behaviour: expected ';'-separated codes or labels: "
        "verbal_abuse_individual, verbal_abuse_group, followed, intimidation, "
        'harassment_other, other, found "Followed;shouting"',
        "streetsafe_bad.csv, row 10, field time_of_day: expected morning, afternoon, evening "
        'or night, found "teatime"',
        "streetsafe_bad.csv, row 11, field latitude: expected a location (latitude and "
        "longitude, or easting and northing), found blank",
    ]
    report = result.files[0]
    assert (report.rows, report.loaded, report.refused, report.outside_county) == (10, 1, 9, 1)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("streetsafe_empty.csv", "", "streetsafe_empty.csv: expected a header row and data "
         "rows, found an empty file"),
        ("streetsafe_cols.csv", "id,when,where\n1,2,3\n",
         'streetsafe_cols.csv: expected a column submitted_at (or date submitted, created, '
         "submitted, created_at); and columns latitude and longitude, or easting and "
         'northing, found "id", "when", "where"'),
        ("streetsafe_noplace.csv", "report_id,submitted_at\nA,2026-01-01\n",
         "streetsafe_noplace.csv: expected columns latitude and longitude, or easting and "
         'northing, found "report_id", "submitted_at"'),
        ("streetsafe.txt", "report_id\n", 'streetsafe.txt: expected a .csv or .xlsx file, '
         'found ".txt"'),
        ("streetsafe_fake.xlsx", "not a workbook", "streetsafe_fake.xlsx: expected an Excel "
         "workbook (.xlsx), found a file Excel cannot open (BadZipFile)"),
        ("streetsafe_twice.csv", "id,report_id,created,lat,lon\n",
         'streetsafe_twice.csv: expected one column for field report_id, found two: "id" '
         'and "report_id"'),
        ("streetsafe_ragged.csv", 'report_id,submitted_at,latitude,longitude\n'
         'A,2026-01-01,51.7,-0.3\nB,2026-01-01,51.7,-0.3,extra,fields\n',
         "streetsafe_ragged.csv, row 3: expected 4 fields, as in the header row, found 6 "
         "fields (a comma inside a value needs quotes)"),
    ],
)
def test_a_whole_file_problem_is_one_message(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = write(tmp_path, name, content)
    result = load_streetsafe([path])
    assert messages(result) == [expected]
    assert len(result.frame) == 0
    assert result.files[0].file_error == expected


def test_a_refused_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = write(tmp_path, "streetsafe_1.csv",
                 f"report_id,submitted_at,latitude,longitude\nG1,2026-03-01,{WATFORD[0]},{WATFORD[1]}\n")
    bad = write(tmp_path, "streetsafe_2.csv", "")
    result = load_streetsafe([good, bad])
    assert result.frame["report_id"].tolist() == ["G1"]
    assert len(result.problems) == 1


def test_duplicates_count_once_and_conflicts_are_reported(tmp_path: Path) -> None:
    header = "report_id,submitted_at,latitude,longitude,environment\n"
    first = write(tmp_path, "streetsafe_1.csv", header
                  + f"D1,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},isolated\n"
                  + f"D2,2026-03-01 11:00,{WATFORD[0]},{WATFORD[1]},\n"
                  + f"D1,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]},isolated\n")
    second = write(tmp_path, "streetsafe_2.csv", header
                   + f"D2,2026-03-01 11:00,{WATFORD[0]},{WATFORD[1]},\n"
                   + f"D3,2026-03-01 12:00,{WATFORD[0]},{WATFORD[1]},\n"
                   + f"D1,2026-03-01 10:00,{HEMEL[0]},{HEMEL[1]},isolated\n")
    result = load_streetsafe([first, second])

    assert sorted(result.frame["report_id"]) == ["D1", "D2", "D3"]
    assert result.frame.set_index("report_id").at["D1", "district_code"] == "E07000103"
    assert messages(result) == [
        "streetsafe_2.csv, row 4, field report_id: expected a new report_id, or the same "
        "content as its earlier record (streetsafe_1.csv row 2), which was kept, found "
        '"D1" with different content'
    ]
    one, two = result.files
    assert (one.loaded, one.duplicates, one.refused) == (2, 1, 0)
    assert (two.loaded, two.duplicates, two.refused) == (1, 1, 1)


def test_raise_if_problems_lists_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "streetsafe.csv", "report_id,submitted_at,latitude,longitude\n"
                 ",bad,,\n")
    with pytest.raises(LoadError) as caught:
        load_streetsafe([path]).raise_if_problems()
    assert str(caught.value).splitlines()[0] == "3 problem(s):"
    assert len(caught.value.problems) == 3


# ------------------------------------------------------------------ survey
SURVEY_HEADER = "response_id,completed_at,district,safe_day,safe_after_dark,weight\n"


def test_survey_answers_in_both_encodings_are_the_same(tmp_path: Path) -> None:
    labels = write(tmp_path, "survey_labels.csv", SURVEY_HEADER
                   + "L1,2026-04-01,Watford,Very safe,Fairly unsafe,\n"
                   + "L2,2026-04-01,East Herts,Don't know,Very unsafe,2\n"
                   + "L3,2026-04-01,E07000100,Neither safe nor unsafe,,0.5\n")
    numbers = write(tmp_path, "survey_numbers.csv", SURVEY_HEADER
                    + "L1,2026-04-01,E07000103,5,2,\n"
                    + "L2,2026-04-01,East Hertfordshire,,1,2\n"
                    + "L3,2026-04-01,st. albans,3,Don't know,0.5\n")
    by_label = load_survey([labels]).frame
    by_number = load_survey([numbers]).frame
    columns = ["response_id", "district_code", "safe_day", "safe_after_dark", "weight"]
    pd.testing.assert_frame_equal(by_label[columns], by_number[columns])
    assert by_label["district_code"].tolist() == ["E07000103", "E07000242", "E07000240"]
    assert by_label["safe_day"].tolist()[0] == 5
    assert pd.isna(by_label["safe_day"].iloc[1])  # Don't know is missing, not zero
    assert pd.isna(by_label["safe_after_dark"].iloc[2])  # blank is missing, not zero
    assert by_label["weight"].tolist() == [1.0, 2.0, 0.5]  # blank weight is 1


def test_survey_refusals(tmp_path: Path) -> None:
    path = write(tmp_path, "survey.csv",
                 "response_id,completed_at,district,safe_day,safe_after_dark,weight,"
                 "concern_latitude,concern_longitude\n"
                 "R1,2026-04-01,Luton,Very safe,Very safe,1,,\n"
                 "R2,2026-04-01,Watford,Quite safe,6,1,,\n"
                 "R3,2026-04-01,Watford,Very safe,Very safe,0,,\n"
                 f"R4,2026-04-01,Watford,Very safe,Very safe,1,{LONDON[0]},{LONDON[1]}\n"
                 f"R5,2026-04-01,Watford,Very safe,Very safe,1,{WATFORD[0]},{WATFORD[1]}\n")
    result = load_survey([path])
    assert result.frame["response_id"].tolist() == ["R5"]
    assert result.frame.iloc[0]["concern_district_code"] == "E07000103"
    found = [(p.row, p.field, p.found) for p in result.problems]
    assert found == [
        (2, "district", '"Luton"'),
        (3, "safe_day", '"Quite safe"'),
        (3, "safe_after_dark", '"6"'),
        (4, "weight", '"0"'),
        (5, "concern_latitude", "51.50740, -0.12780 (17.5 km outside the county)"),
    ]
    assert result.problems[3].expected == "a number above 0"


def test_survey_without_answer_columns_is_refused_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "survey.csv", "response_id,completed_at,district\nR1,2026-04-01,Watford\n")
    assert messages(load_survey([path])) == [
        "survey.csv: expected a column safe_day (or safe during the day, safe_daytime, day); "
        "safe_after_dark (or safe at night, after_dark, safe_dark, night), found "
        '"response_id", "completed_at", "district"'
    ]


# ------------------------------------------------------------------ services
SERVICES_HEADER = (
    "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,phone\n"
)
REFUGE_LAT, REFUGE_LON = "51.812345", "-0.212345"


def test_confidential_locations_never_leave_the_loader(tmp_path: Path) -> None:
    path = write(tmp_path, "services.csv", SERVICES_HEADER
                 + f"REF,Safe house,refuge,{REFUGE_LAT},{REFUGE_LON},,county,24/7,0330\n"
                 + f"SEC,Secret clinic,other,{REFUGE_LAT},{REFUGE_LON},yes,county,24/7,\n"
                 + "BAD,Hidden SARC,sarc,99.123456,-0.212345,true,county,24/7,\n"
                 + f"OUT,Outreach,outreach,{STEVENAGE[0]},{STEVENAGE[1]},no,"
                   "North Herts;Stevenage,Mo-Fr 09:00-17:00,\n")
    result = load_services([path])
    frame = result.frame.set_index("service_id")

    assert frame["confidential"].to_dict() == {"REF": True, "SEC": True, "BAD": True, "OUT": False}
    for service in ("REF", "SEC", "BAD"):
        assert pd.isna(frame.at[service, "latitude"])
        assert frame.at[service, "geometry"] is None
    assert frame.at["OUT", "located_district_code"] == "E07000243"
    assert frame.at["OUT", "coverage"] == "E07000099;E07000243"
    # nothing anywhere in the result carries the confidential coordinates
    everything = result.frame.drop(columns="geometry").to_csv() + "\n".join(messages(result))
    everything += "\n".join(result.notices) + str(result.files)
    for secret in (REFUGE_LAT, REFUGE_LON, "51.8123", "-0.2123", "99.123456"):
        assert secret not in everything
    assert messages(result) == []


def test_a_bad_confidential_location_is_refused_without_showing_it(tmp_path: Path) -> None:
    path = write(tmp_path, "services.csv", SERVICES_HEADER
                 + "BAD,Hidden SARC,sarc,north,-0.212345,true,county,24/7,\n")
    result = load_services([path])
    assert messages(result) == [
        "services.csv, row 2, field latitude: expected a latitude in decimal degrees (WGS84), "
        "49 to 61, found a value withheld (confidential service location)"
    ]
    assert "-0.212345" not in "\n".join(messages(result))


def test_service_refusals(tmp_path: Path) -> None:
    path = write(tmp_path, "services.csv", SERVICES_HEADER
                 + "S1,Helpline,helpline,,,,county,Mon-Fri 9-5,0808\n"
                 + "S2,Hub,spa,,,,county,24/7,\n"
                 + "S3,Team,outreach,,,,Luton;Watford,24/7,\n"
                 + "S4,,idva,,,,county,24/7,\n"
                 + 'S5,Helpline two,Domestic abuse helpline,,,,county,"Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00",\n')
    result = load_services([path])
    assert result.frame["service_id"].tolist() == ["S5"]
    assert result.frame.iloc[0]["category"] == "helpline"
    assert [(p.row, p.field, p.found) for p in result.problems] == [
        (2, "opening_hours", '"Mon-Fri 9-5"'),
        (3, "category", '"spa"'),
        (4, "coverage", '"Luton;Watford"'),
        (5, "name", "blank"),
    ]


def test_services_in_published_form_with_bank_holiday_rules_load(tmp_path: Path) -> None:
    path = write(tmp_path, "services.csv", SERVICES_HEADER
                 + 'P1,Hub,victim_hub,,,,county,"Mo-Fr 09:00-17:00; PH off",\n'
                 + "P2,Holiday line,helpline,,,,county,PH 10:00-14:00,\n"
                 + 'P3,Team,outreach,,,,county,"Mo-Fr 08:00-18:00; We 08:00-20:00",\n'
                 + "P4,Desk,other,,,,county,Mo-Fr 9:00-17:00 garbage,\n")
    result = load_services([path])
    assert result.frame["opening_hours"].tolist() == [
        "Mo-Fr 09:00-17:00; PH off", "PH 10:00-14:00", "Mo-Fr 08:00-18:00; We 08:00-20:00"
    ]
    [problem] = result.problems
    assert (problem.row, problem.field, problem.found) == (
        5, "opening_hours", '"Mo-Fr 9:00-17:00 garbage"'
    )
    assert "OpenStreetMap form" in problem.expected


# ------------------------------------------------------------------ folders and mappings
def test_a_folder_combines_files_of_a_kind_and_notes_the_rest(tmp_path: Path) -> None:
    row = f"{WATFORD[0]},{WATFORD[1]}"
    write(tmp_path, "streetsafe_jan.csv", f"report_id,submitted_at,latitude,longitude\nJ1,2026-01-02,{row}\n")
    write(tmp_path, "StreetSafe_feb.csv", f"report_id,submitted_at,latitude,longitude\nF1,2026-02-02,{row}\n")
    write(tmp_path, "notes.txt", "not data")
    files, notices = files_by_kind(tmp_path)
    assert [p.name for p in files["streetsafe"]] == ["StreetSafe_feb.csv", "streetsafe_jan.csv"]
    dataset = FolderSource(tmp_path).load()
    assert sorted(dataset.streetsafe.frame["report_id"]) == ["F1", "J1"]
    assert len(dataset.survey.frame) == 0
    assert dataset.notices == notices == [
        "Ignored notes.txt: not a streetsafe*, survey*, services* or outreach* .csv or "
        ".xlsx file.",
        f"No survey responses in {tmp_path} (survey*.csv or .xlsx).",
        f"No support services in {tmp_path} (services*.csv or .xlsx).",
        f"No outreach points in {tmp_path} (outreach*.csv or .xlsx).",
    ]
    assert not dataset.synthetic


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        FolderSource(tmp_path / "nowhere").load()


def test_a_deployment_header_map_adds_aliases(tmp_path: Path) -> None:
    mapping = tmp_path / "headers.json"
    mapping.write_text(json.dumps({"streetsafe": {"Ref No": "report_id", "Logged": "submitted_at"}}))
    data = tmp_path / "data"
    data.mkdir()
    write(data, "streetsafe.csv", f"Ref No,Logged,lat,lon\nH1,2026-03-01,{WATFORD[0]},{WATFORD[1]}\n")
    dataset = FolderSource(data, header_map=read_header_map(mapping)).load()
    assert dataset.streetsafe.frame["report_id"].tolist() == ["H1"]


def test_a_bad_header_map_is_a_clear_error(tmp_path: Path) -> None:
    mapping = tmp_path / "headers.json"
    mapping.write_text('{"reports": {"a": "b"}}')
    with pytest.raises(SourceError, match="kinds streetsafe, survey, services"):
        read_header_map(mapping)
