"""The problem-solving log: actions at places in the store, who may change them, did it work.

The log's round trip runs on a GeoPackage file and on a real PostGIS (the ``store_url``
fixture, as in tests/test_store.py). The before-and-after figures are worked out by hand
on reports at the centres of H3 cells around Watford's centre (tests/test_places.py):
C0 is the place's centre, C1 is next to it (about 130 m, inside 150 m), C2 two cells out
(about 260 m, in the ring from 150 to 400 m), and the cells of FAR about 800 m out (the
rest of the district).
"""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path

import h3
import pandas as pd
import pytest
from apps import ROOT, run_dashboard
from conftest import PdfText
from streamlit.testing.v1 import AppTest
from test_places import C0, C1, C2, FAR, WATFORD_CODE, frame, metres, report
from test_store import run_statements, schema_version

from loaders.store import Store, StoreError, open_store, sql
from loaders.store.actions import ActionRefused
from safetymap import audit
from safetymap.action_log import (
    NOT_SHOWN_PLACE,
    board_tables,
    edit_action,
    history_table,
    log_table,
    record_action,
)
from safetymap.agencies import read_agency_map
from safetymap.analysis.evaluation import evaluate_action, evaluation_windows
from safetymap.ui.state import Keys
from safetymap.ui.text import escape_markdown

LIGHTING = "Street lighting (Hertfordshire County Council)"
AGENCIES = read_agency_map()
CENTRE = h3.cell_to_latlng(C0)


def place(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "place_name": "Watford, centre", "district_code": WATFORD_CODE,
        "latitude": 51.655312, "longitude": -0.396021, "agency": "street lighting",
        "what": "Replace two failed lamps on the footpath", "status": "open",
        "started": date(2026, 3, 1),
    }
    return values | changes


# ============================================================================ the store
def test_the_log_round_trip_with_a_refused_partner_edit(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    log = tmp_path / "audit.log"
    action = record_action(store, place(), user="pc.smith@herts.police.uk", role="police",
                           agencies=AGENCIES, audit_path=log)
    assert action.action_id == 1
    assert (action.agency, action.status, action.done_on) == (LIGHTING, "open", None)
    assert (action.latitude, action.longitude) == (51.6553, -0.396)  # about 10 m
    assert store.actions() == [action]

    done = edit_action(store, 1, {"status": "done", "done_on": "2026-03-10"},
                       user="analyst@herts.police.uk", role="analyst", audit_path=log)
    assert (done.status, done.done_on, done.started) == ("done", date(2026, 3, 10),
                                                         date(2026, 3, 1))
    history = store.action_history(1)
    assert history[["field", "old_value", "new_value", "changed_by"]].values.tolist()[-2:] == [
        ["status", "open", "done", "analyst@herts.police.uk"],
        ["done_on", None, "2026-03-10", "analyst@herts.police.uk"],
    ]
    assert history["field"].tolist()[:8] == ["place_name", "district_code", "latitude",
                                             "longitude", "agency", "what", "status",
                                             "started"]

    with pytest.raises(ActionRefused) as refused:
        edit_action(store, 1, {"status": "dropped"}, user="lighting@herts.gov.uk",
                    role="partner", audit_path=log)
    assert refused.value.problems == (
        "field role: expected analyst or police (who record and edit actions), found partner",)
    with pytest.raises(ActionRefused) as bad:
        edit_action(store, 1, {"status": "finished", "latitude": 51.7},
                    user="pc.smith@herts.police.uk", role="police", audit_path=log)
    assert bad.value.problems == (
        "field latitude: expected one of what, status, started, done_on (the place and agency "
        "of an action are fixed: record a new action), found a change to it",
        "field status: expected one of open, in_progress, done, dropped, found 'finished'",
    )
    with pytest.raises(ActionRefused, match="field done_on: expected nothing while the "
                                            "status is open, found 2026-03-10"):
        edit_action(store, 1, {"status": "open"}, user="pc", role="police", audit_path=log)
    assert store.actions() == [done]  # nothing written by the refusals
    assert len(store.action_history(1)) == len(history)

    entries = audit.read(log)
    assert [(e["event"], e["user"], e["role"]) for e in entries] == [
        ("action_recorded", "pc.smith@herts.police.uk", "police"),
        ("action_edited", "analyst@herts.police.uk", "analyst"),
        ("action_refused", "lighting@herts.gov.uk", "partner"),
        ("action_refused", "pc.smith@herts.police.uk", "police"),
        ("action_refused", "pc", "police"),
    ]
    assert entries[1]["detail"] == (f"action 1; agency {LIGHTING}; status to done, "
                                    "done_on to 2026-03-10")


def test_a_bad_new_action_is_refused_with_every_field(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    with pytest.raises(ActionRefused) as refused:
        record_action(store, place(agency="Parks", what="  ", latitude=48.85, status="done"),
                      user="pc", role="police", agencies=AGENCIES, audit_path=tmp_path / "a")
    assert refused.value.problems[0].startswith(
        "field agency: expected one of Street lighting (Hertfordshire County Council), ")
    assert refused.value.problems[1:] == (
        "field latitude: expected a number from 51.55 to 52.12 (a place in Hertfordshire), "
        "found 48.85",
        "field what: expected text, found nothing",
        "field done_on: expected the day the action was done (status done), found nothing",
    )
    with pytest.raises(ActionRefused, match="found partner"):
        record_action(store, place(), user="x", role="partner", agencies=AGENCIES,
                      audit_path=tmp_path / "a")
    assert store.actions() == []
    assert store.action_history().empty






def test_a_version_3_store_gains_the_log_when_opened(store_url: str) -> None:
    old = open_store(store_url)
    run_statements(store_url, ["DROP TABLE actions", "DROP TABLE action_history",
                            "UPDATE store_meta SET value = '3' WHERE key = 'schema_version'"])
    with pytest.raises(StoreError):  # a version 3 store has no log
        old.actions()
    store = open_store(store_url)
    assert schema_version(store_url) == str(sql.SCHEMA_VERSION) == "5"
    assert store.actions() == []
    assert record_action(store, place(), user="pc", role="police", agencies=AGENCIES,
                         audit_path=Path(os.devnull)).action_id == 1


# ============================================================================ partners
def test_partners_see_their_agencys_actions_and_no_coordinates(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.gpkg")
    log = tmp_path / "audit.log"
    record_action(store, place(), user="pc", role="police", agencies=AGENCIES, audit_path=log)
    record_action(store, place(agency="police patrols", what="Evening patrols"), user="pc",
                  role="police", agencies=AGENCIES, audit_path=log)
    elsewhere = place(place_name="Watford, 800 m north", latitude=51.6625)
    record_action(store, elsewhere, user="pc", role="police", agencies=AGENCIES,
                  audit_path=log)
    listed = pd.DataFrame({"name": ["Watford, centre"], "latitude": [51.6554],
                           "longitude": [-0.3961]})
    table = log_table(store.actions(), "partner", agency=LIGHTING, listed_places=listed)
    assert table.columns.tolist() == ["Action", "Place", "Agency", "What", "Status",
                                      "Started", "Done", "District"]
    assert table[["Action", "Place"]].values.tolist() == [[3, NOT_SHOWN_PLACE],
                                                          [1, "Watford, centre"]]
    assert log_table(store.actions(), "partner", agency=None).empty
    police = log_table(store.actions(), "police")
    assert police["Action"].tolist() == [3, 2, 1]
    assert police["Latitude"].tolist()[-1] == 51.6553
    assert "By" not in history_table(store, 1, "partner").columns
    assert history_table(store, 1, "partner")["Field"].tolist() == ["What is done", "Status",
                                                                     "Started"]


# ============================================================================ did it work
def _reports(place_before: int, place_after: int, ring: tuple[int, int],
             district: tuple[int, int]) -> pd.DataFrame:
    """Reports before (February 2026) and after (March 11 to April 7) an action at C0."""
    rows = []
    for count, cells, days in (
        (place_before, (C0, C1), "2026-02-{:02d} 20:00"),
        (place_after, (C0, C1), "2026-03-{:02d} 20:00"),
        (ring[0], (C2,), "2026-02-{:02d} 21:00"),
        (ring[1], (C2,), "2026-03-{:02d} 21:00"),
        (district[0], tuple(FAR), "2026-02-{:02d} 22:00"),
        (district[1], tuple(FAR), "2026-03-{:02d} 22:00"),
    ):
        first = 11 if "03" in days else 1
        for i in range(count):
            rows.append(report(cells[i % len(cells)], days.format(first + i % 18)))
    rows.append(report(FAR[0], "2026-04-07 12:00"))  # the data reach the window's end
    return frame(rows)


def evaluate(reports: pd.DataFrame) -> object:
    return evaluate_action(reports, latitude=CENTRE[0], longitude=CENTRE[1],
                           district_code=WATFORD_CODE, started=date(2026, 3, 1),
                           done_on=date(2026, 3, 10))


def test_the_cells_lie_where_the_evaluation_says() -> None:
    assert metres(C0, C1) < 150 < metres(C0, C2) < 400 < min(metres(C0, c) for c in FAR)


def test_windows_are_the_actions_length_at_least_28_days() -> None:
    assert evaluation_windows(date(2026, 3, 1), date(2026, 3, 10)) == (
        (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 11), date(2026, 4, 7)))
    assert evaluation_windows(date(2026, 3, 1), date(2026, 4, 9)) == (  # 40 days
        (date(2026, 1, 20), date(2026, 2, 28)), (date(2026, 4, 10), date(2026, 5, 19)))


def test_a_fall_from_12_to_2_with_a_flat_district_is_a_fall() -> None:
    found = evaluate(_reports(12, 2, (3, 3), (10, 9)))  # +1 on 7 April: 10 and 10
    assert (found.place_before, found.place_after) == (12, 2)  # type: ignore[attr-defined]
    assert (found.ring_before, found.ring_after) == (3, 3)  # type: ignore[attr-defined]
    assert (found.district_before, found.district_after) == (10, 10)  # type: ignore[attr-defined]
    assert found.expected_share == 0.5  # type: ignore[attr-defined]
    # By hand: P(X <= 2 | 14, 1/2) = (1 + 14 + 91) / 2**14; two-sided, symmetric: twice it.
    assert found.place_p == pytest.approx(2 * 106 / 16384, rel=1e-9)  # type: ignore[attr-defined]
    assert found.verdict == "fell"  # type: ignore[attr-defined]
    assert found.ring_p is None  # type: ignore[attr-defined]  # 6 reports: too few
    assert found.reading == (  # type: ignore[attr-defined]
        "Within 150 m (01/02/2026-28/02/2026 against 11/03/2026-07/04/2026): 12 reports "
        "before and 2 after: fell more than the district's trend would give (about 7.0 "
        "expected after; exact test p = 0.013); the district's other reports went from 10 "
        "to 10. The ring from 150 to 400 m: too few reports to tell whether reports moved "
        "there (3 before, 3 after).")


def test_a_fall_as_large_as_the_districts_is_no_change() -> None:
    found = evaluate(_reports(8, 4, (0, 0), (20, 9)))  # the district halves: 20 to 10
    assert found.expected_share == pytest.approx(1 / 3)  # type: ignore[attr-defined]
    # 4 of 12 after is the most likely count under Binomial(12, 1/3): p = 1.
    assert found.place_p == pytest.approx(1.0)  # type: ignore[attr-defined]
    assert found.verdict == "no_change"  # type: ignore[attr-defined]
    assert "this is not evidence that nothing changed" in found.reading  # type: ignore[attr-defined]


def test_nine_reports_are_too_few_to_tell() -> None:
    found = evaluate(_reports(8, 1, (0, 0), (10, 9)))
    assert found.verdict == "too_few"  # type: ignore[attr-defined]
    assert found.place_p is None  # type: ignore[attr-defined]
    assert found.reading.startswith("Too few reports to tell: 9 within 150 m")  # type: ignore[attr-defined]
    assert "%" not in found.reading  # type: ignore[attr-defined]


def test_before_the_window_after_is_over_it_is_too_early() -> None:
    reports = _reports(12, 2, (0, 0), (10, 9))
    reports = reports[reports["event_at"] < pd.Timestamp("2026-04-01", tz="Europe/London")]
    assert evaluate(reports).verdict == "too_early"  # type: ignore[attr-defined]


def test_the_test_is_the_exact_binomial_by_hand() -> None:
    # 16 before, 4 after, the district's trend 1/3 after: the two-sided p-value sums the
    # probabilities of the counts no more likely than 4.
    found = evaluate(_reports(16, 4, (0, 0), (20, 9)))
    share = 1 / 3
    pmf = [math.comb(20, k) * share**k * (1 - share) ** (20 - k) for k in range(21)]
    by_hand = sum(p for p in pmf if p <= pmf[4] * (1 + 1e-7))
    assert found.place_p == pytest.approx(by_hand)  # type: ignore[attr-defined]


# ============================================================================ the board
def test_the_board_counts_actions_by_agency_and_lists_places_without_one(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path / "store.gpkg")
    log = tmp_path / "audit.log"
    record_action(store, place(status="done", done_on=date(2026, 3, 10)), user="pc",
                  role="police", agencies=AGENCIES, audit_path=log)
    record_action(store, place(agency="police patrols", started=date(2026, 1, 5)),
                  user="pc", role="police", agencies=AGENCIES, audit_path=log)
    places = pd.DataFrame({
        "name": ["Watford, centre", "Watford, 800 m north", "Watford, 800 m south"],
        "district": ["Watford"] * 3, "reports": [9, 6, 5],
        "latitude": [51.6554, 51.6625, 51.6481], "longitude": [-0.3961] * 3,
    })
    by_agency, without = board_tables(store.actions(), places,
                                      (date(2026, 3, 1), date(2026, 3, 31)), "police")
    assert by_agency.values.tolist() == [[LIGHTING, 1, 1]]
    assert without.values.tolist() == [["Watford, 800 m north", "Watford", "6"],
                                       ["Watford, 800 m south", "Watford", "5"]]
    _, shown = board_tables(store.actions(), places, (date(2026, 3, 1), date(2026, 3, 31)),
                            "partner")
    assert shown["Reports"].tolist() == ["5 or more", "5 or more"]


# ============================================================================ the pages
STREETSAFE = "report_id,submitted_at,latitude,longitude,occurred_at\n" + "".join(
    f"W{i},2026-03-0{1 + i % 5} 10:00,{CENTRE[0]},{CENTRE[1]},2026-03-0{1 + i % 5} 21:00\n"
    for i in range(6))


@pytest.fixture
def police_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    exports = tmp_path / "streetsafe_test.csv"
    exports.write_text(STREETSAFE, encoding="utf-8")
    store = open_store(tmp_path / "store.gpkg")
    store.ingest("streetsafe", [exports])
    monkeypatch.setenv("SAFETYMAP_STORE", str(tmp_path / "store.gpkg"))
    monkeypatch.delenv("SAFETYMAP_DATA", raising=False)
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_AUDIT_LOG", str(tmp_path / "audit.log"))
    monkeypatch.setenv("SAFETYMAP_ROLE", "police")
    return store


def test_the_police_record_and_edit_an_action_on_the_page(
    police_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_dashboard("pages/actions.py")
    app.text_input(key=Keys.LOG_WHAT).input("<b>Fix</b> the lamp ![x](https://e.org/x.png)")
    app.date_input(key=Keys.LOG_STARTED).set_value(date(2026, 3, 2))
    app.button(key=Keys.LOG_RECORD).click().run()
    assert not app.exception
    assert [s.value for s in app.success] == [escape_markdown("Recorded action 1.")]
    [action] = police_store.actions()
    assert (action.agency, action.what, action.started) == (
        LIGHTING, "<b>Fix</b> the lamp ![x](https://e.org/x.png)", date(2026, 3, 2))
    log = app.dataframe[-2].value  # the log, then the history
    assert log["What"].tolist() == [action.what]  # a table cell: text, not markup
    app.selectbox(key=Keys.LOG_EDIT_STATUS + ".1").select("done").run()
    app.button(key=Keys.LOG_SAVE).click().run()
    assert escape_markdown("field done_on: expected the day the action was done (status "
                           "done), found nothing.") in app.error[0].value
    assert police_store.actions()[0].status == "open"  # refused: nothing written
    assert [e["event"] for e in audit.read(tmp_path / "audit.log")] == [
        "action_recorded", "action_refused"]

    board = run_dashboard("pages/board_overview.py")
    shown = {m.value for m in board.markdown}
    assert "**Opened and completed, by agency**" in shown
    tables = [d.value for d in board.dataframe]
    assert any(t.columns.tolist() == ["Agency", "Opened", "Completed"]
               and t.values.tolist() == [[LIGHTING, 1, 0]] for t in tables)

    monkeypatch.setenv("SAFETYMAP_ROLE", "partner")
    monkeypatch.setenv("SAFETYMAP_AGENCY", "street lighting")
    partner = run_dashboard("pages/actions.py")
    assert not [b for b in partner.button if b.key == Keys.LOG_RECORD]
    table = partner.dataframe[-2].value
    assert "Latitude" not in table.columns
    assert table["Place"].tolist() == [NOT_SHOWN_PLACE]  # 6 reports, none gives a reason
    assert "By" not in partner.dataframe[-1].value.columns


def test_a_partner_without_an_agency_sees_no_action(
    police_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_action(police_store, place(), user="pc", role="police", agencies=AGENCIES,
                  audit_path=Path(os.devnull))
    monkeypatch.setenv("SAFETYMAP_ROLE", "partner")
    app = run_dashboard("pages/actions.py")
    assert any("No agency is set for you" in m.value for m in app.markdown)
    assert not any("Replace two failed lamps" in str(d.value.to_dict()) for d in app.dataframe)


def test_an_unknown_agency_setting_stops_the_dashboard(
    police_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_AGENCY", "Parks")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.run()
    assert app.error[0].value == escape_markdown(
        "SAFETYMAP_AGENCY: expected an agency of agencies.json ("
        + ", ".join(AGENCIES.names) + "), found \"Parks\"")


def test_the_board_pack_command_counts_the_stores_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_text: PdfText,
) -> None:
    from safetymap.cli import main  # noqa: PLC0415

    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "streetsafe_test.csv").write_text(
        "report_id,submitted_at,latitude,longitude,occurred_at,environment\n"
        + "".join(f"W{i},2026-03-0{1 + i % 5} 10:00,51.655312,-0.396021,,poor_lighting\n"
                  for i in range(6)))
    store_path = tmp_path / "store.gpkg"
    assert main(["ingest", "--kind", "streetsafe", str(exports / "streetsafe_test.csv"),
                 "--store", str(store_path)]) == 0
    record_action(open_store(str(store_path)), place(started=date(2026, 3, 2)),
                  user="pc.smith@herts.police.uk", role="police", agencies=AGENCIES,
                  audit_path=tmp_path / "audit.log")
    monkeypatch.delenv("SAFETYMAP_DATA", raising=False)
    monkeypatch.setenv("SAFETYMAP_STORE", str(store_path))
    out = tmp_path / "pack.pdf"
    assert main(["board-pack", "--out", str(out)]) == 0
    text = " ".join(pdf_text(out.read_bytes()).split())
    # One action opened in March 2026, by street lighting.
    assert "Problem-solving: actions in the period, by agency" in text
    section = text[text.index("Problem-solving: actions in the period, by agency"):]
    # Opened 1, completed 0; the one place (6 reports) has its action, so none is listed.
    assert "Street lighting (Hertfordshire County Council) 1 0" in section
    assert "Every listed place has an action, or none is listed." in section
