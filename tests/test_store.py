"""The shared store: the same behaviour tests on a GeoPackage file and on a real PostGIS.

The PostGIS tests start a throwaway PostgreSQL with PostGIS on 127.0.0.1 once per session
(bench/pg.py) and give each test a fresh database. Expected values are worked out by hand
from the rows written in each test, or by ``FrameCounts``, which counts a loaded frame.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import h3
import pandas as pd
import psycopg
import pyogrio
import pytest
from harness import free_port
from pg import PostgresCluster
from pyproj import Transformer

from loaders import KINDS, load_kind
from loaders.counts import DIMENSIONS, Slot, empty_counts
from loaders.source import SourceError
from loaders.store import Store, StoreError, StoreUnavailable, open_store, sql
from loaders.store.records import REASON_BITS, TIME_COLUMNS, Column
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.filters import Filters
from safetymap.demo import write_demo_data

ROOT = Path(__file__).resolve().parents[1]
WATFORD = (51.65531, -0.39602)
HEMEL = (51.75368, -0.44975)  # Dacorum
STEVENAGE = (51.90224, -0.20256)
REFUGE = ("51.812345", "-0.212345")
HEADER = "report_id,submitted_at,latitude,longitude,occurred_at,environment,behaviour\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def report(report_id: str, place: tuple[float, float], occurred: str = "", *,
           environment: str = "", behaviour: str = "",
           submitted: str = "2026-03-01 10:00") -> str:
    return (f"{report_id},{submitted},{place[0]},{place[1]},{occurred},{environment},"
            f"{behaviour}\n")


def same_text_dtype(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a loader frame with its text columns as ``str`` (the store's text dtype)."""
    frame = frame.copy()
    for column in frame.columns:
        if column != "geometry" and frame[column].dtype == object:
            frame[column] = frame[column].astype("str")
    return frame


# ============================================================================ fixtures


@pytest.fixture
def store(store_url: str) -> Store:
    return open_store(store_url)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


# ============================================================================ ingest
def test_ingest_adds_rows_and_load_gives_the_loaders_frames(store: Store, exports: Path) -> None:
    streetsafe = write(exports, "streetsafe_week1.csv", HEADER
                       + report("A1", WATFORD, "2026-07-14 21:30", environment="Badly lit",
                                behaviour="Followed")
                       + report("A2", HEMEL)
                       + report("A3", STEVENAGE, "2026-01-05T08:15:00Z", environment="other"))
    survey = write(exports, "survey_wave1.csv",
                   "response_id,completed_at,district,safe_day,safe_after_dark,weight,"
                   "concern_latitude,concern_longitude,comment\n"
                   f"R1,2026-04-01,Watford,Very safe,Fairly unsafe,,{WATFORD[0]},{WATFORD[1]},"
                   "Dark alley\n"
                   "R2,2026-04-02,East Herts,Don't know,1,2.5,,,\n")
    services = write(exports, "services.csv",
                     "service_id,name,category,latitude,longitude,coverage,opening_hours\n"
                     "H1,Helpline,helpline,,,county,24/7\n"
                     f"R1,Refuge,refuge,{REFUGE[0]},{REFUGE[1]},county,24/7\n"
                     f"O1,Outreach,outreach,{STEVENAGE[0]},{STEVENAGE[1]},Stevenage,"
                     "Mo-Fr 09:00-17:00\n")
    outreach = write(exports, "outreach.csv",
                     "point_id,kind,organisation,latitude,longitude,in_place_from,in_place_to\n"
                     f"P1,QR code poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},01/03/2026,\n"
                     f"P2,drop_in,HDAH,{HEMEL[0]},{HEMEL[1]},2026-03-01,2026-03-31\n")
    files = {"streetsafe": streetsafe, "survey": survey, "services": services,
             "outreach": outreach}
    for kind, path in files.items():
        summary = store.ingest(kind, [path])
        added = {"streetsafe": 3, "survey": 2, "services": 3, "outreach": 2}[kind]
        assert [(f.file, f.rows, f.added, f.already_present, f.refused)
                for f in summary.files] == [(path.name, added, added, 0, 0)]
        assert summary.problems == ()

    dataset = store.load()
    assert not dataset.synthetic
    assert dataset.origin.startswith(f"the {store.description}, last added to on ")
    assert dataset.notices == []
    for result in dataset.results():
        expected = same_text_dtype(load_kind(KINDS[result.kind], [files[result.kind]]).frame)
        assert result.frame.crs == "EPSG:27700"
        assert list(result.frame.columns) == list(KINDS[result.kind].output_columns)
        pd.testing.assert_frame_equal(result.frame.drop(columns="geometry"),
                                      expected.drop(columns="geometry"))
        assert result.frame.geometry.equals(expected.geometry)
        assert [(f.file, f.rows, f.loaded) for f in result.files] == [
            (files[result.kind].name, len(expected), len(expected))
        ]
    frame = dataset.streetsafe.frame.set_index("report_id")
    assert frame.at["A1", "event_at"] == pd.Timestamp("2026-07-14 21:30", tz="Europe/London")
    assert frame.at["A1", "environment"] == "poor_lighting"
    assert dataset.survey.frame["safe_day"].dtype == "Float64"
    assert pd.isna(dataset.survey.frame.at[1, "safe_day"])  # Don't know stays missing


def test_an_empty_store_says_what_is_missing(store: Store) -> None:
    dataset = store.load()
    assert [len(result.frame) for result in dataset.results()] == [0, 0, 0, 0]
    assert dataset.streetsafe.frame.crs == "EPSG:27700"
    assert dataset.streetsafe.frame["event_at"].dtype == "datetime64[us, Europe/London]"
    assert dataset.notices[0] == (
        "No StreetSafe reports in the store yet: add them with `safetymap ingest --kind "
        "streetsafe FILE` or on the upload page."
    )
    assert dataset.origin == f"the {store.description}"
    assert store.revision() == 0


def test_the_same_file_twice_adds_nothing(store: Store, exports: Path) -> None:
    path = write(exports, "streetsafe.csv", HEADER + report("A1", WATFORD) + report("A2", HEMEL)
                 + "BAD,yesterday,51.7,-0.3,,,\n")
    first = store.ingest("streetsafe", [path])
    assert (first.added, first.already_present, first.refused) == (2, 0, 1)
    second = store.ingest("streetsafe", [path])
    assert (second.added, second.already_present, second.refused) == (0, 2, 0)
    assert second.files[0].already_ingested is not None
    assert second.files[0].line().startswith(
        "streetsafe.csv: added 0, already present 2, refused 0 (the same file was ingested on "
    )
    summary = store.summary()
    assert summary.records == {"streetsafe": 2, "survey": 0, "services": 0,
                               "outreach": 0}
    assert summary.files["streetsafe"] == 1
    assert summary.quarantined["streetsafe"] == 1  # not quarantined twice
    assert summary.ingests == 2
    assert store.revision() == 2


def test_overlapping_exports_merge_by_id(store: Store, exports: Path) -> None:
    week1 = write(exports, "streetsafe_w1.csv",
                  HEADER + report("A", WATFORD) + report("B", HEMEL) + report("C", STEVENAGE))
    week2 = write(exports, "streetsafe_w2.csv",
                  HEADER + report("B", HEMEL) + report("C", STEVENAGE) + report("D", WATFORD)
                  + report("D", WATFORD))  # D twice in the file: counted once
    assert store.ingest("streetsafe", [week1]).added == 3
    summary = store.ingest("streetsafe", [week2])
    assert summary.files[0].line() == (
        "streetsafe_w2.csv: added 1, already present 3, refused 0 (quarantined)"
    )
    frame = store.load().streetsafe.frame
    assert frame["report_id"].tolist() == ["A", "B", "C", "D"]
    assert frame["source_file"].tolist() == ["streetsafe_w1.csv"] * 3 + ["streetsafe_w2.csv"]


def test_one_ingest_of_several_files_counts_each(store: Store, exports: Path) -> None:
    one = write(exports, "streetsafe_1.csv", HEADER + report("A", WATFORD) + report("B", HEMEL))
    two = write(exports, "streetsafe_2.csv", HEADER + report("B", HEMEL) + report("C", HEMEL))
    summary = store.ingest("streetsafe", [one, two])
    assert [f.line() for f in summary.files] == [
        "streetsafe_1.csv: added 2, already present 0, refused 0 (quarantined)",
        "streetsafe_2.csv: added 1, already present 1, refused 0 (quarantined)",
    ]
    assert summary.total_line() == (
        f"total: added 3, already present 1, refused 0 (quarantined) StreetSafe reports in "
        f"2 file(s), into {store.description}"
    )


def test_a_conflict_is_quarantined_and_the_stored_record_kept(
    store: Store, exports: Path
) -> None:
    first = write(exports, "streetsafe_1.csv", HEADER + report("A", WATFORD, environment="isolated"))
    second = write(exports, "streetsafe_2.csv",
                   HEADER + report("A", HEMEL, environment="isolated") + report("B", HEMEL))
    store.ingest("streetsafe", [first])
    summary = store.ingest("streetsafe", [second])
    assert (summary.added, summary.already_present, summary.refused) == (1, 0, 1)
    expected = (
        "streetsafe_2.csv, row 2, field report_id: expected a new report_id, or the same "
        "content as the record already in the store (streetsafe_1.csv row 2), which was kept, "
        'found "A" with different content'
    )
    assert [p.message() for p in summary.problems] == [expected]
    dataset = store.load()
    assert [p.message() for p in dataset.streetsafe.problems] == [expected]
    kept = dataset.streetsafe.frame.set_index("report_id")
    assert kept.at["A", "district_code"] == "E07000103"  # Watford, as first stored
    assert [(f.file, f.loaded, f.refused) for f in dataset.streetsafe.files] == [
        ("streetsafe_1.csv", 1, 0), ("streetsafe_2.csv", 1, 1)
    ]


def test_refused_rows_and_files_are_quarantined_with_their_reasons(
    store: Store, exports: Path
) -> None:
    rows = write(exports, "streetsafe_bad.csv", HEADER + report("OK", WATFORD)
                 + "B2,31/02/2026 10:00,51.65531,-0.39602,,,\n"
                 + "B3,2026-03-01 10:00,51.5074,-0.1278,,,\n")
    empty = write(exports, "streetsafe_empty.csv", "")
    summary = store.ingest("streetsafe", [rows, empty])
    assert [f.line() for f in summary.files] == [
        "streetsafe_bad.csv: added 1, already present 0, refused 2 (quarantined)",
        "streetsafe_empty.csv: refused as a whole (quarantined): streetsafe_empty.csv: "
        "expected a header row and data rows, found an empty file",
    ]
    assert summary.refused == 3
    quarantined = [(p.file, p.row, p.field, p.found) for p in store.load().streetsafe.problems]
    assert quarantined == [
        ("streetsafe_bad.csv", 3, "submitted_at", '"31/02/2026 10:00"'),
        ("streetsafe_bad.csv", 4, "latitude", "51.50740, -0.12780 (17.5 km outside the county)"),
        ("streetsafe_empty.csv", None, None, "an empty file"),
    ]
    # a whole-file refusal is not remembered as ingested: a fixed file with the same name
    # and an unreadable one with the same bytes are both read again
    again = store.ingest("streetsafe", [empty])
    assert again.files[0].file_error is not None


def test_confidential_locations_never_reach_the_store(
    store: Store, store_url: str, exports: Path, request: pytest.FixtureRequest
) -> None:
    path = write(exports, "services.csv",
                 "service_id,name,category,latitude,longitude,confidential,coverage,"
                 "opening_hours\n"
                 f"REF,Safe house,refuge,{REFUGE[0]},{REFUGE[1]},,county,24/7\n"
                 f"SEC,Secret clinic,other,{REFUGE[0]},{REFUGE[1]},yes,county,24/7\n"
                 f"BAD,Hidden SARC,sarc,north,{REFUGE[1]},true,county,24/7\n"
                 f"OUT,Outreach,outreach,{STEVENAGE[0]},{STEVENAGE[1]},no,county,24/7\n")
    summary = store.ingest("services", [path])
    assert (summary.added, summary.refused) == (3, 1)
    assert summary.problems[0].found == "a value withheld (confidential service location)"

    easting, northing = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(
        float(REFUGE[1]), float(REFUGE[0]))
    secrets_text = [REFUGE[0], REFUGE[1], "51.8123", "-0.2123", f"{easting:.0f}",
                    f"{northing:.0f}"]
    secret_doubles = [struct.pack("<d", v) for v in
                      (float(REFUGE[0]), float(REFUGE[1]), easting, northing)]
    if store_url.endswith(".gpkg"):
        raw = b"".join(Path(store_url + suffix).read_bytes() for suffix in ("", "-wal")
                       if Path(store_url + suffix).exists())
        content = raw.decode("latin-1")
        assert "Secret clinic" in content  # the file holds the rest
        assert "a value withheld" in content
        for packed in secret_doubles:
            assert packed not in raw
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        content = cluster.dump(store_url)
        assert "Secret clinic" in content
        assert "a value withheld" in content
        for packed in secret_doubles:
            assert packed.hex().upper() not in content.upper()
    for secret in secrets_text:
        assert secret not in content
    frame = store.load().services.frame.set_index("service_id")
    assert frame.loc[["REF", "SEC"], "latitude"].isna().all()
    assert frame.loc[["REF", "SEC"], "geometry"].isna().all()


# ============================================================================ counting
DACORUM, WATFORD_CODE, STEVENAGE_CODE = "E07000096", "E07000103", "E07000243"


def counting_exports(folder: Path) -> Path:
    """Seven reports whose local (Europe/London) days, hours and months are worked out by hand.

    ==  =========  ===================================  ==  =======  ====  =======  ==============
    id  district   event_at, local                      wd  month    slot  band     reasons
    ==  =========  ===================================  ==  =======  ====  =======  ==============
    A1  Watford    Wed 2026-07-01 00:30 BST (UTC Tue    2   2026-07  2,0   night    other (as env
                   30 June 23:30, another month)                                    and behaviour)
    A2  Watford    Wed 2026-07-01 21:00 BST             2   2026-07  2,21  evening  poor_lighting,
                                                                                    followed
    A3  Dacorum    Sun 2026-03-01 10:00 GMT, submitted  6   2026-03  -     unknown  isolated
                   (no occurred_at)
    A4  Dacorum    Sun 2026-03-29 02:30 BST, the clock  6   2026-03  6,2   night    followed
                   change (UTC 01:30)
    A5  Stevenage  Sun 2026-10-25 23:15 GMT, the day    6   2026-10  6,23  night    (none)
                   the clocks go back
    A6  Watford    Sat 2026-08-01 00:10 BST (UTC Fri    5   2026-08  5,0   night    poor_lighting,
                   31 July 23:10)                                                   isolated
    A7  Watford    Sat 2026-07-04 00:45 BST (UTC Fri    5   2026-07  5,0   night    no_cctv, other
                   3 July 23:45)
    ==  =========  ===================================  ==  =======  ====  =======  ==============
    """
    submitted = "2026-11-01 10:00"
    return write(folder, "streetsafe.csv", HEADER
                 + report("A1", WATFORD, "2026-06-30T23:30:00Z", environment="other",
                          behaviour="other", submitted=submitted)
                 + report("A2", WATFORD, "2026-07-01 21:00", environment="poor_lighting",
                          behaviour="followed", submitted=submitted)
                 + report("A3", HEMEL, environment="isolated", submitted="2026-03-01 10:00")
                 + report("A4", HEMEL, "2026-03-29T01:30:00Z", behaviour="followed",
                          submitted=submitted)
                 + report("A5", STEVENAGE, "2026-10-25 23:15", submitted=submitted)
                 + report("A6", WATFORD, "2026-07-31T23:10:00Z",
                          environment="poor_lighting;isolated", submitted=submitted)
                 + report("A7", WATFORD, "2026-07-04 00:45", environment="no_cctv",
                          behaviour="other", submitted=submitted))


def table(by: tuple[str, ...], *rows: tuple[object, ...]) -> pd.DataFrame:
    """Return the expected result of ``count``: the dimensions ``by``, then ``reports``."""
    names = [*by, "reports"]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame({
        name: pd.Series(values, dtype=object if name in TEXT_DIMENSIONS else "int64")
        for name, values in zip(names, columns, strict=True)
    })


TEXT_DIMENSIONS = {"district_code", "lsoa_code", "cell", "event_month", "event_week",
                   "time_of_day", "reason"}


def test_counts_by_hand(store: Store, exports: Path) -> None:
    summary = store.ingest("streetsafe", [counting_exports(exports)])
    assert (summary.added, summary.refused) == (7, 0)

    def count(by: tuple[str, ...] = (), filters: Filters | None = None, *,
              resolution: int = 9, slot: Slot | None = None) -> pd.DataFrame:
        return store.count(filters or Filters(), by, resolution=resolution, slot=slot)

    def check(result: pd.DataFrame, expected: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(result, expected)

    check(count(), table((), (7,)))
    check(count(("district_code",)), table(
        ("district_code",), (DACORUM, 2), (WATFORD_CODE, 4), (STEVENAGE_CODE, 1)))
    # A3 has no occurred_at: left out. In UTC A1 would be Tuesday 23h, A6 and A7 Friday 23h.
    check(count(("occurred_weekday", "occurred_hour")), table(
        ("occurred_weekday", "occurred_hour"),
        (2, 0, 1), (2, 21, 1), (5, 0, 2), (6, 2, 1), (6, 23, 1)))
    # the columns come in DIMENSIONS order whatever the order asked for
    check(count(("occurred_hour", "occurred_weekday")), count(("occurred_weekday",
                                                               "occurred_hour")))
    # in UTC A1 would be in June and A6 in July
    check(count(("event_month",)), table(
        ("event_month",), ("2026-03", 2), ("2026-07", 3), ("2026-08", 1), ("2026-10", 1)))
    check(count(("event_weekday",)), table(("event_weekday",), (2, 2), (5, 2), (6, 3)))
    # weeks by their Monday: A3 1 March, A4 29 March, A5 25 October are Sundays
    check(count(("event_week",)), table(
        ("event_week",), ("2026-02-23", 1), ("2026-03-23", 1), ("2026-06-29", 3),
        ("2026-07-27", 1), ("2026-10-19", 1)))
    check(count(("time_of_day",)), table(
        ("time_of_day",), ("evening", 1), ("night", 5), ("unknown", 1)))
    # A1 gives `other` twice and counts once under it; A5 gives none
    check(count(("reason",)), table(
        ("reason",), ("no_cctv", 1), ("poor_lighting", 2), ("isolated", 2), ("followed", 2),
        ("other", 2)))
    check(count(("district_code", "event_month")), table(
        ("district_code", "event_month"), (DACORUM, "2026-03", 2),
        (WATFORD_CODE, "2026-07", 3), (WATFORD_CODE, "2026-08", 1),
        (STEVENAGE_CODE, "2026-10", 1)))

    # a reason filter keeps A2, A4 and A6, which still count under every reason they give
    lighting_or_followed = Filters(reasons=("poor_lighting", "followed"))
    check(count(filters=lighting_or_followed), table((), (3,)))
    check(count(("district_code", "reason"), lighting_or_followed), table(
        ("district_code", "reason"), (DACORUM, "followed", 1),
        (WATFORD_CODE, "poor_lighting", 2), (WATFORD_CODE, "isolated", 1),
        (WATFORD_CODE, "followed", 1)))
    check(count(("district_code",), Filters(reasons=("other",))), table(
        ("district_code",), (WATFORD_CODE, 2)))
    check(count(filters=Filters(reasons=("not_a_reason",))), table((), (0,)))

    # local days: 1 July holds A1 (30 June in UTC) and A2; 1 August holds A6
    check(count(filters=Filters(start=date(2026, 7, 1), end=date(2026, 7, 1))), table((), (2,)))
    check(count(("reason",), Filters(start=date(2026, 8, 1), end=date(2026, 8, 1))), table(
        ("reason",), ("poor_lighting", 1), ("isolated", 1)))
    check(count(("district_code",), Filters(times_of_day=("night",), districts=(
        DACORUM, STEVENAGE_CODE))), table(("district_code",), (DACORUM, 1), (STEVENAGE_CODE, 1)))

    # a slot: Saturday 00:00-00:59 local is A6 and A7; Tuesday 23h (UTC's A1) is nobody
    saturday = Slot(weekday=5, hour=0)
    check(count(slot=saturday), table((), (2,)))
    check(count(("reason",), slot=saturday), table(
        ("reason",), ("no_cctv", 1), ("poor_lighting", 1), ("isolated", 1), ("other", 1)))
    check(count(("event_month",), Filters(reasons=("other",)), slot=saturday), table(
        ("event_month",), ("2026-07", 1)))
    check(count(slot=Slot(weekday=1, hour=23)), table((), (0,)))
    check(count(("district_code", "reason"), slot=Slot(weekday=1, hour=23)),
          table(("district_code", "reason")))

    # cells: the H3 cells stored at ingest
    watford_cell = h3.latlng_to_cell(WATFORD[0], WATFORD[1], 10)
    hemel_cell = h3.latlng_to_cell(HEMEL[0], HEMEL[1], 10)
    stevenage_cell = h3.latlng_to_cell(STEVENAGE[0], STEVENAGE[1], 10)
    check(count(("cell",), resolution=10), table(("cell",), *sorted(
        [(watford_cell, 4), (hemel_cell, 2), (stevenage_cell, 1)])))
    with pytest.raises(ValueError, match=r"`resolution` must be one of 8, 9, 10 .*got 7"):
        count(("cell",), resolution=7)
    check(count(("district_code",), resolution=7), count(("district_code",)))  # no cell
    with pytest.raises(ValueError, match="cannot count reports by 'weekday'"):
        count(("weekday",))

    assert store.span(Filters()) == (date(2026, 3, 1), date(2026, 10, 25))
    # A1 is 30 June and A6 31 July in UTC
    assert store.span(Filters(districts=(WATFORD_CODE,))) == (date(2026, 7, 1), date(2026, 8, 1))
    assert store.span(Filters(reasons=("poor_layout",))) is None
    rows = store.rows(Filters(), slot=saturday)
    assert rows["report_id"].tolist() == ["A6", "A7"]
    assert rows.crs == "EPSG:27700"
    assert store.rows(Filters(reasons=("followed",)))["report_id"].tolist() == ["A2", "A4"]
    assert store.rows(Filters(reasons=("poor_layout",))).empty


def test_weeks_start_on_the_local_monday(store: Store, exports: Path) -> None:
    """Reports either side of local midnight between Sunday and Monday, in GMT and BST.

    ==  ================================  ====================  ==========
    id  local event_at                    UTC                   week of
    ==  ================================  ====================  ==========
    W1  Sun 2026-07-05 23:30 BST          Sun 22:30             2026-06-29
    W2  Mon 2026-07-06 00:30 BST          Sun 5 July 23:30      2026-07-06
    W3  Mon 2026-01-05 00:30 GMT          Mon 00:30             2026-01-05
    W4  Thu 2026-01-01 12:00 GMT          Thu 12:00             2025-12-29
    W5  Sun 2026-03-29 23:30 BST          Sun 22:30             2026-03-23
    W6  Mon 2026-03-30 00:15 BST          Sun 29 March 23:15    2026-03-30
    W7  Sun 2026-10-25 00:30 BST          Sat 24 October 23:30  2026-10-19
    ==  ================================  ====================  ==========
    """
    rows = [("W1", "2026-07-05 23:30"), ("W2", "2026-07-06 00:30"), ("W3", "2026-01-05 00:30"),
            ("W4", "2026-01-01 12:00"), ("W5", "2026-03-29 23:30"), ("W6", "2026-03-30 00:15"),
            ("W7", "2026-10-25 00:30")]
    store.ingest("streetsafe", [write(exports, "streetsafe.csv", HEADER + "".join(
        report(report_id, WATFORD, occurred, submitted="2026-11-01 10:00")
        for report_id, occurred in rows))])
    expected = table(("event_week",), ("2025-12-29", 1), ("2026-01-05", 1), ("2026-03-23", 1),
                     ("2026-03-30", 1), ("2026-06-29", 1), ("2026-07-06", 1), ("2026-10-19", 1))
    pd.testing.assert_frame_equal(store.count(Filters(), ("event_week",)), expected)
    frame_counts = FrameCounts(store.load().streetsafe.frame)
    pd.testing.assert_frame_equal(
        as_object_text(frame_counts.count(Filters(), ("event_week",))), expected)
    # W1 and W2 are a day apart in the same place, in two weeks
    pd.testing.assert_frame_equal(
        store.count(Filters(start=date(2026, 7, 5), end=date(2026, 7, 6)),
                    ("cell", "event_week"), resolution=10),
        table(("cell", "event_week"), (h3.latlng_to_cell(*WATFORD, 10), "2026-06-29", 1),
              (h3.latlng_to_cell(*WATFORD, 10), "2026-07-06", 1)))


EQUIVALENCE_FILTERS = [
    Filters(),
    Filters(districts=("E07000103", "E07000242")),
    Filters(start=date(2026, 3, 25), end=date(2026, 4, 2)),  # the clocks go forward
    Filters(start=date(2026, 10, 20)),  # and back
    Filters(times_of_day=("evening", "night", "unknown")),
    Filters(reasons=("poor_lighting", "other")),
    Filters(districts=("E07000240",), end=date(2026, 6, 30), reasons=("followed",)),
    Filters(reasons=("not_a_reason",)),
]
SINGLES = tuple((name,) for name in DIMENSIONS)


def as_object_text(counts: pd.DataFrame) -> pd.DataFrame:
    """Return a ``FrameCounts`` result with its text dimensions as ``object``.

    Under pandas 3 ``FrameCounts`` builds its frame from object arrays, which pandas turns
    into its ``str`` dtype, while the contract (and ``empty_counts``) says ``object``.
    """
    return counts.astype({name: object for name in counts.columns if name in TEXT_DIMENSIONS})
PAIRS = tuple(itertools.combinations(DIMENSIONS, 2))


def test_counts_in_the_store_equal_the_frame_counts(store: Store, tmp_path: Path) -> None:
    write_demo_data(tmp_path / "demo", reports=2000, responses=0, seed=11)
    store.ingest("streetsafe", [tmp_path / "demo" / "streetsafe_demo.csv"])
    frame = store.load().streetsafe.frame
    counts = FrameCounts(frame)
    assert frame["occurred_at"].isna().any()  # reports without an hour are left out
    evening = Slot(weekday=4, hour=21)
    cases = [(filters, None) for filters in EQUIVALENCE_FILTERS] + [
        (Filters(), evening), (Filters(reasons=("isolated",)), evening),
        (Filters(start=date(2026, 3, 29), end=date(2026, 3, 29)), Slot(weekday=6, hour=2)),
    ]
    compared = nonempty = 0
    for filters, slot in cases:
        for by in ((), *SINGLES, *PAIRS):
            for resolution in ((8, 9, 10) if "cell" in by else (9,)):
                result = store.count(filters, by, resolution=resolution, slot=slot)
                expected = counts.count(filters, by, resolution=resolution, slot=slot)
                try:
                    # the contract's types: text dimensions object, numbers int64
                    pd.testing.assert_series_equal(result.dtypes, empty_counts(by).dtypes)
                    pd.testing.assert_frame_equal(result, as_object_text(expected))
                except AssertionError as error:
                    raise AssertionError(f"{filters}, by {by}, resolution {resolution}, "
                                         f"slot {slot}: {error}") from None
                compared += 1
                nonempty += bool(len(result)) and bool(result["reports"].sum())
        assert store.span(filters) == counts.span(filters)
        pd.testing.assert_frame_equal(store.rows(filters, slot=slot),
                                      counts.rows(filters, slot=slot).reset_index(drop=True))
    # every combination with "cell" is compared at two more resolutions
    assert compared == len(cases) * (1 + len(SINGLES) + len(PAIRS) + 2 * len(DIMENSIONS))
    assert nonempty > 0.75 * compared  # the selections are not all empty
    assert store.span(Filters()) == (frame["event_at"].min().date(),
                                     frame["event_at"].max().date())
    print(f"{compared} counts compared, {nonempty} with reports")


# ============================================================================ migration
def make_version_1(store_url: str) -> None:
    """Turn a store back into what version 1 made: no local-time columns, version 1."""
    run_statements(store_url, [
        "DROP INDEX streetsafe_occurred_slot",
        *(f"ALTER TABLE streetsafe DROP COLUMN {column.name}" for column in TIME_COLUMNS),
        f"ALTER TABLE streetsafe DROP COLUMN {REASON_BITS.name}",
        "UPDATE store_meta SET value = '1' WHERE key = 'schema_version'",
    ])


def make_version_2(store_url: str) -> None:
    """Turn a store back into what version 2 made: no reason bits, version 2."""
    run_statements(store_url, [
        f"ALTER TABLE streetsafe DROP COLUMN {REASON_BITS.name}",
        "UPDATE store_meta SET value = '2' WHERE key = 'schema_version'",
    ])


def run_statements(store_url: str, statements: list[str]) -> None:
    if store_url.endswith(".gpkg"):
        with sqlite3.connect(store_url) as connection:
            for statement in statements:
                connection.execute(statement)
    else:
        with psycopg.connect(store_url, autocommit=True) as connection:
            connection.execute("SET search_path = safetymap, public")
            for statement in statements:
                connection.execute(statement)


def stored_times(
    store_url: str, columns: tuple[Column, ...] = TIME_COLUMNS
) -> list[tuple[object, ...]]:
    names = ", ".join(column.name for column in columns)
    statement = f"SELECT report_id, {names} FROM streetsafe ORDER BY fid"
    if store_url.endswith(".gpkg"):
        with sqlite3.connect(store_url) as connection:
            return [tuple(row) for row in connection.execute(statement)]
    with psycopg.connect(store_url, autocommit=True) as connection:
        connection.execute("SET search_path = safetymap, public")
        return [tuple(row) for row in connection.execute(statement)]


def schema_version(store_url: str) -> str:
    statement = "SELECT value FROM store_meta WHERE key = 'schema_version'"
    if store_url.endswith(".gpkg"):
        with sqlite3.connect(store_url) as connection:
            return str(connection.execute(statement).fetchone()[0])
    with psycopg.connect(store_url, autocommit=True) as connection:
        connection.execute("SET search_path = safetymap, public")
        row = connection.execute(statement).fetchone()
        return str(row[0])


def test_a_version_1_store_gains_the_local_times_when_opened(
    store: Store, store_url: str, exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ingest("streetsafe", [counting_exports(exports)])
    ingested = stored_times(store_url)
    assert ingested[0] == ("A1", 2, "2026-07", 2, 0)
    assert ingested[2] == ("A3", 6, "2026-03", None, None)  # no occurred_at
    loaded = store.load().streetsafe.frame
    make_version_1(store_url)
    with pytest.raises(StoreError):  # what counting needs is gone: the store is version 1
        store.count(Filters(), ("event_month",))

    monkeypatch.setattr(sql, "_MIGRATE_BATCH", 3)  # 7 reports: three batches
    reopened = open_store(store_url)
    assert schema_version(store_url) == str(sql.SCHEMA_VERSION)
    assert stored_times(store_url) == ingested
    pd.testing.assert_frame_equal(reopened.load().streetsafe.frame, loaded)
    pd.testing.assert_frame_equal(reopened.count(Filters(), ("event_month",)), table(
        ("event_month",), ("2026-03", 2), ("2026-07", 3), ("2026-08", 1), ("2026-10", 1)))
    assert reopened.count(Filters(), slot=Slot(weekday=5, hour=0))["reports"].tolist() == [2]
    # opening it again changes nothing, and new reports get their times at ingest
    open_store(store_url)
    more = write(exports, "streetsafe_more.csv", HEADER + report(
        "B1", HEMEL, "2026-12-31 23:59", environment="isolated", submitted="2027-01-01 09:00"))
    assert reopened.ingest("streetsafe", [more]).added == 1
    assert stored_times(store_url) == [*ingested, ("B1", 3, "2026-12", 3, 23)]


# ============================================================================ nothing lost
INGEST_SCRIPT = """
import json, sys, time
from pathlib import Path
from loaders.store import open_store
url, marker, pause, *files = sys.argv[1:]
last = Path(files[-1]).name
def progress(step):
    if step.stage == "writing" and step.file == last:
        Path(marker).touch()
        time.sleep(float(pause))
summary = open_store(url).ingest("streetsafe", [Path(f) for f in files], progress=progress,
                                 batch_size=2)
print(json.dumps({"added": summary.added, "present": summary.already_present}))
"""


def start_ingest(url: str, marker: Path, pause: float, *files: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, url, str(marker), str(pause), *map(str, files)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for(marker: Path, process: subprocess.Popen[str], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the ingest ended early: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the ingest never reached the point to wait for")
        time.sleep(0.05)


def test_an_ingest_killed_half_way_leaves_the_store_as_it_was(
    store: Store, store_url: str, exports: Path, tmp_path: Path
) -> None:
    before = write(exports, "streetsafe_0.csv", HEADER + report("Z", WATFORD))
    store.ingest("streetsafe", [before])
    state = (store.summary(), store.load().streetsafe.frame, store.revision())
    first = write(exports, "streetsafe_1.csv",
                  HEADER + "".join(report(f"A{i}", WATFORD) for i in range(5)))
    second = write(exports, "streetsafe_2.csv",
                   HEADER + "".join(report(f"B{i}", HEMEL) for i in range(5)))
    marker = tmp_path / "half-way"
    # The first file is inserted; the process is killed while it writes the second.
    process = start_ingest(store_url, marker, 120, first, second)
    try:
        wait_for(marker, process)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    summary, frame, revision = state
    assert store.summary() == summary
    pd.testing.assert_frame_equal(store.load().streetsafe.frame, frame)
    assert store.revision() == revision
    # and the store is usable: the same files go in whole
    again = store.ingest("streetsafe", [first, second])
    assert (again.added, again.already_present) == (10, 0)
    assert store.summary().records["streetsafe"] == 11


def test_two_ingests_at_once_both_land(
    store: Store, store_url: str, exports: Path, tmp_path: Path
) -> None:
    one = write(exports, "streetsafe_1.csv",
                HEADER + report("A", WATFORD) + report("B", WATFORD) + report("C", HEMEL))
    two = write(exports, "streetsafe_2.csv",
                HEADER + report("C", HEMEL) + report("D", HEMEL) + report("E", STEVENAGE))
    first = start_ingest(store_url, tmp_path / "one", 1.0, one)
    wait_for(tmp_path / "one", first)  # the first holds the store's lock, and sleeps
    second = start_ingest(store_url, tmp_path / "two", 0.0, two)
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    results = [json.loads(out) for out, _ in outputs]
    assert results == [{"added": 3, "present": 0}, {"added": 2, "present": 1}]
    frame = store.load().streetsafe.frame
    assert sorted(frame["report_id"]) == ["A", "B", "C", "D", "E"]
    assert store.summary().ingests == 2


# ============================================================================ errors
def test_a_database_that_is_down_is_a_clear_message() -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://analyst:hunter2secret@127.0.0.1:{port}/safetymap"
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    message = str(caught.value)
    assert message.startswith(
        f"The PostGIS store postgresql://analyst@127.0.0.1:{port}/safetymap cannot be reached ("
    )
    assert "Connection refused" in message
    assert "hunter2secret" not in message
    assert "hunter2secret" not in repr(caught.value)
    assert isinstance(caught.value, SourceError)  # the dashboard shows SourceErrors


def test_a_store_in_a_missing_folder_is_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match=r"the folder .*nowhere does not exist"):
        open_store(tmp_path / "nowhere" / "store.gpkg")


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("mysql://root:pw@db/safetymap", "found a mysql:// URL"),
        ("/srv/exports", "found /srv/exports (a file store's name ends in .gpkg"),
    ],
)
def test_a_setting_that_names_no_store_is_refused(setting: str, expected: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(setting)
    assert expected in str(caught.value)
    assert "pw@" not in str(caught.value)


def test_a_file_that_is_not_a_geopackage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.gpkg"
    path.write_text("not a database at all, just some text that is long enough" * 40)
    with pytest.raises(StoreUnavailable, match="is not a GeoPackage the safety map can use"):
        open_store(path)


def test_a_store_made_by_a_newer_version_is_left_alone(store: Store, store_url: str) -> None:
    if store_url.endswith(".gpkg"):
        with sqlite3.connect(store_url) as connection:
            connection.execute("UPDATE store_meta SET value = '99'")
    else:
        with psycopg.connect(store_url, autocommit=True) as connection:
            connection.execute("UPDATE safetymap.store_meta SET value = '99'")
    with pytest.raises(StoreError, match=r"newer version .*store version 99"):
        open_store(store_url)


# ============================================================================ each store's own
def test_the_geopackage_opens_in_gdal(tmp_path: Path, exports: Path) -> None:
    url = tmp_path / "store.gpkg"
    store = open_store(url)
    store.ingest("streetsafe", [write(exports, "streetsafe.csv", HEADER
                                      + report("A", WATFORD, "2026-03-01 21:00")
                                      + report("B", HEMEL))])
    layers = dict(pyogrio.list_layers(url).tolist())
    assert {"streetsafe": "Point", "survey": "Point", "services": "Point",
            "outreach": "Point"}.items() <= layers.items()
    read = pyogrio.read_dataframe(url, layer="streetsafe")
    assert read.crs == "EPSG:27700"
    assert read["report_id"].tolist() == ["A", "B"]
    ours = store.load().streetsafe.frame
    assert read.geometry.geom_equals_exact(ours.geometry, 0).all()
    assert read["event_at"].iloc[0] == pd.Timestamp("2026-03-01 21:00", tz="UTC")
    bounds = pyogrio.read_info(url, layer="streetsafe")["total_bounds"]
    assert bounds == pytest.approx(ours.total_bounds)
    assert len(pyogrio.read_dataframe(url, layer="store_files")) == 1


def test_postgis_is_installed_when_the_database_lacks_it(postgres: PostgresCluster) -> None:
    url = postgres.new_database(postgis=False)
    store = open_store(url)
    assert store.summary().ingests == 0


def test_a_version_2_store_gains_the_reason_bits_when_opened(
    store: Store, store_url: str, exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ingest("streetsafe", [counting_exports(exports)])
    bits = stored_times(store_url, (REASON_BITS,))
    # bit i for REASON_CODES[i]: no_cctv 1, poor_lighting 2, isolated 4, followed 512,
    # other 4096 (see counting_exports for each report's reasons)
    assert bits == [("A1", 4096), ("A2", 2 + 512), ("A3", 4), ("A4", 512), ("A5", 0),
                    ("A6", 2 + 4), ("A7", 1 + 4096)]
    by_reason = store.count(Filters(), ("district_code", "reason"))
    make_version_2(store_url)
    with pytest.raises(StoreError):  # the reason bits are gone: the store is version 2
        store.count(Filters(), ("reason",))
    monkeypatch.setattr(sql, "_MIGRATE_BATCH", 3)
    reopened = open_store(store_url)
    assert schema_version(store_url) == str(sql.SCHEMA_VERSION)
    assert stored_times(store_url, (REASON_BITS,)) == bits
    pd.testing.assert_frame_equal(reopened.count(Filters(), ("district_code", "reason")),
                                  by_reason)


def test_rows_stop_at_a_limit_in_store_order(store: Store, exports: Path) -> None:
    store.ingest("streetsafe", [counting_exports(exports)])
    assert store.rows(Filters(), limit=3)["report_id"].tolist() == ["A1", "A2", "A3"]
    # Watford's reports are A1, A2, A6 and A7: the first two
    assert store.rows(Filters(districts=("E07000103",)), limit=2)["report_id"].tolist() == [
        "A1", "A2"
    ]
    assert store.rows(Filters(), limit=0).empty
    with pytest.raises(ValueError, match="`limit` must be a whole number"):
        store.rows(Filters(), limit=-1)
