"""The audit log: one JSON line per sign-in or export, appended, with no report data."""

from __future__ import annotations

from pathlib import Path

import pytest

from safetymap.audit import read, record


def test_entries_are_appended_in_order(tmp_path: Path) -> None:
    log = tmp_path / "nested" / "audit.log"
    record(log, "sign_in", user="alice@example.org", role="analyst")
    record(log, "export", user="alice@example.org", role="analyst",
           detail="StreetSafe reports as CSV: 12 rows")
    entries = read(log)
    assert [(e["event"], e["user"], e["role"]) for e in entries] == [
        ("sign_in", "alice@example.org", "analyst"),
        ("export", "alice@example.org", "analyst"),
    ]
    assert entries[1]["detail"] == "StreetSafe reports as CSV: 12 rows"
    assert entries[0]["at"].endswith("+00:00")
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_an_unknown_event_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="`event` must be one of"):
        record(tmp_path / "audit.log", "viewed", user="x", role="partner")


def test_no_log_reads_as_empty(tmp_path: Path) -> None:
    assert read(tmp_path / "missing.log") == []
