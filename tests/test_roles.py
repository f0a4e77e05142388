"""Disclosure rules of CONTRACT §5: small numbers, role lookup, the role map."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from safetymap.analysis import survey
from safetymap.analysis.exports import records_for_export
from safetymap.reports.board_pack import build_board_pack, headline_figures
from safetymap.reports.briefing import build_briefing
from safetymap.roles import check_role, count_text, read_role_map, role_of, suppressed_counts
from safetymap.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("count", "role", "expected"),
    [(0, "partner", "0"), (1, "partner", "<5"), (4, "partner", "<5"), (5, "partner", "5"),
     (1234, "partner", "1,234"), (3, "police", "3"), (3, "analyst", "3")],
)
def test_count_text(count: int, role: str, expected: str) -> None:
    assert count_text(count, role) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # one small count: the smallest other non-zero count is hidden as well
        ([3, 10, 7, 0], ["<5", "10", "hidden", "0"]),
        # two small counts protect each other: the total reveals only their sum
        ([3, 2, 7], ["<5", "<5", "7"]),
        ([0, 12, 7], ["0", "12", "7"]),
        ([4, 0, 0], ["<5", "0", "0"]),  # nothing else to hide; the total is the same "<5"
    ],
)
def test_secondary_suppression_for_partners(counts: list[int], expected: list[str]) -> None:
    assert suppressed_counts(counts, "partner") == expected
    assert suppressed_counts(counts, "analyst") == [f"{c:,}" for c in counts]


def test_role_from_claim_then_email_map(tmp_path: Path) -> None:
    path = tmp_path / "roles.json"
    path.write_text(json.dumps({"Sgt@Herts.Police.uk": "police"}))
    roles = read_role_map(path)
    assert role_of({"role": "Analyst", "email": "sgt@herts.police.uk"}, claim="role",
                   role_map=roles) == "analyst"
    assert role_of({"email": "sgt@herts.police.uk"}, claim="role", role_map=roles) == "police"
    assert role_of({"role": "admin", "email": "x@y"}, claim="role", role_map=roles) is None


def test_a_bad_role_map_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "roles.json"
    path.write_text(json.dumps({"a@b": "superuser"}))
    with pytest.raises(ValueError, match="'a@b' has role 'superuser'"):
        read_role_map(path)


@pytest.mark.parametrize("role", ["analyst", "police", "partner"])
def test_check_role_gives_back_each_role(role: str) -> None:
    assert check_role(role) == role


@pytest.mark.parametrize("bad", ["Police", "admin", "", None])
def test_check_role_refuses_anything_else_and_lists_the_roles(bad: object) -> None:
    expected = f"`role` must be one of analyst, police, partner, got {bad!r}."
    with pytest.raises(ValueError, match=re.escape(expected)):
        check_role(bad)


# Every function that takes a role checks it with check_role: one list, one message. The
# other arguments are never reached, so they can be anything.
ROLE_TAKERS: dict[str, Callable[[str], object]] = {
    "records_for_export": lambda role: records_for_export(pd.DataFrame(), role=role),
    "district_indicators": lambda role: survey.district_indicators(pd.DataFrame(), role=role),
    "county_indicators": lambda role: survey.county_indicators(pd.DataFrame(), role=role),
    "breakdown": lambda role: survey.breakdown(pd.DataFrame(), "sex", role=role),
    "change_between_periods": lambda role: survey.change_between_periods(pd.DataFrame(), role=role),
    "headline_figures": lambda role: headline_figures(None, None, role=role),
    "build_board_pack": lambda role: build_board_pack(None, filters=None, role=role),
    "build_briefing": lambda role: build_briefing(None, district="Watford", since=None, until=None, role=role),
}


@pytest.mark.parametrize("name", sorted(ROLE_TAKERS))
def test_every_function_taking_a_role_refuses_an_unknown_one_alike(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape("`role` must be one of analyst, police, partner, got 'Admin'.")):
        ROLE_TAKERS[name]("Admin")


def test_the_role_setting_is_checked_the_same_way() -> None:
    with pytest.raises(SettingsError, match=re.escape(
        "SAFETYMAP_ROLE='boss': `role` must be one of analyst, police, partner, got 'boss'. "
    )):
        load_settings({"SAFETYMAP_ROLE": "boss"})
