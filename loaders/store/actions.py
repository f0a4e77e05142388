"""Name what the problem-solving log holds: an action at a place, its fields and their checks.

An action is something an agency does at a place people reported (a light fixed, a hedge
cut back, a patrol): what, which agency, its status, when it started and was done, and who
recorded it. A place is kept as its centre (latitude and longitude rounded to 4 decimal
places, about 10 m) and its name at the time, so that an action still points at the same
ground when next quarter's places are grouped differently.

Every field is checked before anything is written, and every problem is named at once
(field, what was expected, what was found): :class:`ActionRefused`. The store
(``loaders.store.sql.SQLStore.record_action`` and ``update_action``) writes an action and
its history in one transaction, or nothing. Who may record or edit is decided above the
store (``safetymap.action_log``). Nothing here imports streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Final

import pandas as pd

from geodata import DISTRICTS
from loaders.store.base import StoreError

__all__ = [
    "ACTION_FIELDS",
    "ACTION_STATUSES",
    "COORDINATE_DECIMALS",
    "EDITABLE_FIELDS",
    "HISTORY_COLUMNS",
    "MAX_WHAT",
    "Action",
    "ActionRefused",
    "actions_frame",
    "check_changes",
    "check_new_action",
]

#: Statuses of an action, in the order of its life.
ACTION_STATUSES: Final = ("open", "in_progress", "done", "dropped")
#: Decimal places a place's centre is kept to: 0.0001° is about 11 m north-south, 7 m east-west.
COORDINATE_DECIMALS: Final = 4
#: The longest description of an action, in characters.
MAX_WHAT: Final = 1000
#: Fields given when an action is recorded (``recorded_by`` and ``recorded_at`` come from the
#: store: who asked, and when).
ACTION_FIELDS: Final = ("place_name", "district_code", "latitude", "longitude", "agency",
                        "what", "status", "started", "done_on")
#: Fields an edit may change; the place and the agency are fixed (record a new action).
EDITABLE_FIELDS: Final = ("what", "status", "started", "done_on")
#: Columns of the history of changes (``SQLStore.action_history``).
HISTORY_COLUMNS: Final = ("action_id", "changed_at", "changed_by", "field", "old_value",
                          "new_value")
#: A generous box around Hertfordshire (the county lies within 51.59-52.08 N, 0.75 W-0.20 E).
_LATITUDES = (51.55, 52.12)
_LONGITUDES = (-0.80, 0.25)


class ActionRefused(StoreError):  # noqa: N818 - reads as what the user is told
    """A change to the log was refused; nothing was written.

    ``problems`` holds one line per problem: ``field F: expected E, found X``.
    """

    def __init__(self, problems: list[str]) -> None:
        """Keep the problems and say them all in the message."""
        self.problems = tuple(problems)
        super().__init__("The change to the problem-solving log was refused and nothing was "
                         "written: " + "; ".join(problems) + ".")


@dataclass(frozen=True)
class Action:
    """One action of the log, as the store holds it."""

    action_id: int
    place_name: str
    district_code: str
    latitude: float
    longitude: float
    agency: str
    what: str
    status: str
    started: date
    done_on: date | None
    recorded_by: str
    recorded_at: datetime

    def values(self) -> dict[str, object]:
        """Return the fields as a dictionary."""
        return asdict(self)


def _found(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "nothing"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(name: str, value: object, problems: list[str], *, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"field {name}: expected text, found {_found(value)}")
        return ""
    text = " ".join(value.split())  # one line: no control characters, no line breaks
    if len(text) > limit:
        problems.append(f"field {name}: expected at most {limit:,} characters, found "
                        f"{len(text):,}")
    return text


def _day(name: str, value: object, problems: list[str], *, required: bool) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"field {name}: expected a date (YYYY-MM-DD), found nothing")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(f"field {name}: expected a date (YYYY-MM-DD), found {_found(value)}")
        return None


def _coordinate(name: str, value: object, bounds: tuple[float, float],
                problems: list[str]) -> float:
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or not bounds[0] <= number <= bounds[1]:
        problems.append(f"field {name}: expected a number from {bounds[0]} to {bounds[1]} "
                        f"(a place in Hertfordshire), found {_found(value)}")
        return math.nan
    return round(float(number), COORDINATE_DECIMALS)


def _consistent(status: str, started: date | None, done_on: date | None,
                problems: list[str]) -> None:
    """Check that the status, start and end of an action agree with one another."""
    if status == "done" and done_on is None:
        problems.append("field done_on: expected the day the action was done (status done), "
                        "found nothing")
    if status in ("open", "in_progress") and done_on is not None:
        problems.append(f"field done_on: expected nothing while the status is {status}, "
                        f"found {done_on.isoformat()}")
    if started is not None and done_on is not None and done_on < started:
        problems.append(f"field done_on: expected a day on or after started "
                        f"({started.isoformat()}), found {done_on.isoformat()}")


def _status(value: object, problems: list[str]) -> str:
    if value not in ACTION_STATUSES:
        problems.append(f"field status: expected one of {', '.join(ACTION_STATUSES)}, "
                        f"found {_found(value)}")
        return ""
    return str(value)


def check_new_action(values: Mapping[str, object]) -> dict[str, object]:
    """Return the fields of an action to record, checked and tidied; refuse with every problem.

    Parameters
    ----------
    values
        :data:`ACTION_FIELDS`; ``status`` defaults to ``open`` and ``done_on`` to nothing.

    Returns
    -------
    dict
        The same fields: text on one line, coordinates rounded to
        :data:`COORDINATE_DECIMALS` places, dates as :class:`datetime.date`.

    Raises
    ------
    ActionRefused
        One problem per bad or unknown field.
    """
    problems = [f"field {name}: expected one of {', '.join(ACTION_FIELDS)}, found an "
                "unknown field" for name in values if name not in ACTION_FIELDS]
    district = values.get("district_code")
    if district not in DISTRICTS:
        problems.append(f"field district_code: expected a Hertfordshire district code "
                        f"(E07000095 ...), found {_found(district)}")
    checked: dict[str, object] = {
        "place_name": _text("place_name", values.get("place_name"), problems),
        "district_code": str(district),
        "latitude": _coordinate("latitude", values.get("latitude"), _LATITUDES, problems),
        "longitude": _coordinate("longitude", values.get("longitude"), _LONGITUDES, problems),
        "agency": _text("agency", values.get("agency"), problems),
        "what": _text("what", values.get("what"), problems, limit=MAX_WHAT),
        "status": _status(values.get("status", "open"), problems),
        "started": _day("started", values.get("started"), problems, required=True),
        "done_on": _day("done_on", values.get("done_on"), problems, required=False),
    }
    if checked["status"]:
        _consistent(str(checked["status"]), checked["started"],  # type: ignore[arg-type]
                    checked["done_on"], problems)  # type: ignore[arg-type]
    if problems:
        raise ActionRefused(problems)
    return checked


def check_changes(action: Action, changes: Mapping[str, object]) -> dict[str, object]:
    """Return the fields an edit changes, checked against the action as it stands.

    Parameters
    ----------
    action
        The action as the store holds it.
    changes
        New values of :data:`EDITABLE_FIELDS`; a value equal to the stored one is no change.

    Returns
    -------
    dict
        Only the fields whose value changes (empty when none does).

    Raises
    ------
    ActionRefused
        A field that cannot be edited, a bad value, or a status, start and end that would
        not agree (a done action needs the day it was done).
    """
    problems = [
        f"field {name}: expected one of {', '.join(EDITABLE_FIELDS)} (the place and agency "
        "of an action are fixed: record a new action), found a change to it"
        for name in changes if name not in EDITABLE_FIELDS
    ]
    merged = action.values()
    if "what" in changes:
        merged["what"] = _text("what", changes["what"], problems, limit=MAX_WHAT)
    if "status" in changes:
        merged["status"] = _status(changes["status"], problems)
    if "started" in changes:
        merged["started"] = _day("started", changes["started"], problems, required=True)
    if "done_on" in changes:
        merged["done_on"] = _day("done_on", changes["done_on"], problems, required=False)
    if merged["status"]:
        _consistent(str(merged["status"]), merged["started"],  # type: ignore[arg-type]
                    merged["done_on"], problems)  # type: ignore[arg-type]
    if problems:
        raise ActionRefused(problems)
    current = action.values()
    return {name: merged[name] for name in EDITABLE_FIELDS if merged[name] != current[name]}


def actions_frame(actions: list[Action]) -> pd.DataFrame:
    """Return actions as a table: one row per action, the columns of :class:`Action`."""
    names = [f.name for f in fields(Action)]
    if not actions:
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    return pd.DataFrame([a.values() for a in actions], columns=names)
