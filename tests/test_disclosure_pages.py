"""Partners' pages keep to the lattice: whole months, no time or reason slot, no exact small count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from apps import run_dashboard
from streamlit.testing.v1 import AppTest

from safetymap.demo import write_demo_data

ROOT = Path(__file__).resolve().parents[1]
WATFORD = "51.6565,-0.3903"
HEMEL = "51.7526,-0.4692"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # March 2026: Watford 3 (on the 1st, 2nd and 20th), Dacorum 2; no other month.
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "streetsafe_test.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at\n"
        f"W1,2026-03-01 10:00,{WATFORD},2026-03-01 21:00\n"
        f"W2,2026-03-02 10:00,{WATFORD},2026-03-02 23:00\n"
        f"W3,2026-03-20 10:00,{WATFORD},\n"
        f"D1,2026-03-01 10:00,{HEMEL},\n"
        f"D2,2026-03-01 10:00,{HEMEL},\n"
    )
    monkeypatch.setenv("SAFETYMAP_DATA", str(folder))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", "partner")
    return folder


def run(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    return run_dashboard(page, query, timeout=90)


def test_a_one_day_period_widens_to_the_whole_month(data_dir: Path) -> None:
    app = run(query={"from": "2026-03-02", "to": "2026-03-02", "time": "night",
                     "reason": "poor_lighting"})
    captions = [c.value for c in app.sidebar.caption]
    assert ("Partners see whole calendar months: the period is 01/03/2026 to 31/03/2026."
            in captions)
    # All five March reports, not the one of 2 March (nor only night-time ones).
    assert app.markdown[0].value.startswith("**5** StreetSafe reports")
    assert app.query_params["from"] in ("2026-03-01", ["2026-03-01"])
    assert not [w for w in app.sidebar.multiselect if w.label in ("Time of day", "Reasons")]


def test_the_hotspots_page_gives_partners_no_slot_and_no_exact_count(data_dir: Path) -> None:
    app = run("pages/hotspots.py")
    assert not [s for s in app.selectbox if s.label in ("Day", "Hour")]
    texts = [c.value for c in app.caption] + [w.value for w in app.warning]
    # One calendar quarter, the whole county: March 2026's 5 reports, whatever the month.
    assert [s.label for s in app.selectbox] == ["Quarter"]
    assert app.selectbox[0].value == (date(2026, 1, 1), date(2026, 3, 31))
    assert any(t.startswith("Hot spot areas of January to March 2026, tested over the whole "
                            "county: 5 reports in the county") for t in texts)
    assert not any("hexagons hold" in t or "Only " in t for t in texts)
    # Weekday by time of day: Watford's two timed reports (Sunday and Monday nights) read
    # as every other square does.
    when = app.dataframe[-1].value
    assert set(when.to_numpy().ravel()) == {"fewer than 5"}


def _coverage_ranking(folder: Path, monkeypatch: pytest.MonkeyPatch, extra: str) -> list:
    (folder / "streetsafe_extra.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at\n" + extra)
    (folder / "services_test.csv").write_text(
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours\n"
        'S1,Hub,victim_hub,51.75,-0.34,false,county,"Mo-Fr 09:00-17:00"\n'
        "S2,Drop-in,outreach,,,false,E07000096,Mo-Fr 09:00-17:00\n")
    st.cache_data.clear()  # a new data folder, as a server restart would read it
    st.cache_resource.clear()
    app = run("pages/coverage_gaps.py")
    assert not app.exception
    captions = [c.value for c in app.caption]
    assert any("reports are left out of the need index" in c for c in captions)
    return app.table[0].value[["Rank", "District", "Gap score", "Why"]].to_numpy().tolist()


def test_coverage_gaps_give_partners_no_rank_or_score_from_a_small_count(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Watford's March holds 3 reports or, with one more (no time, same place), 4: both read
    # "<5" or "hidden" (the release's own figures, audited). Before the score used only
    # shown counts, Watford's need index (its rate against the average, quoted in the
    # reason too) moved the gap score and the rank, so a partner could tell 3 from 4.
    with_three = _coverage_ranking(data_dir, monkeypatch, "")
    with_four = _coverage_ranking(
        data_dir, monkeypatch, f"W4,2026-03-21 10:00,{WATFORD},\n")
    assert with_three == with_four
    assert not any("report rate" in row[3] for row in with_three)


def test_partners_share_of_places_named_in_hot_spots_is_by_quarter_and_rounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "demo"
    write_demo_data(folder, reports=300, responses=800, seed=5)
    monkeypatch.setenv("SAFETYMAP_DATA", str(folder))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", "partner")
    st.cache_data.clear()
    st.cache_resource.clear()
    app = run("pages/feelings_of_safety.py")
    assert not app.exception
    share = {m.label: m.value for m in app.metric}["Places of concern inside a StreetSafe hot spot"]
    # To the nearest 10%: "0%", "10%", ... "100%".
    assert share in {f"{n}%" for n in range(0, 101, 10)}
    assert any(c.value.startswith("For partners: against the hot spots of ")
               and "over the whole county (partners' hot spots are by calendar quarter)"
               in c.value for c in app.caption)


def test_partners_get_no_share_of_fewer_than_50_places_named(data_dir: Path) -> None:
    (data_dir / "survey_test.csv").write_text(
        "response_id,completed_at,district,safe_day,safe_after_dark,concern_latitude,"
        "concern_longitude\n"
        + "".join(f"S{i},2026-03-0{1 + i % 9} 12:00,Watford,Very safe,Very unsafe,"
                  f"{WATFORD}\n" for i in range(49)))
    st.cache_data.clear()
    st.cache_resource.clear()
    app = run("pages/feelings_of_safety.py")
    assert "Places of concern inside a StreetSafe hot spot" not in [m.label for m in app.metric]
    assert ("Fewer than 50 places are named in this selection: no share is shown to "
            "partners.") in [m.value for m in app.markdown]


def test_the_board_says_so_instead_of_drawing_an_empty_chart(data_dir: Path) -> None:
    # Watford's March holds 3 reports: its month and its rate are "<5" or hidden, so no
    # chart has a figure to draw (it drew empty axes reading "0.000000").
    app = run("pages/board_overview.py", query={"district": "E07000103"})
    assert not app.exception
    nothing = [i.value for i in app.info if i.value.startswith("Nothing to draw")]
    assert len(nothing) == 2
