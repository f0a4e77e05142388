"""Who can act on each reason, and each agency's action list, worked out by hand.

The scenario is one week in Watford, Monday 26 October to Sunday 1 November 2026, with
reports at the centres of H3 cells of resolution 10 (as in tests/test_places.py):

- at C0 (the town centre), 7 reports, one place:

  ==  ==========  =====  =========  =========================================
  #   day         time   band       reasons
  ==  ==========  =====  =========  =========================================
  1   Fri 30 Oct  21:00  evening    poor_lighting, followed
  2   Fri 30 Oct  20:00  evening    poor_lighting
  3   Fri 30 Oct  23:00  night      poor_lighting, followed
  4   Sat 31 Oct  19:00  evening    poor_lighting
  5   Sat 31 Oct  21:30  evening    poor_lighting, harassment_other
  6   Thu 29 Oct  22:30  night      followed
  7   Fri 30 Oct  12:00  afternoon  rundown
  ==  ==========  =====  =========  =========================================

- at N (about 750 m north), 1 report: Wed 28 Oct 12:00, poor_lighting;
- at S (about 850 m south), 1 report: Tue 27 Oct 12:00, intimidation.

By hand, street lighting (poor_lighting): C0 has reports 1-5 (5 of its 7), Friday 3
(1, 2, 3) against Saturday 2, evening 4 (1, 2, 4, 5) against night 1; N has 1, Wednesday
afternoon. Police patrols (the five behaviour reasons): C0 has reports 1, 3, 5 and 6 (4 of
7): followed 3 (1, 3, 6), other harassment 1 (5); Friday 2 (1, 3) against Thursday and
Saturday 1 each; evening 2 (1, 5) and night 2 (3, 6) tie; S has 1. Environmental services
(rundown): C0, 1 report. Police and licensing (drugs_alcohol): nothing.

The year before holds no other report, so the 12 months hold these 9: 7 of them in one
hexagon of 350 m, where an even spread over Watford would put about 0.3, so C0 is in a
hot spot of the 12 months; N and S, each alone in its week, are new.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import h3
import pandas as pd
import pytest
from apps import run_dashboard
from conftest import PdfText
from test_places import AREA, C0, END, START, WATFORD_CODE, WEEK, N, S, frame, report

from safetymap.agencies import (
    DEFAULT_AGENCIES_FILE,
    AgencyMap,
    AgencyMapError,
    read_agency_map,
)
from safetymap.analysis.actions import ACTION_COLUMNS, action_why, agency_actions
from safetymap.analysis.counts import FrameCounts
from safetymap.analysis.filters import Filters
from safetymap.analysis.places import patrol_places
from safetymap.cli import main
from safetymap.present.tables import NOTHING, agency_actions_table
from safetymap.reports.actions import action_list_pdf, build_action_list
from safetymap.settings import load_settings
from safetymap.ui.text import escape_markdown

LIGHTING = "Street lighting (Hertfordshire County Council)"
PATROLS = "Police patrols (Safer Neighbourhood Team)"
ENVIRONMENT = "Environmental services (district council)"
LICENSING = "Police and licensing"

#: (cell, time, band, environment, behaviour) of each report of the scenario.
REPORTS = [
    (C0, "2026-10-30 21:00", "evening", "poor_lighting", "followed"),
    (C0, "2026-10-30 20:00", "evening", "poor_lighting", ""),
    (C0, "2026-10-30 23:00", "night", "poor_lighting", "followed"),
    (C0, "2026-10-31 19:00", "evening", "poor_lighting", ""),
    (C0, "2026-10-31 21:30", "evening", "poor_lighting", "harassment_other"),
    (C0, "2026-10-29 22:30", "night", "", "followed"),
    (C0, "2026-10-30 12:00", "afternoon", "rundown", ""),
    (N, "2026-10-28 12:00", "afternoon", "poor_lighting", ""),
    (S, "2026-10-27 12:00", "afternoon", "", "intimidation"),
]


def scenario() -> pd.DataFrame:
    return frame([report(cell, when, time_of_day=band, environment=env, behaviour=beh)
                  for cell, when, band, env, beh in REPORTS])


@pytest.fixture(scope="module")
def agencies() -> AgencyMap:
    return read_agency_map()


@pytest.fixture(scope="module")
def counts() -> FrameCounts:
    return FrameCounts(scenario())


def actions_of(counts: FrameCounts, agencies: AgencyMap, name: str,
               filters: Filters = WEEK) -> pd.DataFrame:
    agency = agencies.find(name)
    assert agency is not None, name
    return agency_actions(counts, filters, agency, area=AREA)


# ============================================================================ the mapping
def test_the_shipped_file_gives_every_reason_to_the_agency_that_can_act_on_it(
    agencies: AgencyMap,
) -> None:
    assert agencies.source == DEFAULT_AGENCIES_FILE
    assert {code: agencies.agencies_for(code) for code in (
        "poor_lighting", "no_cctv", "isolated", "poor_layout", "restricted_visibility",
        "rundown", "drugs_alcohol", "verbal_abuse_individual", "verbal_abuse_group",
        "followed", "intimidation", "harassment_other", "other")} == {
        "poor_lighting": (LIGHTING,),
        "no_cctv": ("Community safety partnership (district)",),
        "isolated": ("Community safety partnership (district)",),
        "poor_layout": ("District council or landowner",),
        "restricted_visibility": ("District council or landowner",),
        "rundown": (ENVIRONMENT,),
        "drugs_alcohol": (LICENSING,),
        "verbal_abuse_individual": (PATROLS,),
        "verbal_abuse_group": (PATROLS,),
        "followed": (PATROLS,),
        "intimidation": (PATROLS,),
        "harassment_other": (PATROLS,),
        "other": ("Community safety partnership (district)",),
    }


def test_an_agency_is_found_by_the_start_of_its_name_when_no_other_starts_so(
    agencies: AgencyMap,
) -> None:
    assert agencies.find("street lighting").name == LIGHTING
    assert agencies.find("POLICE PATROLS (Safer Neighbourhood Team)").name == PATROLS
    assert agencies.find("police") is None  # two agencies start so
    assert agencies.find("") is None


def write_agencies(tmp_path: Path, agencies: object) -> Path:
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps({"agencies": agencies}), encoding="utf-8")
    return path


def shipped_with(**changes: object) -> list[dict[str, object]]:
    """Return the shipped agencies with the agency of each ``changes`` key replaced."""
    shipped = json.loads(DEFAULT_AGENCIES_FILE.read_text(encoding="utf-8"))["agencies"]
    return [changes.get(a["name"].split(" ")[0].lower(), a) for a in shipped]


def test_a_deployment_file_may_use_labels_and_give_a_reason_to_two_agencies(
    tmp_path: Path,
) -> None:
    path = write_agencies(tmp_path, [
        {"name": "Everyone", "reasons": ["Poor lighting", "no_cctv", "isolated", "poor_layout",
                                         "restricted_visibility", "rundown", "drugs_alcohol",
                                         "Followed", "verbal abuse by a group",
                                         "verbal_abuse_individual", "intimidation",
                                         "harassment_other", "other"]},
        {"name": "Lighting team", "acts_on": "Lamps.", "reasons": ["Badly lit"]},
    ])
    mapping = read_agency_map(path)
    assert mapping.names == ("Everyone", "Lighting team")
    assert mapping.agencies_for("poor_lighting") == ("Everyone", "Lighting team")
    assert mapping.find("lighting team").reasons == ("poor_lighting",)
    assert mapping.find("lighting team").acts_on == "Lamps."


@pytest.mark.parametrize(("agencies", "expected"), [
    # the CSP lost "other": no agency acts on it
    (shipped_with(community={"name": "CSP", "reasons": ["no_cctv", "isolated"]}),
     ["{path}: reason 'other' (Other) is under no agency; expected every StreetSafe reason "
      "under at least one agency's \"reasons\""]),
    (shipped_with(street={"name": "Lights", "reasons": ["poor_lighting", "lamp posts"]}),
     ['{path}, agency 1 ("Lights"), field "reasons": expected a StreetSafe reason code '
      "(no_cctv, poor_lighting, isolated, poor_layout, restricted_visibility, rundown, "
      "drugs_alcohol, verbal_abuse_individual, verbal_abuse_group, followed, intimidation, "
      'harassment_other, other) or its label, found "lamp posts"']),
    (shipped_with(street={"name": "Lights", "reason": ["poor_lighting"]}),
     ['{path}, agency 1 ("Lights"), field "reason": expected one of name, acts_on, reasons, '
      "found an unknown field",
      '{path}, agency 1 ("Lights"), field "reasons": expected a list of one or more '
      "StreetSafe reason codes, found nothing"]),
    ([*shipped_with(), {"name": "police patrols (safer neighbourhood team)",
                        "reasons": ["followed"]}],
     ['{path}, agency 7 ("police patrols (safer neighbourhood team)"), field "name": '
      "expected a name of its own, found the name of agency 6"]),
    ([{"reasons": ["other"]}, "Police"],
     ['{path}, agency 1, field "name": expected the agency\'s name as text, found nothing',
      '{path}, agency 2: expected an object with "name" and "reasons", found "Police"']),
    ([], ['{path}, field "agencies": expected at least one agency, found none']),
])
def test_a_bad_agency_file_is_refused_naming_file_agency_field_expected_and_found(
    tmp_path: Path, agencies: object, expected: list[str]
) -> None:
    path = write_agencies(tmp_path, agencies)
    with pytest.raises(AgencyMapError) as refused:
        read_agency_map(path)
    where = f"Agency settings {path}"
    assert str(refused.value).splitlines() == [line.format(path=where) for line in expected]


def test_a_file_that_is_not_json_or_not_there_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "agencies.json"
    broken.write_text('{"agencies": [\n  {"name": "x",}\n]}', encoding="utf-8")
    with pytest.raises(AgencyMapError, match=(
            rf"^Agency settings {re.escape(str(broken))}: expected JSON, found an error at line 2, column 16: "
            "Expecting property name enclosed in double quotes$")):
        read_agency_map(broken)
    missing = tmp_path / "nope.json"
    with pytest.raises(AgencyMapError, match=(
            rf"^Agency settings {re.escape(str(missing))}: expected a readable JSON file, found No such file "
            r"or directory \(set SAFETYMAP_AGENCIES")):
        read_agency_map(missing)
    broken.write_text('["poor_lighting"]', encoding="utf-8")
    with pytest.raises(AgencyMapError, match=r"expected an object whose \"agencies\" is a list"):
        read_agency_map(broken)


def test_the_setting_names_the_file_and_unset_is_the_shipped_one(tmp_path: Path) -> None:
    assert load_settings({}).agencies is None
    assert load_settings({"SAFETYMAP_AGENCIES": str(tmp_path / "a.json")}).agencies == (
        tmp_path / "a.json")


# ============================================================================ the lists
def test_street_lighting_lists_the_places_where_poor_lighting_was_given(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    actions = actions_of(counts, agencies, "street lighting")
    assert list(actions.columns) == list(ACTION_COLUMNS)
    assert actions[["rank", "place_rank", "reports", "agency_reports", "reasons",
                    "reason_counts", "peak_day", "peak_day_reports", "peak_time",
                    "peak_time_reports", "standing"]].to_dict("records") == [
        {"rank": 1, "place_rank": 1, "reports": 7, "agency_reports": 5,
         "reasons": "poor_lighting", "reason_counts": "5", "peak_day": "Friday",
         "peak_day_reports": 3, "peak_time": "evening", "peak_time_reports": 4,
         "standing": "hot_spot"},
        {"rank": 2, "place_rank": 2, "reports": 1, "agency_reports": 1,
         "reasons": "poor_lighting", "reason_counts": "1", "peak_day": "Wednesday",
         "peak_day_reports": 1, "peak_time": "afternoon", "peak_time_reports": 1,
         "standing": "new"},
    ]
    assert actions["name"].tolist() == ["Watford, centre", "Watford, 750 m north"]
    assert actions["why"].tolist() == [
        "5 of its 7 reports give Poor lighting (5); most on Friday, in the evening "
        "(18:00-22:00); in a hot spot of the last 12 months.",
        "Its one report gives Poor lighting (1); on Wednesday, in the afternoon "
        "(12:00-18:00); new (its reports of the last 12 months all in one week).",
    ]


def test_police_patrols_list_the_places_of_the_behaviour_reasons(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    actions = actions_of(counts, agencies, "police patrols")
    # S is third of the places to patrol (N is as busy and further north), second here.
    assert actions[["rank", "place_rank", "reports", "agency_reports", "reasons",
                    "reason_counts", "peak_day", "peak_day_reports", "peak_time",
                    "peak_time_reports"]].to_dict("records") == [
        {"rank": 1, "place_rank": 1, "reports": 7, "agency_reports": 4,
         "reasons": "followed;harassment_other", "reason_counts": "3;1",
         "peak_day": "Friday", "peak_day_reports": 2, "peak_time": "evening or night",
         "peak_time_reports": 2},
        {"rank": 2, "place_rank": 3, "reports": 1, "agency_reports": 1,
         "reasons": "intimidation", "reason_counts": "1", "peak_day": "Tuesday",
         "peak_day_reports": 1, "peak_time": "afternoon", "peak_time_reports": 1},
    ]
    assert actions["why"].iloc[0] == (
        "4 of its 7 reports give Followed (3), Other harassment (1); most on Friday, in the "
        "evening (18:00-22:00) or night (22:00-06:00); in a hot spot of the last 12 months.")


def test_the_places_are_those_of_the_patrol_list(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    places = patrol_places(counts, WEEK, area=AREA, limit=None).set_index("rank")
    for name in (LIGHTING, PATROLS, ENVIRONMENT):
        actions = actions_of(counts, agencies, name)
        for place in actions.to_dict("records"):
            same = places.loc[place["place_rank"]]
            assert (place["name"], place["reports"], place["standing"], place["latitude"]) == (
                same["name"], same["reports"], same["standing"], same["latitude"])


def test_an_agency_with_one_report_or_none(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    environment = actions_of(counts, agencies, ENVIRONMENT)
    assert environment[["name", "reports", "agency_reports", "reasons", "peak_day",
                        "peak_time"]].values.tolist() == [
        ["Watford, centre", 7, 1, "rundown", "Friday", "afternoon"]]
    assert environment["why"].iloc[0].startswith(
        "1 of its 7 reports gives Run down (graffiti, fly-tipping) (1); on Friday, in the "
        "afternoon")
    licensing = actions_of(counts, agencies, LICENSING)
    assert licensing.empty
    assert list(licensing.columns) == list(ACTION_COLUMNS)
    later = Filters(districts=(WATFORD_CODE,), start=date(2026, 12, 1), end=date(2026, 12, 7))
    assert actions_of(counts, agencies, LIGHTING, later).empty


def test_the_agencys_reasons_choose_the_reports_not_the_reasons_filter(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    narrowed = Filters(districts=(WATFORD_CODE,), start=START, end=END, reasons=("rundown",))
    pd.testing.assert_frame_equal(actions_of(counts, agencies, LIGHTING, narrowed),
                                  actions_of(counts, agencies, LIGHTING))


# ============================================================================ by role
def test_police_read_every_place_with_counts_and_centre(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    table = agency_actions_table(actions_of(counts, agencies, LIGHTING), "police")
    assert table.drop(columns=["Place", "Why it is on the list", "Latitude",
                               "Longitude"]).values.tolist() == [
        [1, "Watford", "7", "5", "Poor lighting (5)", "Friday (3)", "Evening 18:00-22:00 (4)",
         "In a hot spot of the last 12 months"],
        [2, "Watford", "1", "1", "Poor lighting (1)", "Wednesday (1)",
         "Afternoon 12:00-18:00 (1)", "New"],
    ]
    assert table["Latitude"].iloc[0] == pytest.approx(h3.cell_to_latlng(C0)[0], abs=1e-5)


def test_partners_see_a_place_only_where_5_reports_give_the_agencys_reasons(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    lighting = agency_actions_table(actions_of(counts, agencies, LIGHTING), "partner")
    # C0: 5 give poor lighting, so it is listed; Friday (3) and the evening (4) describe
    # fewer than 5 and are not named. N (1 report) is left out.
    assert lighting.to_dict("records") == [{
        "Rank": 1, "Place": "Watford, centre", "District": "Watford",
        "Reports": "5 or more", "Giving these reasons": "5 or more",
        "Reasons": "Poor lighting", "Peak day": NOTHING, "Peak time": NOTHING,
        "Last 12 months": "In a hot spot of the last 12 months",
        "Why it is on the list": ("5 or more reports give Poor lighting; in a hot spot of "
                                  "the last 12 months."),
    }]
    # C0 holds 7 reports, but only 4 give a reason of the police patrols: being on their
    # list would say that 1 to 4 did.
    assert agency_actions_table(actions_of(counts, agencies, PATROLS), "partner").empty


def test_a_partners_why_names_only_what_describes_5_reports() -> None:
    place = {"reasons": "followed;intimidation", "reason_counts": "6;2", "agency_reports": 7,
             "reports": 9, "peak_day": "Friday", "peak_day_reports": 5,
             "peak_time": "night", "peak_time_reports": 4, "standing": "repeat",
             "weeks_12_months": 3}
    assert action_why(place, "partner") == (
        "5 or more reports give Followed; most on Friday; a repeat location.")
    assert action_why(place, "analyst") == (
        "7 of its 9 reports give Followed (6), Intimidation (2); most on Friday, in the "
        "night (22:00-06:00); a repeat location (reports in 3 separate weeks of the last 12 "
        "months).")


# ============================================================================ the PDF
def test_the_pdf_lists_the_agencys_places(
    counts: FrameCounts, agencies: AgencyMap, pdf_text: PdfText,
) -> None:
    police = build_action_list(counts, WEEK, agencies.find(LIGHTING), role="police",
                               synthetic=False, origin="test exports",
                               generated=date(2026, 11, 2))
    text = " ".join(pdf_text(action_list_pdf(police)).split())
    assert f"Action list: {LIGHTING}" in text
    assert ("Places in Watford, 26 Oct 2026 to 1 Nov 2026, where people said they felt "
            "unsafe for a reason") in text
    assert "Watford, centre, Watford" in text
    assert "7 (5)" in text
    assert "1 (1)" in text
    assert "SYNTHETIC" not in text
    partner = build_action_list(counts, WEEK, agencies.find(PATROLS), role="partner",
                                synthetic=True, origin="test exports",
                                generated=date(2026, 11, 2))
    text = " ".join(pdf_text(action_list_pdf(partner)).split())
    assert ("No place where 5 or more reports give these reasons in this quarter; "
            "partners see places only from that many.") in text
    assert "Watford, centre" not in text
    assert "SYNTHETIC DEMO DATA" in text


def test_partners_get_places_by_quarter_and_county_only(
    counts: FrameCounts, agencies: AgencyMap,
) -> None:
    # C0's 5 lighting reports are listed for a partner whatever day of the quarter is
    # chosen: the list is that of October to December 2026 over the county, so no two
    # choices nest and none can be set against another.
    lists = [build_action_list(counts, replace(WEEK, start=day, end=day),
                               agencies.find(LIGHTING), role="partner", synthetic=False,
                               origin="test exports")
             for day in (date(2026, 10, 1), date(2026, 10, 27), date(2026, 12, 31))]
    assert {len(found.table) for found in lists} == {1}
    assert {found.period for found in lists} == {(date(2026, 10, 1), date(2026, 12, 31))}
    assert all(found.table.equals(lists[0].table) for found in lists)
    assert lists[0].table.iloc[0]["Reports"] == "5 or more"
    # Another district picks no row of the county's list.
    dacorum = build_action_list(counts, replace(WEEK, districts=("E07000096",)),
                                agencies.find(LIGHTING), role="partner", synthetic=False,
                                origin="test exports")
    assert dacorum.table.empty


# ============================================================================ command
@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The scenario as a StreetSafe export in a data folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    lines = ["report_id,submitted_at,latitude,longitude,occurred_at,environment,behaviour"]
    for number, (cell, when, _, env, beh) in enumerate(REPORTS, start=1):
        latitude, longitude = h3.cell_to_latlng(cell)
        lines.append(f"R{number},{when},{latitude:.7f},{longitude:.7f},{when},{env},{beh}")
    (folder / "streetsafe_week.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


WEEK_ARGS = ["--district", "Watford", "--since", "2026-10-26", "--until", "2026-11-01"]


def test_the_command_writes_the_list_and_a_pdf(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    pdf_text: PdfText,
) -> None:
    pdf = tmp_path / "lighting.pdf"
    assert main(["actions", "--data", str(data_dir), "--agency", "street lighting",
                 *WEEK_ARGS, "--role", "police", "--pdf", str(pdf)]) == 0
    done = capsys.readouterr()
    rows = list(pd.read_csv(io.StringIO(done.out), dtype=str)
                .drop(columns=["Latitude", "Longitude", "Place"]).itertuples(index=False))
    assert [tuple(row) for row in rows] == [
        ("1", "Watford", "7", "5", "Poor lighting (5)", "Friday (3)",
         "Evening 18:00-22:00 (4)", "In a hot spot of the last 12 months",
         "5 of its 7 reports give Poor lighting (5); most on Friday, in the evening "
         "(18:00-22:00); in a hot spot of the last 12 months."),
        ("2", "Watford", "1", "1", "Poor lighting (1)", "Wednesday (1)",
         "Afternoon 12:00-18:00 (1)", "New",
         "Its one report gives Poor lighting (1); on Wednesday, in the afternoon "
         "(12:00-18:00); new (its reports of the last 12 months all in one week)."),
    ]
    assert "2 place(s) listed for the police role." in done.err
    assert "Watford, centre" in pdf_text(pdf.read_bytes())


def test_the_command_for_a_partner_in_json(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["actions", "--data", str(data_dir), "--agency", LIGHTING, *WEEK_ARGS,
                 "--role", "partner", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(row["Place"], row["Reports"], row["Reasons"], row["Peak day"])
            for row in listed] == [("Watford, centre", "5 or more", "Poor lighting", NOTHING)]
    assert "Latitude" not in listed[0]
    assert main(["actions", "--data", str(data_dir), "--agency", "police patrols",
                 *WEEK_ARGS, "--role", "partner"]) == 0
    done = capsys.readouterr()
    assert done.out.splitlines()[1:] == []
    assert "partners see places only from that many" in done.err


@pytest.mark.parametrize(("argv", "message"), [
    (["--agency", "police"], "--agency 'police': expected one of the agencies of"),
    (["--agency", "Street lighting", "--pdf", "list.html"],
     "--pdf list.html: expected a file name ending in .pdf, found '.html'"),
    (["--agency", "Street lighting", "--district", "Luton"], "Luton"),
])
def test_the_command_exits_2_for_a_usage_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["actions", "--data", str(data_dir), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_the_command_needs_an_agency(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["actions"])
    assert stopped.value.code == 2
    assert "the following arguments are required: --agency" in capsys.readouterr().err


def test_the_command_exits_1_for_a_bad_agency_file(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = write_agencies(tmp_path, [{"name": "Lights", "reasons": ["poor_lighting"]}])
    monkeypatch.setenv("SAFETYMAP_AGENCIES", str(bad))
    assert main(["actions", "--data", str(data_dir), "--agency", "Lights"]) == 1
    err = capsys.readouterr().err
    assert f"Agency settings {bad}: reason 'no_cctv' (No CCTV) is under no agency" in err
    assert "Traceback" not in err
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.delenv("SAFETYMAP_AGENCIES")
    assert main(["actions", "--data", str(empty), "--agency", "Lights"]) == 2
    assert main(["actions", "--data", str(empty), "--agency", "street lighting"]) == 1
    assert "No StreetSafe report in the selection" in capsys.readouterr().err


# ============================================================================ the page
WEEK_QUERY = {"district": WATFORD_CODE, "from": "2026-10-26", "to": "2026-11-01"}


def test_the_page_lists_an_agencys_places_for_the_police(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_DATA", str(data_dir))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", "police")
    app = run_dashboard("pages/actions.py", WEEK_QUERY)
    assert app.selectbox(key="actions.agency").value == LIGHTING
    table = app.dataframe[0].value
    assert table["Place"].tolist() == ["Watford, centre", "Watford, 750 m north"]
    assert table["Giving these reasons"].tolist() == ["5", "1"]
    app.selectbox(key="actions.agency").select(PATROLS).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert table["Reasons"].tolist() == ["Followed (3), Other harassment (1)",
                                         "Intimidation (1)"]
    assert [b.label for b in app.get("download_button")] == [
        "Download the list (CSV)", "Download the list (PDF)"]


def test_the_page_keeps_partners_to_places_of_5_reports(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETYMAP_DATA", str(data_dir))
    monkeypatch.setenv("SAFETYMAP_MAP_ASSETS", "cdn")
    monkeypatch.setenv("SAFETYMAP_ROLE", "partner")
    app = run_dashboard("pages/actions.py", WEEK_QUERY)
    table = app.dataframe[0].value
    assert table.to_dict("list")["Reports"] == ["5 or more"]
    assert "Latitude" not in table.columns
    app.selectbox(key="actions.agency").select(PATROLS).run()
    shown = [m.value for m in app.markdown]
    assert any("partners see places only from that many" in text for text in shown)
    assert len(app.dataframe) == 1  # only the table of who acts on which reason
    assert app.dataframe[0].value.columns.tolist() == ["Agency", "Reasons", "Can act on"]


def test_a_bad_agency_file_stops_the_dashboard_with_a_message(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = write_agencies(tmp_path, [{"name": "Lights", "reasons": ["lamp"]}])
    monkeypatch.setenv("SAFETYMAP_DATA", str(data_dir))
    monkeypatch.setenv("SAFETYMAP_AGENCIES", str(bad))
    app = run_dashboard()
    assert escape_markdown(f'Agency settings {bad}, agency 1 ("Lights"), field "reasons": '
                           "expected a StreetSafe reason code") in app.error[0].value
