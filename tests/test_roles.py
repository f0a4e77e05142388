"""Disclosure rules of CONTRACT §5: small numbers, role lookup, the role map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safetymap.roles import count_text, read_role_map, role_of, suppressed_counts


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
