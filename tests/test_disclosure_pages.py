"""Partners' pages keep to the lattice: whole months, no time or reason slot, no exact small count."""

from __future__ import annotations

from pathlib import Path

import pytest
from apps import run_dashboard
from streamlit.testing.v1 import AppTest

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
    assert any(t.startswith("5 reports in the selection (whole months") for t in texts)
    assert not any("hexagons hold" in t or "Only " in t for t in texts)
    when = app.dataframe[-1].value
    assert set(when.to_numpy().ravel()) <= {"0", "<5", "5 or more"}
