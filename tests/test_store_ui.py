"""The store from the outside: ``safetymap ingest``, the settings, and the dashboard on a store.

These use GeoPackage stores (the PostGIS behaviour is in test_store.py) and a PostgreSQL
URL on a closed port for the database that is down.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest
from harness import free_port
from streamlit.testing.v1 import AppTest

from loaders.store import open_store
from safetymap.analysis.filters import Filters
from safetymap.cli import main
from safetymap.datasource import StoreReports, StoreSource, report_counts, source_from_settings
from safetymap.demo import write_demo_data
from safetymap.settings import SettingsError, load_settings
from safetymap.ui.app import load_data
from safetymap.ui.state import Keys
from safetymap.ui.text import escape_markdown

ROOT = Path(__file__).resolve().parents[1]
WATFORD = "51.65531,-0.39602"
HEMEL = "51.75368,-0.44975"
STREETSAFE = (
    "report_id,submitted_at,latitude,longitude,occurred_at\n"
    f"W1,2026-03-01 10:00,{WATFORD},2026-03-01 21:00\n"
    f"W2,2026-03-02 10:00,{WATFORD},2026-03-01 23:00\n"
    f"W3,2026-03-03 10:00,{WATFORD},\n"
    f"D1,2026-03-01 10:00,{HEMEL},\n"
    f"D2,2026-03-01 10:00,{HEMEL},\n"
)
SERVICES = (
    "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,phone\n"
    "H1,Test helpline,helpline,,,,county,24/7,0800 000\n"
    "R1,Test refuge,refuge,51.812345,-0.212345,true,county,24/7,\n"
)
SURVEY = (
    "response_id,completed_at,district,safe_day,safe_after_dark,weight,age_band,sex\n"
    "S1,2026-03-02,Watford,Very safe,Very unsafe,1,18-24,Female\n"
    "S2,2026-03-02,Watford,Fairly safe,Fairly unsafe,1,25-34,Male\n"
    "S5,2026-03-02,Dacorum,5,4,1,65+,Female\n"
)


@pytest.fixture
def exports(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "exports"
    folder.mkdir()
    files = {"streetsafe": STREETSAFE, "survey": SURVEY, "services": SERVICES}
    paths = {kind: folder / f"{kind}_test.csv" for kind in files}
    for kind, text in files.items():
        paths[kind].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture
def store_path(tmp_path: Path, exports: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give a GeoPackage store holding the test exports, named by SAFETYMAP_STORE."""
    path = tmp_path / "store.gpkg"
    store = open_store(path)
    for kind, file in exports.items():
        store.ingest(kind, [file])
    monkeypatch.setenv("SAFETYMAP_STORE", str(path))
    monkeypatch.delenv("SAFETYMAP_DATA", raising=False)
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    return path


# ============================================================================ command line
def test_ingest_prints_each_file_and_a_total(
    tmp_path: Path, exports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.gpkg"
    assert main(["ingest", "--kind", "streetsafe", str(exports["streetsafe"]),
                 "--store", str(store)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "streetsafe_test.csv: added 5, already present 0, refused 0 (quarantined)",
        f"total: added 5, already present 0, refused 0 (quarantined) StreetSafe reports in 1 "
        f"file(s), into GeoPackage store {store}",
    ]
    assert main(["ingest", "--kind", "streetsafe", str(exports["streetsafe"]),
                 "--store", str(store)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith(
        "streetsafe_test.csv: added 0, already present 5, refused 0 (the same file was "
        "ingested on "
    )


def test_ingest_exits_1_when_rows_are_refused_and_still_adds_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store.gpkg"
    monkeypatch.setenv("SAFETYMAP_STORE", str(store))
    path = tmp_path / "streetsafe_bad.csv"
    path.write_text("report_id,submitted_at,latitude,longitude\n"
                    f"V1,2026-03-01 10:00,{WATFORD}\nV2,yesterday,{WATFORD}\n")
    assert main(["ingest", "--kind", "streetsafe", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == (
        "streetsafe_bad.csv: added 1, already present 0, refused 1 (quarantined)"
    )
    assert captured.err.splitlines() == [
        "refused: streetsafe_bad.csv, row 3, field submitted_at: expected a date and time "
        '(ISO 8601 such as 2026-03-14T21:30, or DD/MM/YYYY HH:MM), found "yesterday"',
        "1 refused row(s) or file(s) are in the store's quarantine; the valid rows were added.",
    ]
    assert open_store(store).summary().records["streetsafe"] == 1


def test_ingest_without_a_store_is_a_usage_error(
    exports: dict[str, Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SAFETYMAP_STORE", raising=False)
    assert main(["ingest", "--kind", "survey", str(exports["survey"])]) == 2
    assert capsys.readouterr().err == (
        "safetymap ingest: no store named: give --store PATH.gpkg|postgresql://URL or set "
        "SAFETYMAP_STORE.\n"
    )


def test_ingest_draws_a_progress_bar_when_asked(
    tmp_path: Path, exports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--kind", "streetsafe", str(exports["streetsafe"]),
                 "--store", str(tmp_path / "s.gpkg"), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "\rwriting [##############################] 5/5 rows written: " in err
    assert err.endswith("\n")


def test_a_database_that_is_down_fails_the_command_clearly(
    exports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    url = f"postgresql://analyst:hunter2secret@127.0.0.1:{port}/safetymap"
    assert main(["ingest", "--kind", "survey", str(exports["survey"]), "--store", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"safetymap: The PostGIS store postgresql://analyst@127.0.0.1:{port}/"
                          "safetymap cannot be reached (")
    assert "hunter2secret" not in err


# ============================================================================ settings
def test_the_store_setting_takes_a_gpkg_path_or_a_url() -> None:
    assert load_settings({"SAFETYMAP_STORE": "/srv/store.gpkg"}).store == "/srv/store.gpkg"
    url = "postgresql://u:secret@db:5432/s"
    assert load_settings({"SAFETYMAP_STORE": url}).store == url
    assert load_settings({}).store is None
    with pytest.raises(SettingsError, match=r"must be a path to a \.gpkg file or a postgresql"):
        load_settings({"SAFETYMAP_STORE": "/srv/exports"})


def test_the_dashboard_source_follows_the_store_revision(
    store_path: Path, exports: dict[str, Path], tmp_path: Path
) -> None:
    settings = load_settings({"SAFETYMAP_STORE": str(store_path),
                              "SAFETYMAP_DATA": str(tmp_path)})
    source = source_from_settings(settings)
    assert isinstance(source, StoreSource)
    assert source.revision == 3
    dataset = source.load()
    assert dataset.notices == [
        f"SAFETYMAP_DATA ({tmp_path}) is not read while SAFETYMAP_STORE is set; add its "
        "files to the store with `safetymap ingest`.",
        # outreach points are optional: a store without them says so, as a folder does
        "No outreach points in the store yet: add them with `safetymap ingest --kind "
        "outreach FILE` or on the upload page.",
    ]
    # The reports stay in the store and are counted there, not loaded.
    assert dataset.reports_in_store
    assert len(dataset.streetsafe.frame) == 0
    assert len(dataset.survey.frame) > 0
    reports = report_counts(source, dataset)
    assert isinstance(reports, StoreReports)
    assert int(reports.count(Filters())["reports"].iloc[0]) == 5
    open_store(store_path).ingest("streetsafe", [exports["streetsafe"]])
    assert source_from_settings(settings) != source  # another cache key: pages reload


# ============================================================================ dashboard
def navigation_pages() -> list[str]:
    """Return the pages ``dashboard.py`` puts in its navigation."""
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    return re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', text)


def run_dashboard(page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page in ("pages/analyst.py", "pages/upload.py"):
        app.run()  # AppTest finds a page with its own url_path only once it has run
    if page is not None:
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_county_map_reads_the_store(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run_dashboard()
    assert app.markdown[0].value.startswith("**5** StreetSafe reports in the selection")
    table = app.dataframe[0].value.set_index("District")
    assert table.at["Watford", "Reports"] == 3
    assert table.at["Dacorum", "Reports"] == 2
    assert any(c.value.startswith(f"Data: the GeoPackage store {escape_markdown(store_path)}")
               for c in app.caption)


@pytest.mark.parametrize("page", navigation_pages())
def test_every_page_runs_on_the_store(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run_dashboard(page)
    everything = " ".join(str(df.value.to_numpy().tolist()) for df in app.dataframe)
    assert "51.81" not in everything  # the refuge has no location in the store either


def test_a_database_that_is_down_is_a_message_and_the_app_stays_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    monkeypatch.setenv("SAFETYMAP_STORE",
                       f"postgresql://analyst:hunter2secret@127.0.0.1:{port}/safetymap")
    app = run_dashboard()
    assert len(app.error) == 1
    message = app.error[0].value
    assert message.startswith(escape_markdown(
        f"The PostGIS store postgresql://analyst@127.0.0.1:{port}/safetymap cannot be reached ("
    ))
    assert "hunter2secret" not in message


# ============================================================================ upload page
UPLOAD_HARNESS = f"""
import streamlit as st
from safetymap.ui import app
app.start()
st.navigation([st.Page({str(ROOT / "pages" / "upload.py")!r}, title="Upload")]).run()
"""


def run_upload() -> AppTest:
    app = AppTest.from_string(UPLOAD_HARNESS, default_timeout=60)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_an_analyst_checks_then_adds_an_upload(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run_upload()
    assert app.title[0].value == "Add exports to the store"
    upload = ("streetsafe_week2.csv",
              (STREETSAFE + f"N1,2026-03-04 10:00,{HEMEL},\nBAD,someday,{HEMEL},\n").encode(),
              "text/csv")
    app.file_uploader(key="upload.file").set_value(upload).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.markdown[0].value == (
        "**6** of 7 rows are valid StreetSafe reports; **1** would be refused."
    )
    problems = app.dataframe[0].value
    assert problems["Row"].tolist() == [8]
    assert problems["Field"].tolist() == ["submitted_at"]
    assert not open_store(store_path).load().streetsafe.frame["report_id"].eq("N1").any()

    cleared = []
    monkeypatch.setattr(load_data, "clear", lambda: cleared.append(True))
    app.button(key="upload.add").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.warning[0].value == escape_markdown(
        "streetsafe_week2.csv: added 1, already present 5, refused 1 (quarantined)"
    )
    assert cleared == [True]
    frame = open_store(store_path).load().streetsafe.frame
    assert frame["report_id"].tolist() == ["W1", "W2", "W3", "D1", "D2", "N1"]


@pytest.mark.parametrize("role", ["police", "partner"])
def test_only_analysts_may_upload(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", role)
    app = run_upload()
    assert app.info[0].value.startswith("Only analysts add exports to the store.")
    assert len(app.file_uploader) == 0


def test_the_upload_page_explains_how_to_configure_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "streetsafe_a.csv").write_text(STREETSAFE)
    monkeypatch.delenv("SAFETYMAP_STORE", raising=False)
    monkeypatch.setenv("SAFETYMAP_DATA", str(data))
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run_upload()
    assert app.info[0].value.startswith("No store is configured")
    assert "SAFETYMAP_STORE" in app.info[0].value


# ============================================================================ store = folder
@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Give 3,000 demo reports as a folder of exports."""
    folder = tmp_path_factory.mktemp("same") / "exports"
    write_demo_data(folder, reports=3_000, responses=600, seed=11)
    return folder


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def demo_exports(
    request: pytest.FixtureRequest, demo_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """Give the demo folder, and a store of each kind holding its files."""
    if request.param == "gpkg":
        url = str(tmp_path_factory.mktemp("gpkg") / "store.gpkg")
    else:
        url = request.getfixturevalue("postgres").new_database()
    store = open_store(url)
    for kind in ("streetsafe", "survey", "services", "outreach"):
        store.ingest(kind, sorted(demo_folder.glob(f"{kind}*")))
    return demo_folder, url


def page_tables(page: str, monkeypatch: pytest.MonkeyPatch, **settings: str) -> list[object]:
    for name in ("SAFETYMAP_STORE", "SAFETYMAP_DATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    app.switch_page(page)
    # Mid-March 2026 to mid-June: a period with a previous period to compare with.
    app.query_params.update({"from": "2026-03-15", "to": "2026-06-14"})
    # "What is open near here" starts at the clock's minute: fix it, so that two runs agree.
    app.session_state[Keys.OPEN_DAY] = date(2026, 6, 8)
    app.session_state[Keys.OPEN_TIME] = time(10, 0)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    # The problem-solving log lives in a store only: its section on the Board overview is
    # the one thing a folder of exports cannot have.
    log_tables = ({"Agency", "Opened", "Completed"}, {"Place", "District", "Reports"})
    log_words = ("No action was opened", "Every listed place has an action",
                 "Actions opened ", "**Opened and completed, by agency**",
                 "**Places with the most reports and no action yet**")
    return [frame.value.to_numpy().tolist() for frame in [*app.dataframe, *app.table]
            if set(frame.value.columns) not in log_tables] + [
        metric.value for metric in app.metric
    ] + [text.value for text in app.markdown if not text.value.startswith(("<style>",
                                                                            *log_words))] + [
        text.value for text in app.caption
        if not text.value.startswith(("Data:", *log_words))
    ]


@pytest.mark.parametrize("page", ["pages/county_map.py", "pages/hotspots.py",
                                  "pages/board_overview.py", "pages/coverage_gaps.py",
                                  "pages/feelings_of_safety.py"])
def test_a_page_shows_the_same_figures_from_the_store_as_from_the_exports(
    demo_exports: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """The store counts in SQL; the folder counts in pandas: every table must agree."""
    folder, store = demo_exports
    from_store = page_tables(page, monkeypatch, SAFETYMAP_STORE=str(store))
    from_folder = page_tables(page, monkeypatch, SAFETYMAP_DATA=str(folder))
    assert len(from_store) >= 2
    assert from_store == from_folder


def test_demo_records_are_labelled_synthetic_in_a_store_or_a_folder(
    demo_exports: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Demo exports added to a store or named as a folder still say they are synthetic.

    But only the built-in demo offers the role switcher: a store or folder may hold real
    records beside the demo ones, so its role is the setting's.
    """
    folder, store = demo_exports
    for name, value in (("SAFETYMAP_STORE", store), ("SAFETYMAP_DATA", str(folder))):
        for other in ("SAFETYMAP_STORE", "SAFETYMAP_DATA"):
            monkeypatch.delenv(other, raising=False)
        monkeypatch.setenv(name, value)
        monkeypatch.setenv("SAFETYMAP_ROLE", "partner")
        app = run_dashboard()
        banner = app.info[0].value
        assert banner.startswith("**Synthetic demo data.**"), name
        assert escape_markdown("synthetic demo records (identifiers beginning DEMO-)") in banner
        assert not [radio for radio in app.radio if radio.label.startswith("View as")]
        # Partners see counts, never points: the setting's role holds.
        assert app.markdown[0].value.startswith("**3,000** StreetSafe reports")


def test_a_store_without_demo_records_is_not_labelled_synthetic(store_path: Path) -> None:
    dataset = open_store(store_path).load(reports=False)
    assert not dataset.synthetic
    assert "DEMO-" not in dataset.origin
