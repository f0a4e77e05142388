"""Outreach points: loading, storing, and measuring them against need (issue 15, item 3).

Expected values are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import date
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import openpyxl
import pandas as pd
import psycopg
import pyogrio
import pytest
import shapely
from apps import run_dashboard
from pyproj import Transformer
from test_store import schema_version

from geodata import load_districts, load_towns
from loaders import load_outreach
from loaders.source import FolderSource, files_by_kind
from loaders.store import Store, StoreError, open_store, sql
from safetymap.analysis.outreach import (
    UNREACHED_COLUMNS,
    hot_spot_areas,
    hot_spot_cells,
    outreach_reach,
    points_in_place,
)
from safetymap.analysis.places import place_names
from safetymap.demo import DEMO_LAST_DAY, DEMO_OUTREACH_TOWNS, write_demo_data
from safetymap.maps.base import MapStyle
from safetymap.maps.outreach import outreach_map

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
        f'outreach_bad.csv, row 3, field in_place_from: expected {date}; blank when not '
        'known, found "soon"',
        "outreach_bad.csv, row 3, field organisation: expected the organisation that placed "
        "it (not blank), found blank",
        "outreach_bad.csv, row 3, field latitude: expected a place inside Hertfordshire "
        "(within 50 m of a district), found 51.50740, -0.12780 (17.5 km outside the county)",
        "outreach_bad.csv, row 4, field in_place_to: expected a date on or after "
        'in_place_from (01/03/2026), found "2026-02-28"',
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
        "organisation (or partner, organization, agency, placed by); and columns latitude "
        'and longitude, or easting and northing, found "id", "where"'
    ]
    assert len(result.frame) == 0


def test_a_file_written_to_the_contracts_names_loads(tmp_path: Path) -> None:
    # The data contract's own header: partner, placed_on and removed_on (both optional),
    # kind "leaflet"; no date at all on the first row.
    path = write(tmp_path, "outreach_contract.csv",
                 "point_id,kind,partner,latitude,longitude,service_id,placed_on,removed_on\n"
                 f"C1,leaflet,HDAH,{WATFORD[0]},{WATFORD[1]},,,\n"
                 f"C2,QR code poster,Clarion Housing,{HEMEL[0]},{HEMEL[1]},H1,2026-03-01,"
                 "2026-06-30\n")
    result = load_outreach([path])
    assert messages(result) == []
    frame = result.frame.set_index("point_id")
    assert frame["kind"].tolist() == ["leaflet_point", "qr_poster"]
    assert frame["organisation"].tolist() == ["HDAH", "Clarion Housing"]
    assert pd.isna(frame.at["C1", "in_place_from"])
    assert pd.isna(frame.at["C1", "in_place_to"])
    assert frame.at["C2", "in_place_to"] == pd.Timestamp("2026-06-30")


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


# ------------------------------------------------------------------ store
STORE_HEADER = "point_id,kind,organisation,latitude,longitude,in_place_from,in_place_to\n"


def outreach_rows(*rows: str) -> str:
    return STORE_HEADER + "".join(f"{row}\n" for row in rows)


def stored_points(store: Store) -> list[str]:
    return store.load().outreach.frame["point_id"].tolist()


def test_the_store_keeps_outreach_points_as_the_loader_gives_them(
    store_url: str, tmp_path: Path
) -> None:
    store = open_store(store_url)
    path = write(tmp_path, "outreach_march.csv", outreach_rows(
        f"P1,QR code poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},01/03/2026,",
        f"P2,drop_in,HDAH,{HEMEL[0]},{HEMEL[1]},2026-03-01,2026-03-31",
        f"BAD,drop_in,HDAH,{HEMEL[0]},{HEMEL[1]},2026-03-01,2026-02-01",
    ))
    summary = store.ingest("outreach", [path])
    assert [(f.rows, f.added, f.already_present, f.refused) for f in summary.files] == [
        (3, 2, 0, 1)]
    assert [p.message() for p in summary.problems] == [
        "outreach_march.csv, row 4, field in_place_to: expected a date on or after "
        'in_place_from (01/03/2026), found "2026-02-01"'
    ]

    loaded = store.load().outreach
    expected = load_outreach([path]).frame
    for column in expected.columns:
        if column != "geometry" and expected[column].dtype == object:
            expected[column] = expected[column].astype("str")
    pd.testing.assert_frame_equal(loaded.frame.drop(columns="geometry"),
                                  expected.drop(columns="geometry"))
    assert loaded.frame.geometry.equals(expected.geometry)
    assert loaded.frame.at[1, "in_place_to"] == pd.Timestamp("2026-03-31")
    assert [p.message() for p in loaded.problems] == [p.message() for p in summary.problems]
    assert store.summary().records["outreach"] == 2
    # the same file again adds nothing
    again = store.ingest("outreach", [path])
    assert (again.added, again.already_present) == (0, 2)


def test_a_refused_outreach_file_changes_nothing(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    refused = write(tmp_path, "outreach_cols.csv", "id,where\nP1,estate\n")
    summary = store.ingest("outreach", [refused])
    assert summary.added == 0
    assert summary.files[0].file_error is not None
    assert stored_points(store) == []
    # a file whose every row is refused adds no point either
    bad_rows = write(tmp_path, "outreach_rows.csv", outreach_rows(
        f"L1,leaflet_point,HDAH,{LONDON[0]},{LONDON[1]},2026-03-01,"))
    assert store.ingest("outreach", [bad_rows]).added == 0
    assert stored_points(store) == []


def test_an_outreach_ingest_is_one_transaction(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(store_url)
    first = write(tmp_path, "outreach_1.csv", outreach_rows(
        f"P1,qr_poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},2026-03-01,"))
    second = write(tmp_path, "outreach_2.csv", outreach_rows(
        f"P2,qr_poster,Clarion Housing,{HEMEL[0]},{HEMEL[1]},2026-03-01,"))
    calls = {"n": 0}
    record_file = sql.SQLStore._record_file  # the step to break

    def fail_on_the_second_file(self: sql.SQLStore, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the process dies here")
        record_file(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sql.SQLStore, "_record_file", fail_on_the_second_file)
    with pytest.raises(RuntimeError):
        store.ingest("outreach", [first, second])
    monkeypatch.undo()
    # the first file's point was written inside the transaction, and is gone with it
    assert stored_points(store) == []
    assert store.revision() == 0
    assert store.ingest("outreach", [first, second]).added == 2


def _as_version_4(store_url: str) -> None:
    statements = ["DROP TABLE outreach",
                  "UPDATE store_meta SET value = '4' WHERE key = 'schema_version'"]
    if store_url.endswith(".gpkg"):
        statements[1:1] = ["DELETE FROM gpkg_geometry_columns WHERE table_name = 'outreach'",
                           "DELETE FROM gpkg_contents WHERE table_name = 'outreach'"]
        with sqlite3.connect(store_url) as connection:
            for statement in statements:
                connection.execute(statement)
        return
    with psycopg.connect(store_url, autocommit=True) as connection:
        connection.execute("SET search_path = safetymap, public")
        for statement in statements:
            connection.execute(statement)




def test_a_version_4_store_gains_the_outreach_table_when_opened(
    store_url: str, tmp_path: Path
) -> None:
    old = open_store(store_url)
    reports = write(tmp_path, "streetsafe.csv", "report_id,submitted_at,latitude,longitude\n"
                    f"A1,2026-03-01 10:00,{WATFORD[0]},{WATFORD[1]}\n")
    old.ingest("streetsafe", [reports])
    _as_version_4(store_url)
    with pytest.raises(StoreError):  # a version 4 store has no outreach points
        old.load()
    store = open_store(store_url)
    assert schema_version(store_url) == str(sql.SCHEMA_VERSION) == "5"
    assert store.load().streetsafe.frame["report_id"].tolist() == ["A1"]  # kept
    assert stored_points(store) == []
    path = write(tmp_path, "outreach.csv", outreach_rows(
        f"P1,qr_poster,Clarion Housing,{WATFORD[0]},{WATFORD[1]},2026-03-01,"))
    assert store.ingest("outreach", [path]).added == 1
    assert stored_points(store) == ["P1"]
    if store_url.endswith(".gpkg"):
        assert dict(pyogrio.list_layers(store_url).tolist())["outreach"] == "Point"
    open_store(store_url)  # opening it again changes nothing
    assert stored_points(store) == ["P1"]


# ------------------------------------------------------------------ analysis, by hand
TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
X0, Y0 = (round(v) for v in TO_GRID.transform(WATFORD[1], WATFORD[0]))


def square(x: float, y: float, half: float = 50.0) -> shapely.Polygon:
    return shapely.box(x - half, y - half, x + half, y + half)


def grid_points(*xy: tuple[float, float]) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.Point(x, y) for x, y in xy], crs="EPSG:27700")


def outreach_frame() -> gpd.GeoDataFrame:
    """Five points around Watford centre (X0, Y0), in metres, for a March 2026 period."""
    rows = [  # id, x, y, in place from, to
        ("A", X0 + 450, Y0, "2026-01-01", None),        # 400 m east of H1's east edge
        ("B", X0 + 2000, Y0 + 450.5, "2026-03-31", None),  # 400.5 m north of H2
        ("C", X0, Y0 + 3000, "2025-06-01", "2026-03-01"),  # inside H3, gone on 1 March
        ("D", X0 - 3000, Y0, "2025-01-01", "2026-02-28"),  # inside H4, gone before March
        ("E", X0 + 2000, Y0, "2026-04-01", None),       # inside H2, placed after March
    ]
    return gpd.GeoDataFrame(
        {"point_id": [r[0] for r in rows],
         "in_place_from": pd.to_datetime([r[3] for r in rows]),
         "in_place_to": pd.to_datetime([r[4] for r in rows])},
        geometry=[shapely.Point(r[1], r[2]) for r in rows], crs="EPSG:27700",
    )


def test_points_in_place_are_those_there_on_a_day_of_the_period() -> None:
    points = outreach_frame()
    march = points_in_place(points, date(2026, 3, 1), date(2026, 3, 31))
    # B arrives on the last day and C leaves on the first: both were there; D left the day
    # before, E came the day after.
    assert march["point_id"].tolist() == ["A", "B", "C"]
    assert points_in_place(points)["point_id"].tolist() == ["A", "B", "C", "D", "E"]
    assert points_in_place(points, date(2026, 4, 1), None)["point_id"].tolist() == [
        "A", "B", "E"]


def test_the_shares_and_the_hot_spots_without_a_point_by_hand() -> None:
    hot_spots = gpd.GeoDataFrame(
        {"reports": [12, 30, 8, 30]},
        geometry=[square(X0, Y0), square(X0 + 2000, Y0), square(X0, Y0 + 3000),
                  square(X0 - 3000, Y0)],
        crs="EPSG:27700",
    )  # H1 to H4, 100 m squares
    places = grid_points(
        (X0 + 750, Y0),         # 300 m from A: reached
        (X0 + 10_000, Y0),      # far from every point
        (X0, Y0 + 3400),        # exactly 400 m from C: reached
        (X0 - 3000, Y0),        # at D, which is gone: 3,450 m from A
        (X0 + 450, Y0),         # at A: reached
    )
    march = points_in_place(outreach_frame(), date(2026, 3, 1), date(2026, 3, 31))

    reach = outreach_reach(hot_spots, places, march.geometry)

    # H1: A is exactly 400 m away; H3: C is inside; H2: B is 400.5 m away; H4: D is gone.
    assert (reach.hot_spots, reach.hot_spots_reached) == (4, 2)
    assert reach.hot_spot_share == 0.5
    assert (reach.places, reach.places_reached) == (5, 3)
    assert reach.place_share == 0.6
    assert reach.points == 3
    unreached = reach.unreached
    assert list(unreached.columns) == list(UNREACHED_COLUMNS)
    # H2 and H4 both have 30 reports: the order given breaks the tie
    assert unreached["rank"].tolist() == [1, 2]
    assert unreached["reports"].tolist() == [30.0, 30.0]
    # nearest point in place: H2 to B 400.5 m; H4 to A 3,400 m (to C: hypot(2950, 2950))
    assert unreached["nearest_m"].tolist() == pytest.approx([400.5, 3400.0])
    assert unreached["name"].tolist() == place_names(np.array([[X0 + 2000, Y0],
                                                               [X0 - 3000, Y0]]))
    assert unreached["latitude"].tolist()[1] == pytest.approx(51.655, abs=0.01)
    assert unreached["area"].isna().all()


def test_with_no_point_in_place_every_hot_spot_is_unreached() -> None:
    hot_spots = gpd.GeoDataFrame({"reports": [5, 9]},
                                 geometry=[square(X0, Y0), square(X0 + 2000, Y0)],
                                 crs="EPSG:27700")
    reach = outreach_reach(hot_spots, grid_points(), grid_points())
    assert (reach.hot_spots, reach.hot_spots_reached, reach.places) == (2, 0, 0)
    assert reach.hot_spot_share == 0.0
    assert math.isnan(reach.place_share)
    assert reach.unreached["reports"].tolist() == [9.0, 5.0]  # busiest first
    assert reach.unreached["nearest_m"].isna().all()
    none = outreach_reach(hot_spots[:0], grid_points(), grid_points((X0, Y0)))
    assert math.isnan(none.hot_spot_share)
    assert none.unreached.empty


def test_a_layer_without_a_crs_is_refused() -> None:
    with pytest.raises(ValueError, match="`points` must have a valid CRS"):
        outreach_reach(gpd.GeoDataFrame({"reports": []}, geometry=[], crs="EPSG:27700"),
                       grid_points(), gpd.GeoSeries([shapely.Point(0, 0)]))


def test_hot_cells_and_hot_areas_as_hot_spots() -> None:
    cell = h3.latlng_to_cell(WATFORD[0], WATFORD[1], 9)
    ring = [c for c in h3.grid_disk(cell, 1) if c != cell]
    cells = pd.DataFrame({"cell_id": [cell, *ring], "reports": [7] + [0] * 6,
                          "hotspot": ["hot_99"] + ["none"] * 6})
    hexagons = hot_spot_cells(cells)
    assert hexagons.crs == "EPSG:27700"
    assert hexagons["reports"].tolist() == [7]
    areas = hot_spot_areas(cells)
    assert areas["area"].tolist() == [1]
    assert areas["reports"].isna().all()  # areas carry no count
    # the area is the hot cell and the six around it: larger than the hexagon
    assert areas.geometry.area.iloc[0] == pytest.approx(7 * hexagons.geometry.area.iloc[0],
                                                        rel=0.01)
    centre = hexagons.geometry.iloc[0].centroid
    # a point 600 m east of the hot cell's centre: beyond 400 m of the hexagon (about
    # 175 m to a corner), within 400 m of the area's edge
    east = grid_points((centre.x + 600, centre.y))
    assert outreach_reach(hexagons, grid_points(), east).hot_spots_reached == 0
    by_area = outreach_reach(areas, grid_points(), east)
    assert by_area.hot_spots_reached == 1
    inside = outreach_reach(areas, grid_points(), grid_points((centre.x + 2000, centre.y)))
    assert inside.unreached["area"].tolist() == [1]


# ------------------------------------------------------------------ map and page
def test_the_map_escapes_every_input_text_and_gives_partners_no_count() -> None:
    points = gpd.GeoDataFrame(
        {"kind": ["qr_poster"], "organisation": ["<b>Clarion</b> & co"],
         "name": ["<img src=x onerror=alert(1)>"], "notes": ["Ask for Jo Bloggs, flat 3"],
         "in_place_from": pd.to_datetime(["2026-03-01"]), "in_place_to": [pd.NaT]},
        geometry=[shapely.Point(X0, Y0)], crs="EPSG:27700")
    hot_spots = gpd.GeoDataFrame({"reports": [17.0, 6.0]},
                                 geometry=[square(X0, Y0), square(X0 + 2000, Y0)],
                                 crs="EPSG:27700")
    districts = load_districts()
    police = outreach_map(points, hot_spots, [True, False], districts,
                          style=MapStyle(assets="cdn", tiles=None),
                          partner=False).get_root().render()
    assert "<img src=x" not in police
    assert "&lt;img src=x onerror=alert(1)&gt;" in police
    assert "&lt;b&gt;Clarion&lt;/b&gt; &amp; co" in police
    assert "Jo Bloggs" not in police  # notes may name a person: never on the map
    assert "In place since 01/03/2026" in police
    assert "Reports: 17" in police
    partner = outreach_map(points, hot_spots.assign(reports=np.nan), [True, False], districts,
                           style=MapStyle(assets="cdn", tiles=None),
                           partner=True).get_root().render()
    assert "Reports:" not in partner
    assert "Hot spot area: no outreach point within 400 m" in partner


def _page_data(folder: Path) -> None:
    """35 March 2026 reports: 30 within about 100 m of Watford centre, 5 spread out."""
    rng = np.random.default_rng(1)
    to_degrees = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    rows = ["report_id,submitted_at,latitude,longitude"]
    for number in range(30):
        lon, lat = to_degrees.transform(X0 + rng.normal(0, 60), Y0 + rng.normal(0, 60))
        rows.append(f"W{number},2026-03-{number % 28 + 1:02d} 10:00,{lat:.6f},{lon:.6f}")
    for number, (lat, lon) in enumerate([HEMEL, STEVENAGE, (51.80, -0.20), (51.95, -0.28),
                                         (51.70, -0.03)]):
        rows.append(f"X{number},2026-03-10 10:00,{lat},{lon}")
    (folder / "streetsafe_test.csv").write_text("\n".join(rows) + "\n")
    (folder / "services_test.csv").write_text(
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours\n"
        "H1,Test helpline,helpline,,,,county,24/7\n")
    (folder / "outreach_test.csv").write_text(
        "point_id,kind,organisation,latitude,longitude,in_place_from,in_place_to,name\n"
        f"P1,qr_poster,Clarion Housing,{STEVENAGE[0]},{STEVENAGE[1]},2026-01-01,,"
        "**Stevenage** <b>poster</b>\n"
        f"P2,drop_in,HDAH,{WATFORD[0]},{WATFORD[1]},2025-01-01,2025-12-31,Gone\n")


@pytest.mark.parametrize("role", ["analyst", "police", "partner"])
def test_the_coverage_page_shows_outreach_to_every_role_and_partners_no_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    _page_data(tmp_path)
    monkeypatch.setenv("SAFETYMAP_DATA", str(tmp_path))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", role)
    app = run_dashboard("pages/coverage_gaps.py", timeout=90)
    assert "Outreach points: help without a building" in [s.value for s in app.subheader]
    metrics = {m.label: m.value for m in app.metric}
    # the one point in place (Stevenage) is far from the Watford hot spot; the Watford
    # drop-in closed in 2025: no hot spot is reached
    assert metrics["Hot spots with an outreach point within 400 m"] == "0%"
    gaps = next(df.value for df in app.dataframe if "Nearest outreach point" in df.value)
    assert len(gaps) >= 1
    assert gaps["Place"].str.contains("Watford").all()
    captions = [c.value for c in app.caption]
    if role == "partner":
        assert gaps.columns.tolist() == ["Hot spot area", "Place", "Nearest outreach point"]
        assert any(c.startswith("0 of 1 hot spot areas, January to March 2026")
                   for c in captions)
        assert metrics["Places named in the survey with a point within 400 m"] == "-"
    else:
        assert gaps.columns.tolist() == ["Rank", "Place", "Reports", "Nearest outreach point",
                                         "Latitude", "Longitude"]
        assert gaps["Rank"].tolist() == list(range(1, len(gaps) + 1))
        assert any(" hot spot hexagons, the period chosen; 1 outreach point(s) in place"
                   in c for c in captions)


# ------------------------------------------------------------------ demo
def test_the_demo_has_synthetic_outreach_points_near_town_centres(tmp_path: Path) -> None:
    paths = write_demo_data(tmp_path, reports=200, responses=0, seed=2026)
    assert [p.name for p in paths][-1] == "outreach_demo.csv"
    result = load_outreach([tmp_path / "outreach_demo.csv"])
    assert result.problems == []
    frame = result.frame
    assert len(frame) == 2 * DEMO_OUTREACH_TOWNS == 20
    assert frame["point_id"].str.startswith("DEMO-").all()
    assert frame["name"].str.endswith("(synthetic)").all()
    assert (frame["notes"] == "SYNTHETIC demo point: not a real site").all()
    assert frame["kind"].value_counts().to_dict() == {
        "qr_poster": 10, "leaflet_point": 5, "drop_in": 5}
    # every point within 1.2 km of the centre of one of the largest towns (posters 400 m
    # to 1.2 km out, on the housing estates; leaflet points and drop-ins within 500 m)
    towns = load_towns().nlargest(DEMO_OUTREACH_TOWNS, "population")
    centres = gpd.GeoSeries(gpd.points_from_xy(towns["longitude"], towns["latitude"]),
                            crs="EPSG:4326").to_crs("EPSG:27700")
    nearest = np.array([centres.distance(point).min() for point in frame.geometry])
    assert (nearest <= 1200.5).all()
    posters = frame["kind"].eq("qr_poster").to_numpy()
    assert (nearest[posters] >= 399.5).all()
    assert (nearest[~posters] <= 500.5).all()
    # placed on days of the demo year; the few taken down were there 30 to 59 days
    assert frame["in_place_from"].max() <= pd.Timestamp(str(DEMO_LAST_DAY))
    down = frame.dropna(subset=["in_place_to"])
    assert 1 <= len(down) <= 6
    assert ((down["in_place_to"] - down["in_place_from"]).dt.days.between(30, 59)).all()
    # the same seed gives the same bytes; the data folder says the demo is synthetic
    again = write_demo_data(tmp_path / "again", reports=200, responses=0, seed=2026)
    assert again[-1].read_bytes() == paths[-1].read_bytes()
    dataset = FolderSource(tmp_path).load()
    assert dataset.synthetic
    assert len(dataset.outreach.frame) == 20
