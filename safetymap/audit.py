"""Append who signed in, exported or changed the problem-solving log to an audit log.

One JSON object a line.

An entry holds the user's identifier, the time, the event and a short description of what
was done (which table, how many rows, which filters): never the content of a report, a
survey answer or a service location.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

EVENTS = frozenset({"sign_in", "sign_in_refused", "sign_out", "export", "ingest",
                    "action_recorded", "action_edited", "action_refused"})


def record(path: Path, event: str, *, user: str, role: str, detail: str = "") -> None:
    """Append one entry to the audit log at ``path`` (created with its folder if needed).

    One ``write`` of one line to a file opened for appending, so entries from several
    processes do not interleave.
    """
    if event not in EVENTS:
        raise ValueError(f"`event` must be one of {sorted(EVENTS)}, got {event!r}.")
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": event,
        "user": user,
        "role": role,
        "detail": detail,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def read(path: Path) -> list[dict[str, str]]:
    """Return every entry of the audit log (empty when there is none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
