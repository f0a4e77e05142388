"""The shared store: the same behaviour tests on a GeoPackage file and on a real PostGIS.

The PostGIS tests start a throwaway PostgreSQL with PostGIS on 127.0.0.1 once per session
(tests/pg.py) and give each test a fresh database. Expected values are worked out by hand
from the rows written in each test, or by the pandas functions the pages use today.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geopandas as gpd
import h3
import pandas as pd
import psycopg
import pyogrio
import pytest
from browser import free_port
from pg import PostgresCluster, PostgresMissing, postgres_cluster
from pyproj import Transformer

from loaders import KINDS, load_kind
from loaders.source import SourceError
from loaders.store import Store, StoreError, StoreUnavailable, open_store
from safetymap.analysis.filters import Filters, filter_reports
from safetymap.analysis.hotspots import report_cells
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
@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """Run one throwaway PostgreSQL with PostGIS for the session; skip if not installed."""
    try:
        with postgres_cluster() as cluster:
            print(f"PostgreSQL with PostGIS started in {cluster.started_in_s:.2f} s")
            yield cluster
    except PostgresMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} CI is set, and CI must run them.")
        pytest.skip(str(missing))


@pytest.fixture(params=["gpkg", "postgis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Give the address of a new, empty store of each kind."""
    if request.param == "gpkg":
        return str(tmp_path / "store.gpkg")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


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
    files = {"streetsafe": streetsafe, "survey": survey, "services": services}
    for kind, path in files.items():
        summary = store.ingest(kind, [path])
        added = {"streetsafe": 3, "survey": 2, "services": 3}[kind]
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
    assert [len(result.frame) for result in dataset.results()] == [0, 0, 0]
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
    assert summary.records == {"streetsafe": 2, "survey": 0, "services": 0}
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
def test_counts_by_district_and_hexagon_by_hand(store: Store, exports: Path) -> None:
    path = write(exports, "streetsafe.csv", HEADER
                 + report("W1", WATFORD, "2026-06-30 23:30", environment="other")
                 + report("W2", WATFORD, "2026-07-01 00:30", behaviour="other")  # BST
                 + report("W3", WATFORD, "2026-07-01 21:00", environment="poor_lighting")
                 + report("D1", HEMEL, "2026-07-02 23:00", behaviour="followed")
                 + report("D2", HEMEL, "2026-07-03 12:00"))
    store.ingest("streetsafe", [path])

    def by_district(filters: Filters) -> dict[str, int]:
        table = store.district_counts(filters)
        assert len(table) == 10
        return {name: n for name, n in zip(table["district_name"], table["reports"],
                                           strict=True) if n}

    assert by_district(Filters()) == {"Watford": 3, "Dacorum": 2}
    # 1 July, local days: W2 at 00:30 BST is 23:30 UTC on 30 June, and still counts
    assert by_district(Filters(start=date(2026, 7, 1), end=date(2026, 7, 1))) == {"Watford": 2}
    assert by_district(Filters(times_of_day=("night",))) == {"Watford": 2, "Dacorum": 1}
    # "other" is both an environment and a behaviour code
    assert by_district(Filters(reasons=("other",))) == {"Watford": 2}
    assert by_district(Filters(reasons=("poor_lighting", "followed"))) == {
        "Watford": 1, "Dacorum": 1}
    assert by_district(Filters(districts=("E07000096",), times_of_day=("afternoon",))) == {
        "Dacorum": 1}
    assert store.district_counts(Filters())["district_code"].tolist()[:2] == [
        "E07000095", "E07000096"]

    cells = store.hex_counts(Filters(), resolution=9)
    watford_cell = h3.latlng_to_cell(WATFORD[0], WATFORD[1], 9)
    hemel_cell = h3.latlng_to_cell(HEMEL[0], HEMEL[1], 9)
    assert dict(zip(cells["cell_id"], cells["reports"], strict=True)) == {
        watford_cell: 3, hemel_cell: 2}
    assert cells["cell_id"].tolist() == sorted([watford_cell, hemel_cell])
    night = store.hex_counts(Filters(times_of_day=("night",)), resolution=10)
    assert dict(zip(night["cell_id"], night["reports"], strict=True)) == {
        h3.latlng_to_cell(WATFORD[0], WATFORD[1], 10): 2,
        h3.latlng_to_cell(HEMEL[0], HEMEL[1], 10): 1,
    }
    with pytest.raises(ValueError, match="`resolution` must be one of 8, 9, 10"):
        store.hex_counts(Filters(), resolution=7)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(districts=("E07000103", "E07000242")),
        Filters(start=date(2025, 12, 1), end=date(2026, 2, 28)),
        Filters(times_of_day=("evening", "night"), reasons=("poor_lighting", "followed")),
        Filters(districts=("E07000240",), start=date(2026, 1, 15), reasons=("other",)),
    ],
)
def test_counts_in_the_store_equal_the_pages_pandas_counts(
    store: Store, tmp_path: Path, filters: Filters
) -> None:
    write_demo_data(tmp_path / "demo", reports=1500, responses=10, seed=11)
    store.ingest("streetsafe", [tmp_path / "demo" / "streetsafe_demo.csv"])
    reports = filter_reports(store.load().streetsafe.frame, filters)
    assert len(reports) > 0

    expected = reports["district_code"].value_counts()
    counts = store.district_counts(filters).set_index("district_code")["reports"]
    assert counts[counts > 0].sort_index().to_dict() == expected.sort_index().to_dict()
    assert counts.sum() == len(reports)
    for resolution in (8, 9, 10):
        cells = report_cells(reports, resolution=resolution).value_counts().sort_index()
        table = store.hex_counts(filters, resolution=resolution)
        assert dict(zip(table["cell_id"], table["reports"], strict=True)) == cells.to_dict()


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
    assert {"streetsafe": "Point", "survey": "Point", "services": "Point"}.items() <= (
        layers.items())
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
