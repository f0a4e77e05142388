"""Each page through Streamlit's AppTest: no exception, and figures that match the data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from safetymap.analysis.hotspots import TOO_FEW_MESSAGE
from safetymap.ui.text import escape_markdown

ROOT = Path(__file__).resolve().parents[1]
WATFORD = "51.65531,-0.39602"
HEMEL = "51.75368,-0.44975"
#: Pages registered with a url_path of their own in dashboard.py (/records, /add-data).
RENAMED_PAGES = ("pages/analyst.py", "pages/upload.py")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "streetsafe_test.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at\n"
        f"W1,2026-03-01 10:00,{WATFORD},2026-03-01 21:00\n"
        f"W2,2026-03-02 10:00,{WATFORD},2026-03-01 23:00\n"
        f"W3,2026-03-03 10:00,{WATFORD},\n"
        f"D1,2026-03-01 10:00,{HEMEL},\n"
        f"D2,2026-03-01 10:00,{HEMEL},\n"
        "BAD,not a date,51.7,-0.3,\n"
    )
    (folder / "services_test.csv").write_text(
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,phone\n"
        "H1,Test helpline,helpline,,,,county,24/7,0800 000\n"
        "R1,Test refuge,refuge,51.812345,-0.212345,true,county,24/7,\n"
    )
    (folder / "survey_test.csv").write_text(
        "response_id,completed_at,district,safe_day,safe_after_dark,weight,age_band,sex\n"
        "S1,2026-03-02,Watford,Very safe,Very unsafe,1,18-24,Female\n"
        "S2,2026-03-02,Watford,Fairly safe,Fairly unsafe,1,25-34,Male\n"
        "S3,2026-03-02,Watford,Fairly unsafe,Fairly safe,2,25-34,Female\n"
        "S4,2026-03-02,Watford,Very safe,Don't know,1,65+,Male\n"
        "S5,2026-03-02,Dacorum,5,4,1,65+,Female\n"
    )
    monkeypatch.setenv("SAFETYMAP_DATA", str(folder))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    return folder


def run(
    page: str | None = None,
    query: dict[str, str] | None = None,
    state: dict[str, object] | None = None,
) -> AppTest:
    """Run the dashboard once on ``page``, as a browser opening a link would."""
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    for key, value in (state or {}).items():
        app.session_state[key] = value
    if page in RENAMED_PAGES:
        app.run()  # AppTest finds a page with its own url_path only once it has run
    if page is not None:
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_county_map_counts_every_district(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run()
    headline = app.markdown[0].value
    # 5 valid reports over 1,199,800 residents = 0.0042 per 1,000
    assert headline.startswith("**5** StreetSafe reports in the selection: **0.00**")
    table = app.dataframe[0].value.set_index("District")
    assert table.at["Watford", "Reports"] == 3
    assert table.at["Dacorum", "Reports"] == 2
    assert table.at["Stevenage", "Reports"] == 0
    # 3 / 102,300 residents × 1,000 = 0.0293 → 0.03
    assert table.at["Watford", "Per 1,000 residents"] == pytest.approx(0.03)
    services = app.dataframe[1].value
    assert services["Service"].tolist() == ["Test helpline", "Test refuge"]
    assert not any("51.81" in str(v) for v in services.to_numpy().ravel())
    assert not app.info  # real data: no synthetic banner


def test_county_map_suppresses_small_counts_for_partners(data_dir: Path) -> None:
    app = run()  # real data without sign-in: the partner role
    assert app.markdown[0].value.startswith("**5** StreetSafe reports")
    table = app.dataframe[0].value.set_index("District")
    # Watford 3 and Dacorum 2 are both under 5: each shows "<5", rate hidden alike
    assert table.at["Watford", "Reports"] == "<5"
    assert table.at["Watford", "Per 1,000 residents"] == "<5"
    assert table.at["Dacorum", "Reports"] == "<5"
    assert table.at["Stevenage", "Reports"] == "0"


def test_a_partner_never_sees_a_rate_that_gives_a_small_count_away(data_dir: Path) -> None:
    app = run(query={"district": "E07000103", "time": "night"})  # 1 report
    assert app.markdown[0].value == (
        "**<5** StreetSafe reports in the selection, across 1 district."
    )


def test_county_map_follows_the_link(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run(query={"district": "E07000103", "time": "night"})
    # Watford reports at night: W2 (23:00) only
    assert app.markdown[0].value.startswith("**1** StreetSafe reports in the selection")
    assert app.multiselect[0].value == ["E07000103"]
    assert app.query_params["district"] == ["E07000103"] or app.query_params["district"] == "E07000103"


def test_data_page_lists_what_was_refused(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run("pages/data_sources.py")
    assert app.title[0].value == "Data and sources"
    loaded = app.dataframe[0].value.set_index("File")
    assert loaded.at["streetsafe_test.csv", "Loaded"] == 5
    assert loaded.at["streetsafe_test.csv", "Refused"] == 1
    refused = app.dataframe[1].value
    assert refused["Row"].tolist() == ["7"]
    assert refused["Field"].tolist() == ["submitted_at"]
    assert "**Refused rows and files: 1**" in [m.value for m in app.markdown]


@pytest.mark.parametrize("page", [None, "pages/data_sources.py"])
def test_every_page_says_when_data_is_synthetic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str | None
) -> None:
    monkeypatch.delenv("SAFETYMAP_DATA", raising=False)
    monkeypatch.setenv("SAFETYMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SAFETYMAP_DEMO_REPORTS", "400")
    monkeypatch.setenv("SAFETYMAP_DEMO_RESPONSES", "300")
    app = run(page)
    assert "Synthetic demo data" in app.info[0].value


def test_a_bad_setting_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "sometimes")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not app.exception
    assert escape_markdown(
        "SAFETYMAP_MAP_ASSETS='sometimes': must be one of auto, local, cdn"
    ) in app.error[0].value


def test_feelings_of_safety_for_an_analyst(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run("pages/feelings_of_safety.py")
    metrics = {m.label: m.value for m in app.metric}
    # after dark, valid answers: S1 (1) w1, S2 (2) w1, S3 (4) w2, S5 (4) w1; S4 don't know.
    # unsafe = (1 + 1) / (1 + 1 + 2 + 1) = 40.0%; by day unsafe: S3 only, 2 / 6 = 33.3%
    assert metrics == {"Unsafe after dark": "40.0%", "Unsafe by day": "33.3%", "Responses": "5"}
    table = app.dataframe[0].value.set_index("District")
    # Watford after dark: (1 + 1) / (1 + 1 + 2) = 50.0%
    assert table.at["Watford", "Unsafe after dark"].startswith("50.0% (95% CI ")
    assert table.at["Watford", "Answers after dark"] == "3"
    assert "Who feels unsafe (analysts only)" in [s.value for s in app.subheader]


def test_feelings_of_safety_hides_small_bases_from_partners(data_dir: Path) -> None:
    app = run("pages/feelings_of_safety.py")  # real data, no sign-in: the partner role
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Unsafe after dark"] == "Hidden"
    table = app.dataframe[0].value.set_index("District")
    assert table.at["Watford", "Unsafe after dark"] == "Hidden: fewer than 50 answers"
    assert table.at["Watford", "Answers after dark"] == "<5"
    assert "Who feels unsafe (analysts only)" not in [s.value for s in app.subheader]


def test_coverage_page_ranks_districts_and_hides_the_refuge(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run("pages/coverage_gaps.py", query={"district": "E07000103"})
    ranking = app.table[0].value  # a static table: the reasons wrap, not cut off
    assert len(ranking) == 10
    assert ranking["Rank"].tolist() == [str(n) for n in range(1, 11)]
    detail = app.dataframe[0].value.set_index("Category")
    # the test services: a county-wide 24/7 helpline and a confidential refuge
    assert detail.at["Domestic abuse helpline", "Serves the district"] == "yes"
    assert detail.at["Domestic abuse helpline", "Hours open a week"] == 168.0
    assert detail.at["Outreach", "Serves the district"] == "NO"
    everything = " ".join(str(df.value.to_numpy().tolist())
                          for df in [*app.dataframe, *app.table])
    assert "51.81" not in everything
    assert "-0.21" not in everything


def test_coverage_page_counts_reports_on_bank_holidays_when_all_was_shut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "holidays"
    folder.mkdir()
    # Period 24-28 December 2026: Christmas Day (Friday 25th) and Boxing Day's substitute
    # (Monday 28th) are bank holidays; Thursday 24th and Saturday 26th are not.
    (folder / "streetsafe_test.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at\n"
        f"W1,2026-12-29 10:00,{WATFORD},2026-12-24 12:00\n"
        f"W2,2026-12-29 10:00,{WATFORD},2026-12-25 12:00\n"
        f"W3,2026-12-29 10:00,{WATFORD},2026-12-25 20:00\n"
        f"W4,2026-12-29 10:00,{WATFORD},2026-12-26 12:00\n"
        f"W5,2026-12-29 10:00,{WATFORD},2026-12-28 11:00\n"
        f"D1,2026-12-29 10:00,{HEMEL},2026-12-28 15:00\n"
    )
    (folder / "services_test.csv").write_text(
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,phone\n"
        "H1,Test helpline,helpline,,,,county,24/7,0800 000\n"
        'V1,Test hub,victim_hub,,,,county,"Mo-Fr 09:00-17:00; PH off",\n'
        "O1,Holiday drop-in,outreach,,,,Watford,PH 10:00-14:00,\n"
    )
    monkeypatch.setenv("SAFETYMAP_DATA", str(folder))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run("pages/coverage_gaps.py")  # every district selected
    assert ("England and Wales bank holidays in the selected period: Fri 25 Dec 2026, "
            "Mon 28 Dec 2026.") in [m.value for m in app.markdown]
    table = next(df.value for df in app.dataframe
                 if "Reports on bank holidays" in df.value).set_index("District")
    # Watford: W2, W3 and W5 fall on bank holidays; the hub is shut (PH off) and the
    # drop-in opens 10:00-14:00 on them only, so W3 (Christmas 20:00) found nothing open.
    # The 24/7 helpline is a telephone line, not a local service.
    assert table.at["Watford", "Reports on bank holidays"] == "3"
    assert table.at["Watford", "Of those, when no local service was open"] == "1"
    assert table.at["Dacorum", "Reports on bank holidays"] == "1"
    assert table.at["Dacorum", "Of those, when no local service was open"] == "1"
    assert table.at["Stevenage", "Reports on bank holidays"] == "0"
    monkeypatch.setenv("SAFETYMAP_ROLE", "partner")
    app = run("pages/coverage_gaps.py")  # every district selected
    table = next(df.value for df in app.dataframe
                 if "Reports on bank holidays" in df.value).set_index("District")
    assert table.at["Watford", "Reports on bank holidays"] == "<5"
    assert table.at["Watford", "Of those, when no local service was open"] == "<5"
    assert table.at["Stevenage", "Reports on bank holidays"] == "0"


def test_hotspots_page_says_when_the_test_is_unreliable(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "police")
    # Watford holds 3 of the 5 reports: fewer than 5, so no test is made, and it says so.
    app = run("pages/hotspots.py", query={"district": "E07000103"})
    assert [w.value for w in app.warning] == [TOO_FEW_MESSAGE]
    captions = [c.value for c in app.caption]
    assert "3 reports in the selection; 1 hexagon holds them. Individual reports are drawn as dots (a small selection)." in captions
    # The county holds 5 in two places far apart: tested, no warning, and no hot spot (3
    # and 2 reports around any hexagon: under the floor of 5). The size is explained.
    app = run("pages/hotspots.py")
    assert not app.warning
    assert any(c.startswith("Hexagons about 920 m across, chosen from the data")
               for c in [c.value for c in app.caption])
    # the places are still listed: Watford's 3 reports, then Hemel Hempstead's 2
    places = app.table[0].value
    assert places["Reports"].tolist() == ["3", "2"]
    assert places["Place"].tolist() == ["Watford, centre", "Hemel Hempstead, centre"]
    assert places["Last 12 months"].tolist() == ["Repeat location: reports in 2 separate weeks",
                                                 "New"]
    assert any("This is a list of the busiest places, not a significance test" in c.value
               for c in app.caption)
    assert any(c.value.startswith("5 reports in the selection; 2 hexagons hold") for c in app.caption)


def test_hotspots_page_lists_top_places_on_demo_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAFETYMAP_DATA", raising=False)
    monkeypatch.setenv("SAFETYMAP_CACHE_DIR", str(tmp_path / "cache"))
    # The default demo: a real county year (1,000 reports), what a sergeant opens.
    for name in ("SAFETYMAP_DEMO_REPORTS", "SAFETYMAP_DEMO_RESPONSES", "SAFETYMAP_DEMO_SEED"):
        monkeypatch.delenv(name, raising=False)
    app = run("pages/hotspots.py", query={"district": "E07000103"},
              state={"demo.role": "police"})
    app.button(key="filters.quick.7").click().run()
    assert not app.exception, [e.value for e in app.exception]
    places = app.table[0].value
    assert list(places.columns) == ["Rank", "Place", "District", "Reports", "Main reasons",
                                    "Peak day", "Peak time", "Last 12 months", "Latitude",
                                    "Longitude"]
    assert len(places) >= 1  # a sergeant's week in Watford is never empty
    assert places["Rank"].tolist() == [str(n) for n in range(1, len(places) + 1)]
    assert places["Place"].is_unique
    assert (places["District"] == "Watford").all()
    assert any(c.value.startswith("Places are ranked by reports in the period")
               for c in app.caption)
    when = app.dataframe[0].value
    assert when.shape == (7, 24)
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Download briefing (PDF)", "Download briefing (HTML)"]


def with_reasons(folder: Path) -> None:
    """Give the five test reports reasons: poor lighting 3, followed 2, isolated 1."""
    (folder / "streetsafe_test.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at,environment,behaviour\n"
        f"W1,2026-03-01 10:00,{WATFORD},2026-03-01 21:00,poor_lighting,followed\n"
        f"W2,2026-03-02 10:00,{WATFORD},2026-03-01 23:00,poor_lighting,\n"
        f"W3,2026-03-03 10:00,{WATFORD},,,followed\n"
        f"D1,2026-03-01 10:00,{HEMEL},,poor_lighting;isolated,\n"
        f"D2,2026-03-01 10:00,{HEMEL},,,\n"
    )


def test_board_overview_headline_figures(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    with_reasons(data_dir)
    app = run("pages/board_overview.py")
    metrics = {m.label: m.value for m in app.metric}
    # 5 valid reports; 5 / 1,199,800 residents x 1,000 = 0.0042 per 1,000
    assert metrics["StreetSafe reports"] == "5"
    assert metrics["Unsafe after dark"] == "40.0%"
    # Each report counts once per reason, shares of the 5 reports: 3/5, 2/5, 1/5.
    reasons = app.dataframe[-1].value
    assert reasons.to_dict("list") == {
        "Reason": ["Poor lighting", "Followed", "Empty or isolated"],
        "Reports": ["3", "2", "1"],
        "Share of reports": ["60.0%", "40.0%", "20.0%"],
    }


def test_board_overview_presentation_mode_puts_the_reasons_on_the_first_screen(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    (data_dir / "streetsafe_test.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at,environment,behaviour\n"
        + "".join(f"R{i},2026-03-01 10:00,{WATFORD},,{reason},\n"
                  for i, reason in enumerate(
                      ["poor_lighting"] * 7 + ["isolated"] * 6 + ["no_cctv"] * 5
                      + ["rundown"] * 4 + ["poor_layout"] * 3 + ["drugs_alcohol"] * 2
                      + ["restricted_visibility"])))
    app = run("pages/board_overview.py", query={"present": "1"})
    assert app.toggle[0].value is True
    # Seven reasons given, the six given most in a large static table beside the charts,
    # and a word on where the seventh is.
    reasons = app.table[0].value
    assert reasons["Reason"].tolist() == ["Poor lighting", "Empty or isolated", "No CCTV",
                                          "Run down (graffiti, fly-tipping)", "Poor layout",
                                          "Drugs or alcohol"]
    assert reasons["Reports"].tolist() == ["7", "6", "5", "4", "3", "2"]
    assert ("The 6 reasons given most; every reason is in the board pack and out of "
            "presentation mode.") in [c.value for c in app.caption]
    # Out of presentation mode: every reason, in the interactive table.
    app = run("pages/board_overview.py")
    assert len(app.dataframe[-1].value) == 7
    assert not app.table


def test_board_overview_for_a_partner(data_dir: Path) -> None:
    with_reasons(data_dir)
    app = run("pages/board_overview.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["StreetSafe reports"] == "5"
    # a survey base of 5 is under 50: hidden from partners
    assert metrics["Unsafe after dark"] == "Hidden"
    # Every reason count is 1 to 4: "<5", and its share would give it back, so hidden too.
    reasons = app.dataframe[-1].value
    assert set(reasons["Reports"]) == {"<5"}
    assert "%" not in " ".join(reasons["Share of reports"].astype(str))


def test_hotspots_page_offers_a_briefing_for_one_district(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "police")
    app = run("pages/hotspots.py", query={"district": "E07000103"})
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Download briefing (PDF)", "Download briefing (HTML)"]


@pytest.mark.parametrize(
    ("role", "buttons", "columns_absent"),
    [
        ("analyst", 6, []),
        ("police", 6, ["Age group", "Sex", "Comment"]),
        ("partner", 0, []),
    ],
)
def test_records_page_by_role(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, role: str, buttons: int,
    columns_absent: list[str],
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", role)
    app = run("pages/analyst.py")
    assert len(app.get("download_button")) == buttons  # CSV, XLSX, GeoJSON per tab
    if role == "partner":
        assert app.info[0].value.startswith("Partners see aggregates only")
        return
    reports = app.dataframe[0].value.set_index("Report reference")
    assert sorted(reports.index) == ["D1", "D2", "W1", "W2", "W3"]
    # shown in words: W1 felt unsafe at 21:00, W3 gave no time
    assert reports.at["W1", "Time of day"] == "Evening (18:00-22:00)"
    assert reports.at["W3", "Time of day"] == "Time not given"
    assert reports.at["W1", "District"] == "Watford"
    assert not any("_" in column for column in reports.columns)
    survey = app.dataframe[1].value.set_index("Response reference")
    assert survey.at["S1", "Feels by day"] == "Very safe"
    assert survey.at["S4", "Feels after dark"] == "Don't know or not answered"
    for column in columns_absent:
        assert column not in reports.columns
        assert column not in survey.columns
    if role == "analyst":
        assert "Comment" in survey.columns


@pytest.mark.parametrize(("role", "offered"), [("analyst", True), ("police", False),
                                               ("partner", False)])
def test_add_data_is_in_the_analysts_navigation_only(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, role: str, offered: bool
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", role)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    if not offered:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page("pages/upload.py")
        app.switch_page("pages/analyst.py")  # the other pages are there
        return
    app.switch_page("pages/upload.py").run()
    assert not app.exception
    assert app.title[0].value == "Add exports to the store"


def test_a_pick_on_the_when_chart_narrows_the_hotspot_map(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "police")
    # W1 happened on Sunday 1 March 2026 at 21:00 (GMT); W2 at 23:00 the same day
    pick = {"selection": {"slot": [{"Day": "Sunday", "Hour": 21}]}}
    app = run("pages/hotspots.py", state={"hotspots.when_chart": pick})
    assert app.selectbox(key="hotspots.day").value == "Sunday"
    assert app.selectbox(key="hotspots.hour").value == 21
    assert any(c.value.startswith("1 report in the selection, Sundays 21:00-21:59")
               for c in app.caption)


def test_quick_periods_end_on_the_latest_report(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_ROLE", "analyst")
    app = run()
    # The latest report is W3, submitted (no incident time) on 3 March 2026.
    assert app.date_input(key="filters.dates").value == (date(2026, 3, 1), date(2026, 3, 3))
    app.button(key="filters.quick.7").click().run()
    assert not app.exception, [e.value for e in app.exception]
    # 7 days ending on 3 March: 25 February to 3 March, not cut at the first report.
    assert app.session_state["filters.dates"] == (date(2026, 2, 25), date(2026, 3, 3))
    assert app.query_params["from"] in ("2026-02-25", ["2026-02-25"])
    assert app.query_params["to"] in ("2026-03-03", ["2026-03-03"])
    app.button(key="filters.quick.all").click().run()
    assert app.session_state["filters.dates"] == (date(2026, 3, 1), date(2026, 3, 3))


def test_a_partner_sees_no_share_that_gives_a_hidden_reason_count_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reasons"
    folder.mkdir()
    rows = [f"R{i},2026-03-0{1 + i} 10:00,{WATFORD},{'isolated' if i < 4 else 'poor_lighting'}"
            for i in range(6)]
    (folder / "streetsafe_reasons.csv").write_text(
        "report_id,submitted_at,latitude,longitude,environment\n" + "\n".join(rows) + "\n")
    monkeypatch.setenv("SAFETYMAP_DATA", str(folder))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    app = run("pages/board_overview.py")  # real data without sign-in: the partner role
    reasons = app.dataframe[-1].value.set_index("Reason")
    # 4 of 6 give "isolated", 2 "poor lighting": both under 5, so no share either
    # (67% of the 6 reports shown above would give the 4 away).
    assert reasons["Reports"].tolist() == ["<5", "<5"]
    assert reasons["Share of reports"].tolist() == ["hidden", "hidden"]
