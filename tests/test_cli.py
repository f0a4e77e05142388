"""The command line: exit codes, one line per problem, and never a traceback."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from safetymap.cli import main
from safetymap.commands.hotspots import _edge_note
from safetymap.demo import write_demo_data
from safetymap.maps import standalone

WATFORD = "51.65531,-0.39602"
GOOD = f"report_id,submitted_at,latitude,longitude\nV1,2026-03-01 10:00,{WATFORD}\nV2,2026-03-01 11:00,{WATFORD}\n"
BAD = (
    "report_id,submitted_at,latitude,longitude\n"
    f"V1,2026-03-01 10:00,{WATFORD}\n"
    f"V2,yesterday,{WATFORD}\n"
    "V3,2026-03-01 10:00,51.5074,-0.1278\n"
)


def test_validate_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "streetsafe.csv"
    path.write_text(GOOD)
    assert main(["validate", "--kind", "streetsafe", str(path)]) == 0
    assert capsys.readouterr().out == "OK: 2 StreetSafe reports valid in 1 file(s).\n"


def test_validate_a_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "streetsafe.csv"
    path.write_text(BAD)
    assert main(["validate", "--kind", "streetsafe", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "streetsafe.csv, row 3, field submitted_at: expected a date and time (ISO 8601 such as "
        '2026-03-14T21:30, or DD/MM/YYYY HH:MM), found "yesterday"',
        "streetsafe.csv, row 4, field latitude: expected a place inside Hertfordshire (within "
        "50 m of a district), found 51.50740, -0.12780 (17.5 km outside the county)",
    ]
    assert captured.err == "2 problem(s): 1 of 3 StreetSafe reports valid in 1 file(s).\n"


def test_validate_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--kind", "survey", str(tmp_path / "nope.csv")]) == 1
    done = capsys.readouterr()
    assert done.out == "nope.csv: expected a file, found nothing at that path\n"
    assert done.err == ("1 problem(s): nothing was checked; 1 file(s) could not be read "
                        "(nope.csv).\n")


def test_validate_reports_every_problem_of_a_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "streetsafe.csv"
    # one row, three problems: a bad date, a bad time of day, and a place in London
    path.write_text("report_id,submitted_at,latitude,longitude,time_of_day\n"
                    "V1,yesterday,51.5074,-0.1278,teatime\n")
    assert main(["validate", "--kind", "streetsafe", str(path)]) == 1
    done = capsys.readouterr()
    lines = done.out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "streetsafe.csv, row 2, field submitted_at",
        "streetsafe.csv, row 2, field time_of_day",
        "streetsafe.csv, row 2, field latitude",
    ]
    assert lines[2].endswith("found 51.50740, -0.12780 (17.5 km outside the county)")
    assert done.err == "3 problem(s): 0 of 1 StreetSafe reports valid in 1 file(s).\n"


def test_validate_names_every_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "streetsafe.csv"
    path.write_text("id,when\nV1,2026-03-01\n")
    assert main(["validate", "--kind", "streetsafe", str(path)]) == 1
    assert capsys.readouterr().out == (
        "streetsafe.csv: expected a column submitted_at (or date submitted, created, "
        "submitted, created_at); and columns latitude and longitude, or easting and "
        'northing, found "id", "when"\n'
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--kind", "reports", "x.csv"],
        ["validate", "x.csv"],
        ["demo-data", "--out", "x", "--reports", "many"],
        ["fly"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err
    assert "Traceback" not in err


def test_demo_data_writes_contract_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo-data", "--out", str(out), "--reports", "300", "--responses", "200",
                 "--seed", "7"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "outreach_demo.csv", "services_demo.csv", "streetsafe_demo.csv", "survey_demo.csv"
    ]
    assert main(["validate", "--kind", "streetsafe", str(out / "streetsafe_demo.csv")]) == 0
    assert main(["validate", "--kind", "survey", str(out / "survey_demo.csv")]) == 0
    assert main(["validate", "--kind", "services", str(out / "services_demo.csv")]) == 0
    assert main(["validate", "--kind", "outreach", str(out / "outreach_demo.csv")]) == 0
    out_text = capsys.readouterr().out
    assert "OK: 300 StreetSafe reports valid in 1 file(s)." in out_text
    assert "OK: 200 survey responses valid in 1 file(s)." in out_text


def test_the_installed_command_runs_without_a_traceback(tmp_path: Path) -> None:
    command = shutil.which("safetymap") or str(Path(sys.executable).parent / "safetymap")
    path = tmp_path / "streetsafe.csv"
    path.write_text(BAD)
    done = subprocess.run([command, "validate", "--kind", "streetsafe", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert len(done.stdout.splitlines()) == 2


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo_data(folder, reports=4000, responses=1500, seed=3)
    return folder


def test_hotspots_command_writes_the_cells(
    demo_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cells.geojson"
    assert main(["hotspots", "--data", str(demo_folder), "--district", "Watford",
                 "--out", str(out)]) == 0
    cells = json.loads(out.read_text())
    assert cells["type"] == "FeatureCollection"
    props = [f["properties"] for f in cells["features"]]
    assert {"cell_id", "district_code", "reports", "gi_z", "gi_p", "hotspot"} <= set(props[0])
    assert {p["hotspot"] for p in props} <= {"hot_99", "hot_95", "hot_90", "none", "cold_90",
                                             "cold_95", "cold_99"}
    assert any(p["hotspot"] == "hot_99" for p in props)
    # every written cell holds a report or a class (empty, insignificant ones left out)
    assert all(p["reports"] > 0 or p["hotspot"] != "none" for p in props)
    # --data names a folder of demo exports: still labelled, and why.
    assert ("notice: SYNTHETIC DEMO DATA (the data holds the safety map's demo records, "
            "identifiers beginning DEMO-)." in capsys.readouterr().err)


def test_hotspots_command_csv_for_a_partner(demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hotspots", "--data", str(demo_folder), "--format", "csv", "--role",
                 "partner", "--district", "Watford", "--since", "2026-02-01", "--until",
                 "2026-02-28"]) == 0
    done = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert rows
    # Hot spot areas, not hexagons: no cell, no count, no statistic of a single hexagon.
    assert list(rows[0]) == ["area", "quarter", "reports", "area_km2", "latitude",
                             "longitude"]
    assert [r["area"] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert {r["reports"] for r in rows} == {"5 or more"}
    # February's quarter, over the whole county: --district does not narrow the test.
    assert {r["quarter"] for r in rows} == {"January to March 2026"}
    assert ("notice: partners get hot spot areas by calendar quarter, tested over the whole "
            "county: January to March 2026 (--district does not narrow it).") in done.err
    # Each area is at least one hexagon of about 0.7 km2 with its six neighbours.
    assert min(float(r["area_km2"]) for r in rows) >= 4.5
    # The size is not chosen from the data for partners, so it is not explained either.
    assert "chosen from the data" not in done.err


def test_partners_get_no_grid_of_every_hexagon(demo_folder: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hotspots", "--data", str(demo_folder), "--role", "partner",
                 "--all-cells"]) == 2
    assert "--all-cells: partners get the hot spots only" in capsys.readouterr().err


def test_hotspots_command_says_which_size_and_how_well_last_period_predicted(
    demo_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hotspots", "--data", str(demo_folder), "--district", "Watford",
                 "--since", "2026-08-01", "--until", "2026-10-31", "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert "notice: Hexagons about" in err
    assert "chosen from the data" in err
    assert ("notice: Last period's hot spots cover" in err
            or "notice: No comparison" in err or "had no hot spot in Watford" in err)


#: What makes a page fetch from another machine as it opens.
OFFSITE_FETCH = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//|@import\s",
    re.IGNORECASE,
)


def test_map_command_writes_a_page_that_needs_no_network(
    demo_folder: Path, tmp_path: Path, map_assets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "map.html"
    assert main(["map", "--data", str(demo_folder), "--district", "Watford", "--out",
                 str(out)]) == 0
    page = out.read_text()
    assert "Hot and cold spots (exact test, Gi* neighbourhoods)" in page
    assert "Leaflet loads inside the page." in capsys.readouterr().err
    # Nothing is fetched: no script, stylesheet, image or CSS url() names another machine
    # (a plain link, such as Leaflet's attribution, fetches nothing)...
    assert OFFSITE_FETCH.findall(page) == []
    assert "url(images/" not in page  # Leaflet's CSS images are data URIs
    # ...because Leaflet, its plugins and their CSS are inside the page, as installed.
    for asset in ("leaflet/leaflet.js", "leaflet/leaflet.css"):
        assert (map_assets / asset).read_text(encoding="utf-8")[:2000] in page
    assert "L.map(" in page


def test_map_command_without_assets_loads_them_from_the_cdn_and_says_so(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(standalone, "VENDOR_DIR", tmp_path / "no-assets")
    monkeypatch.setattr(standalone.standalone_html, "__kwdefaults__",
                        {"vendor_dir": tmp_path / "no-assets"})
    out = tmp_path / "map.html"
    assert main(["map", "--data", str(demo_folder), "--district", "Watford", "--out",
                 str(out)]) == 0
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@' in out.read_text()
    assert "Leaflet loads from the jsDelivr CDN (run `safetymap assets`)." in (
        capsys.readouterr().err)


def test_unknown_district_is_a_clear_error(demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hotspots", "--data", str(demo_folder), "--district", "Luton"]) == 2
    assert "--district 'Luton': expected a Hertfordshire district" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--district", "Luton"], "error: --district 'Luton': expected a Hertfordshire"),
        (["--since", "2026-13-01"], "expected a date YYYY-MM-DD, found '2026-13-01'"),
        (["--since", "2026-03-02", "--until", "2026-03-01"],
         "error: --since 2026-03-02 is after --until 2026-03-01."),
    ],
)
def test_every_usage_error_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    (tmp_path / "streetsafe.csv").write_text(GOOD)
    try:
        code = main(["hotspots", "--data", str(tmp_path), *argv])
    except SystemExit as stopped:  # argparse's own usage errors
        code = int(str(stopped.code))
    assert code == 2
    assert says in capsys.readouterr().err


def test_hotspots_for_a_district_say_whether_edge_hexagons_are_written(
    demo_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hotspots", "--data", str(demo_folder), "--district", "Watford",
                 "--format", "csv"]) == 0
    done = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert {row["district_code"] for row in rows} == {"E07000103"}
    assert ("notice: Every hexagon written has its centre in Watford: hexagons on its edge "
            "whose centre is in a neighbouring district are left out.") in done.err


def test_the_edge_note_counts_hexagons_centred_next_door() -> None:
    table = pd.DataFrame({"district_code": ["E07000103", "E07000102", "E07000098"]})
    assert _edge_note(table, ("E07000103",)).startswith(
        "2 of the 3 hexagons written straddle the edge of Watford and have their centre "
        "in a neighbouring district"
    )


def test_map_page_has_a_title_and_the_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "streetsafe.csv").write_text(
        "report_id,submitted_at,latitude,longitude\n"
        f"V1,2026-03-01 10:00,{WATFORD}\nV2,2026-03-03 11:00,{WATFORD}\n"
    )
    out = tmp_path / "map.html"
    assert main(["map", "--data", str(tmp_path), "--district", "Watford",
                 "--out", str(out)]) == 0
    page = out.read_text()
    title = "Hot spots of StreetSafe reports: Watford, 1 Mar 2026 to 3 Mar 2026"
    assert f"<title>{title}</title>" in page
    assert f"{title}</div>" in page
    assert main(["map", "--data", str(tmp_path), "--since", "2026-02-01", "--until",
                 "2026-03-31", "--out", str(out)]) == 0
    assert ("<title>Hot spots of StreetSafe reports: Hertfordshire, 1 Feb 2026 to "
            "31 Mar 2026</title>") in out.read_text()


def test_the_built_in_demo_is_labelled_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SAFETYMAP_DATA", "SAFETYMAP_STORE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAFETYMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SAFETYMAP_DEMO_REPORTS", "500")
    monkeypatch.setenv("SAFETYMAP_DEMO_RESPONSES", "300")
    assert main(["survey", "--out", str(tmp_path / "survey.csv")]) == 0
    assert ("notice: SYNTHETIC DEMO DATA (no --data, no SAFETYMAP_DATA and no "
            "SAFETYMAP_STORE)." in capsys.readouterr().err)
