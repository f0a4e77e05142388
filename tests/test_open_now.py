"""What is open near here, now (issue 15, item 4): hand-checked lists, the command, the page."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, date, datetime, time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geodata import ANALYSIS_CRS
from safetymap.analysis.open_now import (
    COLUMNS,
    LONDON,
    NATIONAL_LINES,
    Place,
    find_place,
    open_near,
    place_at,
    place_choices,
)
from safetymap.cli import main
from safetymap.ui.state import Keys
from tests.apps import run_dashboard

DACORUM, THREE_RIVERS, WATFORD = "E07000096", "E07000102", "E07000103"
# A British National Grid point in Watford to measure from.
X0, Y0 = 511_000.0, 196_000.0
HERE = Place("Test corner", "point", WATFORD, X0, Y0)
OFFICE_HOURS = "Mo-Fr 09:00-17:00; PH off"
# Thursday 24 December 2026 is an ordinary weekday; Friday the 25th is Christmas Day, a
# bank holiday.
CHRISTMAS_EVE_10 = datetime(2026, 12, 24, 10, 0)
CHRISTMAS_12 = datetime(2026, 12, 25, 12, 0)
CHRISTMAS_20 = datetime(2026, 12, 25, 20, 0)
NATIONAL = [line.name for line in NATIONAL_LINES]


def services_frame(*rows: dict[str, object]) -> gpd.GeoDataFrame:
    """Return services in the loader's schema; ``x``/``y`` place a service, else remote."""
    records = []
    for number, row in enumerate(rows, start=1):
        x, y = row.get("x"), row.get("y")
        records.append({
            "service_id": f"S{number}",
            "name": row.get("name", f"Service {number}"),
            "category": row.get("category", "outreach"),
            "confidential": row.get("confidential", False),
            "coverage": row.get("coverage", "county"),
            "opening_hours": row.get("opening_hours", "24/7"),
            "phone": row.get("phone", f"0100 {number}"),
            "website": "",
            "eligibility": "",
            "location_approximate": row.get("approximate", False),
            "geometry": None if x is None else Point(x, y),
        })
    columns = ["service_id", "name", "category", "confidential", "coverage", "opening_hours",
               "phone", "website", "eligibility", "location_approximate", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(records, columns=columns), geometry="geometry",
                            crs=ANALYSIS_CRS)


def mixed_services(*, drop_in_at: tuple[float, float] = (X0 + 10, Y0)) -> gpd.GeoDataFrame:
    """Two places, a remote hub, two confidential services, and one serving elsewhere."""
    return services_frame(
        # 3-4-5 triangles: 5.0 km and 1.0 km from HERE
        {"name": "Far outreach", "coverage": WATFORD, "opening_hours": OFFICE_HOURS,
         "x": X0 + 3000, "y": Y0 + 4000},
        {"name": "Near counter", "category": "police", "coverage": f"{THREE_RIVERS};{WATFORD}",
         "opening_hours": "Mo-Fr 08:00-20:00; PH 10:00-14:00", "x": X0 + 600, "y": Y0 + 800,
         "approximate": True},
        {"name": "Victim hub", "category": "victim_hub", "opening_hours": OFFICE_HOURS},
        # A confidential category whose flag says false, with no place: still confidential.
        {"name": "Alpha refuge", "category": "refuge", "opening_hours": "Mo-Fr 09:00-17:00"},
        # Flagged confidential, with a place 10 m away that must never be used.
        {"name": "Zeta drop-in", "confidential": True, "opening_hours": "Mo-Fr 09:00-17:00",
         "x": drop_in_at[0], "y": drop_in_at[1]},
        # Open day and night, 100 m away, but serving Dacorum only: not listed.
        {"name": "Dacorum line", "coverage": DACORUM, "x": X0 + 100, "y": Y0},
    )


# ------------------------------------------------------------------ the list
def test_an_ordinary_weekday_lists_places_nearest_first_then_remote_then_confidential() -> None:
    table = open_near(mixed_services(), HERE, CHRISTMAS_EVE_10)
    assert list(table.columns) == list(COLUMNS)
    assert table["order"].tolist() == [1, 2, 3, 4, 5]
    assert table["name"].tolist() == [
        "Near counter", "Far outreach", "Victim hub", "Alpha refuge", "Zeta drop-in"]
    assert table["group"].tolist() == ["place", "place", "remote", "confidential", "confidential"]
    np.testing.assert_allclose(table["distance_km"].to_numpy(),
                               [1.0, 5.0, np.nan, np.nan, np.nan], equal_nan=True)
    assert table["open_until"].tolist() == ["20:00", "17:00", "17:00", "17:00", "17:00"]
    assert table["serves"].tolist() == ["Three Rivers and Watford", "Watford", "Hertfordshire",
                                        "Hertfordshire", "Hertfordshire"]
    assert table["place_note"].tolist() == [
        "approximate (town level)", "", "phone or online", "location confidential",
        "location confidential"]
    assert table["category"].tolist() == [
        "Police", "Outreach", "Victim care hub", "Refuge", "Outreach"]
    assert table["phone"].tolist() == ["0100 2", "0100 1", "0100 3", "0100 4", "0100 5"]


def test_on_christmas_day_public_holiday_rules_apply() -> None:
    # 12:00 on Christmas Day: the counter keeps its PH hours (10:00-14:00), the outreach and
    # the hub are shut (PH off); the refuge and the drop-in have no PH rule, so their
    # Friday hours hold.
    table = open_near(mixed_services(), HERE, CHRISTMAS_12)
    assert table["name"].tolist() == ["Near counter", "Alpha refuge", "Zeta drop-in"]
    assert table["open_until"].tolist() == ["14:00", "17:00", "17:00"]


def test_a_confidential_place_never_gives_a_distance_or_an_order() -> None:
    # The drop-in 10 m away, then 50 km away: nothing in the list changes, and it comes
    # after the public places (1 km and 5 km) whatever its distance.
    near = open_near(mixed_services(drop_in_at=(X0 + 10, Y0)), HERE, CHRISTMAS_EVE_10)
    far = open_near(mixed_services(drop_in_at=(X0 + 50_000, Y0)), HERE, CHRISTMAS_EVE_10)
    pd.testing.assert_frame_equal(near, far)
    drop_in = near.set_index("name").loc["Zeta drop-in"]
    assert math.isnan(drop_in["distance_km"])
    assert drop_in["group"] == "confidential"
    assert not any("geometry" in column or "itude" in column for column in near.columns)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (CHRISTMAS_EVE_10, ["Office"]),  # Thursday, an ordinary day: open
        (datetime(2026, 12, 25, 10, 0), NATIONAL),  # Christmas Day, a Friday: PH off
        (datetime(2026, 12, 24, 8, 59), NATIONAL),  # a minute before it opens
        (datetime(2026, 12, 24, 16, 59), ["Office"]),  # its last open minute
        (datetime(2026, 12, 24, 17, 0), NATIONAL),  # closed from 17:00
    ],
)
def test_national_lines_only_when_nothing_local_is_open(when: datetime, expected: list[str]) -> None:
    services = services_frame({"name": "Office", "opening_hours": OFFICE_HOURS,
                               "x": X0, "y": Y0})
    table = open_near(services, HERE, when)
    assert table["name"].tolist() == expected


def test_the_national_lines_read_as_national_24_hour_lines() -> None:
    table = open_near(services_frame(), HERE, CHRISTMAS_20)
    assert table[["name", "phone", "group", "open_until"]].to_numpy().tolist() == [
        ["National Domestic Abuse Helpline (Refuge)", "0808 2000 247", "national line", "24/7"],
        ["Rape Crisis 24/7 Support Line", "0808 500 2222", "national line", "24/7"],
        ["Samaritans", "116 123", "national line", "24/7"],
    ]
    assert table["distance_km"].isna().all()


def test_a_service_open_elsewhere_does_not_keep_the_national_lines_away() -> None:
    # Only a Dacorum service is open: for a Watford place nothing local is.
    services = services_frame({"name": "Dacorum line", "coverage": DACORUM})
    assert open_near(services, HERE, CHRISTMAS_20)["name"].tolist() == NATIONAL


def test_an_aware_time_is_read_in_london_time() -> None:
    services = services_frame({"name": "Office", "opening_hours": "Mo-Fr 09:00-17:00"})
    # Monday 8 June 2026, 08:30 UTC is 09:30 BST: open; 08:30 London time is not.
    assert open_near(services, HERE, datetime(2026, 6, 8, 8, 30, tzinfo=UTC))[
        "name"].tolist() == ["Office"]
    assert open_near(services, HERE, datetime(2026, 6, 8, 8, 30))["name"].tolist() == NATIONAL


@pytest.mark.parametrize(
    ("hours", "when", "until"),
    [
        ("Fr 22:00-02:00", datetime(2026, 12, 11, 23, 0), "Sat 02:00"),  # through midnight
        ("Mo-Fr 18:00-24:00", datetime(2026, 12, 7, 20, 0), "midnight"),
        ("24/7", datetime(2026, 12, 7, 20, 0), "24/7"),
        # Thursday 24th, 16:00 till midnight; Christmas Day is PH off: closes at midnight.
        ("Mo-Su 16:00-24:00; PH off", datetime(2026, 12, 24, 16, 0), "midnight"),
        ("Mo-Su 00:00-24:00; PH off", datetime(2026, 12, 24, 16, 0), "midnight"),
        ("Mo-Su 00:00-24:00; PH 00:00-03:00", datetime(2026, 12, 24, 16, 0), "Fri 03:00"),
    ],
)
def test_open_until_says_when_it_next_closes(hours: str, when: datetime, until: str) -> None:
    table = open_near(services_frame({"opening_hours": hours}), HERE, when)
    assert table["open_until"].tolist() == [until]


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"`services` must have the column\(s\) coverage"):
        open_near(mixed_services().drop(columns=["coverage"]), HERE, CHRISTMAS_EVE_10)


# ------------------------------------------------------------------ places
@pytest.mark.parametrize(
    ("text", "name", "kind", "district"),
    [
        ("Watford", "Watford", "town", WATFORD),
        ("  bishop's STORTFORD ", "Bishops Stortford", "town", "E07000242"),
        ("Three Rivers", "Three Rivers (district)", "district", THREE_RIVERS),
        ("watford (district)", "Watford (district)", "district", WATFORD),
        ("E07000096", "Dacorum (district)", "district", DACORUM),
        ("Watford 001A", "Watford 001A", "small area", WATFORD),
    ],
)
def test_a_place_is_a_town_a_district_or_a_small_area(
    text: str, name: str, kind: str, district: str
) -> None:
    place = find_place(text)
    assert (place.name, place.kind, place.district_code) == (name, kind, district)


def test_an_unknown_place_says_what_was_expected_and_what_is_close() -> None:
    with pytest.raises(ValueError, match=r"^--place 'Watfrod': expected a Hertfordshire town") as error:
        find_place("Watfrod", argument="--place")
    assert "did you mean Watford" in str(error.value)


def test_a_point_gets_its_district_or_is_refused_outside_the_county() -> None:
    assert place_at(51.65531, -0.39602).district_code == WATFORD
    with pytest.raises(ValueError, match=r"17\.5 km outside the county"):
        place_at(51.5074, -0.1278)


def test_the_choices_are_the_towns_by_name_then_the_ten_districts() -> None:
    choices = place_choices()
    kinds = [place.kind for place in choices]
    assert kinds.count("district") == 10
    assert kinds == sorted(kinds, key=lambda kind: kind == "district")
    towns = [place.name for place in choices if place.kind == "town"]
    assert towns == sorted(towns)
    assert "Watford" in towns


# ------------------------------------------------------------------ the command
WATFORD_LATLON = "51.65531,-0.39602"  # the town's point in towns.csv
NORTH_WATFORD_LATLON = "51.68072,-0.39446"


def write_services(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "services_test.csv").write_text(
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,phone\n"
        f"P1,North counter,police,{NORTH_WATFORD_LATLON},,Watford,"
        '"Mo-Fr 08:00-20:00; PH 10:00-14:00",101\n'
        f'O1,Town outreach,outreach,{WATFORD_LATLON},,Watford,"{OFFICE_HOURS}",0100 1\n'
        'H1,County line,helpline,,,,county,"Mo-Fr 09:00-21:00",0800 000\n'
        f"R1,Test refuge,refuge,51.812345,-0.212345,true,county,\"{OFFICE_HOURS}\",0330 1\n"
        'D1,Dacorum outreach,outreach,51.75368,-0.44975,,Dacorum,24/7,0100 2\n'
    )
    return folder


def haversine_km(a: str, b: str) -> float:
    (lat1, lon1), (lat2, lon2) = (map(math.radians, map(float, p.split(","))) for p in (a, b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_command_lists_the_open_services_nearest_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_services(tmp_path / "data")
    code = main(["open-now", "--data", str(data), "--place", "Watford",
                 "--at", "2026-12-24 10:00", "--role", "partner"])
    done = capsys.readouterr()
    assert code == 0, done.err
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert [row["name"] for row in rows] == [
        "Town outreach", "North counter", "County line", "Test refuge"]
    assert [row["group"] for row in rows] == ["place", "place", "remote", "confidential"]
    assert rows[0]["distance_km"] == "0.0"
    # British National Grid and the sphere agree to well under 1% over 3 km.
    assert float(rows[1]["distance_km"]) == pytest.approx(
        haversine_km(WATFORD_LATLON, NORTH_WATFORD_LATLON), rel=0.01)
    assert rows[3]["distance_km"] == ""
    assert "51.81" not in done.out
    assert "-0.21" not in done.out
    assert done.err.splitlines()[-1] == "Watford, Thu 24 Dec 2026 10:00: 4 service(s) open."


def test_command_on_christmas_night_gives_the_national_lines_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_services(tmp_path / "data")
    code = main(["open-now", "--data", str(data), "--lat", "51.65531", "--lon", "-0.39602",
                 "--at", "25/12/2026 21:30", "--format", "json"])
    done = capsys.readouterr()
    assert code == 0, done.err
    assert [row["name"] for row in json.loads(done.out)] == NATIONAL
    assert done.err.splitlines()[-1] == (
        "51.65531, -0.39602 (Watford), Fri 25 Dec 2026 21:30 (bank holiday: Christmas Day): "
        "no local service open: the national 24-hour lines.")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--place", "Nowhere"], "safetymap: error: --place 'Nowhere': expected a Hertfordshire "
                                 "town"),
        (["--place", "Watford", "--at", "Christmas"],
         "safetymap: error: --at 'Christmas': expected a date and time YYYY-MM-DD HH:MM (or "
         "DD/MM/YYYY HH:MM), Europe/London; found 'Christmas'"),
        (["--place", "Watford", "--at", "2026-13-01 10:00"],
         "safetymap: error: --at '2026-13-01 10:00': expected a date and time"),
        (["--lat", "51.7"], "safetymap: error: expected --place NAME, or --lat and --lon "
                            "together; found only --lat"),
        ([], "safetymap: error: expected --place NAME, or --lat and --lon together; found "
             "neither"),
        (["--place", "Watford", "--lat", "51.7", "--lon", "-0.4"],
         "safetymap: error: give --place or --lat and --lon, not both"),
        (["--lat", "51.5074", "--lon", "-0.1278"],
         "safetymap: error: --lat/--lon: expected a place inside Hertfordshire, found 51.50740, "
         "-0.12780 (17.5 km outside the county)"),
    ],
)
def test_command_usage_errors_exit_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    data = write_services(tmp_path / "data")
    assert main(["open-now", "--data", str(data), *arguments]) == 2
    done = capsys.readouterr()
    assert done.out == ""
    assert done.err.startswith(message)
    assert "Traceback" not in done.err


def test_command_without_services_says_so_and_gives_the_national_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "empty"
    data.mkdir()
    assert main(["open-now", "--data", str(data), "--place", "Hitchin",
                 "--at", "2026-12-24 10:00"]) == 0
    done = capsys.readouterr()
    assert [row["name"] for row in csv.DictReader(io.StringIO(done.out))] == NATIONAL
    assert "notice: no support services are loaded" in done.err


# ------------------------------------------------------------------ the page
@pytest.fixture
def page_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_services(tmp_path / "data")
    (folder / "streetsafe_test.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at\n"
        f"W1,2026-12-20 10:00,{WATFORD_LATLON},2026-12-20 21:00\n"
    )
    monkeypatch.setenv("SAFETYMAP_DATA", str(folder))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    return folder


@pytest.mark.parametrize("role", ["partner", "police", "analyst"])
def test_page_lists_what_is_open_near_a_town(
    page_data: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", role)
    app = run_dashboard("pages/coverage_gaps.py")
    assert "What is open near here, now" in [s.value for s in app.subheader]
    app.selectbox(key=Keys.OPEN_PLACE).set_value("Watford")
    app.date_input(key=Keys.OPEN_DAY).set_value(date(2026, 12, 24))
    app.time_input(key=Keys.OPEN_TIME).set_value(time(10, 0))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    table = app.dataframe[-1].value
    assert table["Service"].tolist() == [
        "Town outreach", "North counter", "County line", "Test refuge"]
    assert table["Distance"].tolist()[0] == "0.0 km"
    assert table["Distance"].tolist()[2:] == ["-", "-"]
    assert table.set_index("Service").at["Test refuge", "How"] == "Confidential: phone only"
    assert "51.81" not in str(table.to_numpy().tolist())
    assert ("Open at Watford on Thursday 24 December 2026 at 10:00: 4 listed."
            in [m.value for m in app.markdown])
    assert not app.warning

    app.date_input(key=Keys.OPEN_DAY).set_value(date(2026, 12, 25))
    app.time_input(key=Keys.OPEN_TIME).set_value(time(21, 30))
    app.run()
    assert app.dataframe[-1].value["Service"].tolist() == NATIONAL
    assert [w.value for w in app.warning] == [
        "No local service that serves this place is open then: the national 24-hour lines "
        "are listed."]

    app.button(key=Keys.OPEN_NOW).click().run()
    assert app.date_input(key=Keys.OPEN_DAY).value == datetime.now(LONDON).date()
