"""Keep the problem-solving log: who may record and edit actions, what each role sees of them.

Police and analysts record an action at a place and edit its status; partners see their
own agency's actions and change nothing. Every change is one transaction in the store
(:meth:`loaders.store.sql.SQLStore.record_action`, ``update_action``) with a row of
history per field, and one line in the audit log (``action_recorded``, ``action_edited``);
a refused change (a partner, an unknown agency, a bad field) writes nothing to the store
and one ``action_refused`` line, and raises :class:`ActionRefused` naming every field, what
was expected and what was found.

Partners see a place with an action only when it is on their agency's action list (5 or
more reports giving the agency's reasons in the quarter, docs/disclosure.md rule 13),
and never its coordinates or who recorded it. Nothing here imports streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from geodata import DISTRICTS
from loaders.counts import ReportCounts
from loaders.store import Store
from loaders.store.actions import (
    EDITABLE_FIELDS,
    Action,
    ActionRefused,
    actions_frame,
    check_new_action,
)
from safetymap import audit
from safetymap.agencies import AgencyMap
from safetymap.analysis.actions import agency_actions
from safetymap.analysis.counts import as_counts
from safetymap.analysis.filters import Filters
from safetymap.analysis.patrol import study_area
from safetymap.analysis.places import LINK_M
from safetymap.disclosure import partner_hotspot_filters, partner_quarter
from safetymap.roles import SMALL_COUNT, Role, check_role

__all__ = [
    "EDITORS",
    "NOT_SHOWN_PLACE",
    "STATUS_WORDS",
    "ActionRefused",
    "board_tables",
    "edit_action",
    "log_table",
    "may_edit",
    "partner_listed_places",
    "record_action",
]

#: Roles that record and edit actions.
EDITORS: tuple[Role, ...] = ("analyst", "police")
#: Statuses in words.
STATUS_WORDS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                "dropped": "Dropped"}
#: What a partner reads instead of a place that is not on their action list.
NOT_SHOWN_PLACE = "not shown (not on your agency's action list: fewer than 5 reports)"
_TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def may_edit(role: Role) -> bool:
    """Tell whether a role records and edits actions."""
    return check_role(role) in EDITORS


def _refuse(problems: list[str], *, audit_path: Path, user: str, role: Role,
            what: str) -> ActionRefused:
    audit.record(audit_path, "action_refused", user=user, role=role,
                 detail=f"{what}: " + "; ".join(problems))
    return ActionRefused(problems)


def _role_problem(role: Role) -> list[str]:
    if may_edit(role):
        return []
    return [(f"field role: expected {' or '.join(EDITORS)} (who record and edit actions), "
             f"found {role}")]


def record_action(
    store: Store,
    values: Mapping[str, object],
    *,
    user: str,
    role: Role,
    agencies: AgencyMap,
    audit_path: Path,
) -> Action:
    """Record an action at a place (police and analysts), in one transaction, and audit it.

    ``values`` are the fields of ``loaders.store.actions.ACTION_FIELDS``; ``agency`` must
    name an agency of the settings (any case; the start of a name is enough, as
    :meth:`~safetymap.agencies.AgencyMap.find` reads it) and is stored by its full name.

    Raises
    ------
    ActionRefused
        The role may not record, the agency is unknown, or a field is bad: every problem
        named, nothing written to the store, one ``action_refused`` line in the audit log.
    """
    problems = _role_problem(role)
    fields = dict(values)
    found = agencies.find(str(fields.get("agency") or ""))
    if found is None:
        problems.append(f"field agency: expected one of {', '.join(agencies.names)}, found "
                        f"{fields.get('agency')!r}")
    else:
        fields["agency"] = found.name
    try:
        check_new_action(fields)
    except ActionRefused as refused:
        problems += [p for p in refused.problems if not p.startswith("field agency:")]
    if problems:
        raise _refuse(problems, audit_path=audit_path, user=user, role=role,
                      what="record an action")
    action = store.record_action(fields, user=user)
    audit.record(audit_path, "action_recorded", user=user, role=role,
                 detail=f"action {action.action_id}; agency {action.agency}; status "
                        f"{action.status}; district {action.district_code}")
    return action


def edit_action(
    store: Store,
    action_id: int,
    changes: Mapping[str, object],
    *,
    user: str,
    role: Role,
    audit_path: Path,
) -> Action:
    """Change an action's ``what``, ``status``, ``started`` or ``done_on``, and audit it.

    Raises
    ------
    ActionRefused
        A partner, no such action, a field that cannot be edited or a bad value; nothing
        written to the store, one ``action_refused`` line in the audit log.
    """
    problems = _role_problem(role)
    if problems:
        raise _refuse(problems, audit_path=audit_path, user=user, role=role,
                      what=f"edit action {action_id}")
    try:
        action, changed = store.update_action(action_id, dict(changes), user=user)
    except ActionRefused as refused:
        raise _refuse(list(refused.problems), audit_path=audit_path, user=user, role=role,
                      what=f"edit action {action_id}") from None
    if changed:
        words = [f"{name} {'changed' if name == 'what' else 'to ' + str(value)}"
                 for name, value in changed.items()]
        audit.record(audit_path, "action_edited", user=user, role=role,
                     detail=f"action {action_id}; agency {action.agency}; "
                            + ", ".join(words))
    return action


def partner_listed_places(
    reports: ReportCounts | pd.DataFrame, filters: Filters, agency_map: AgencyMap,
    agency: str,
) -> pd.DataFrame:
    """Return the places on a partner's agency action list: name, latitude and longitude.

    As ``safetymap.reports.actions.build_action_list`` makes it for partners: the whole
    county over the calendar quarter holding the period's end, places where 5 or more
    reports give the agency's reasons. The centres are for matching actions only: they
    are never shown to a partner.
    """
    found = agency_map.find(agency)
    columns = ["name", "latitude", "longitude"]
    if found is None:
        return pd.DataFrame(columns=columns)
    counts = as_counts(reports)
    everything = partner_hotspot_filters(partner_quarter(counts, filters.end))
    actions = agency_actions(counts, everything, found, area=study_area(everything.districts))
    return actions.loc[actions["agency_reports"] >= SMALL_COUNT, columns].reset_index(drop=True)


def _near(actions: pd.DataFrame, places: pd.DataFrame) -> np.ndarray:
    """Return, per action, the index of a place within 150 m of its centre (-1: none)."""
    if actions.empty or places.empty:
        return np.full(len(actions), -1)
    ax, ay = _TO_GRID.transform(actions["longitude"].to_numpy(float),
                                actions["latitude"].to_numpy(float))
    px, py = _TO_GRID.transform(places["longitude"].to_numpy(float),
                                places["latitude"].to_numpy(float))
    distance = np.hypot(np.subtract.outer(np.asarray(ax), np.asarray(px)),
                        np.subtract.outer(np.asarray(ay), np.asarray(py)))
    nearest = distance.argmin(axis=1)
    return np.where(distance.min(axis=1) <= LINK_M, nearest, -1)


def log_table(
    actions: list[Action], role: Role, *, agency: str | None = None,
    listed_places: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the log as a role may read it, one action a row, most recent first.

    Police and analysts: every action, with its place, centre and who recorded it.
    Partners: only ``agency``'s actions (none without an agency); the place's name only
    when a place of ``listed_places`` (:func:`partner_listed_places`) lies within 150 m of
    it, else :data:`NOT_SHOWN_PLACE`; no coordinates, no one's name.
    """
    check_role(role)
    frame = actions_frame(actions).iloc[::-1].reset_index(drop=True)
    partner = role == "partner"
    if partner:
        frame = frame[frame["agency"] == agency].reset_index(drop=True) if agency else \
            frame.iloc[0:0]
    table = pd.DataFrame({
        "Action": frame["action_id"].astype("int64"),
        "Agency": frame["agency"],
        "What": frame["what"],
        "Status": [STATUS_WORDS.get(str(s), str(s)) for s in frame["status"]],
        "Started": [f"{d:%d/%m/%Y}" for d in frame["started"]],
        "Done": ["" if d is None or pd.isna(d) else f"{d:%d/%m/%Y}" for d in frame["done_on"]],
        "District": [DISTRICTS.get(str(c), str(c)) for c in frame["district_code"]],
    })
    if partner:
        near = _near(frame, listed_places if listed_places is not None else pd.DataFrame())
        table.insert(1, "Place", [NOT_SHOWN_PLACE if i < 0 else str(listed_places["name"].iloc[i])  # type: ignore[index]
                                  for i in near])
        return table
    table.insert(1, "Place", frame["place_name"])
    table["Latitude"] = frame["latitude"].astype(float)
    table["Longitude"] = frame["longitude"].astype(float)
    table["Recorded by"] = frame["recorded_by"]
    return table


#: A field of the log in the words the history table uses.
FIELD_WORDS: dict[str, str] = {
    "place_name": "Place", "district_code": "District (code)", "latitude": "Latitude",
    "longitude": "Longitude", "agency": "Agency", "what": "What is done", "status": "Status",
    "started": "Started", "done_on": "Done on", "recorded_by": "Recorded by",
}


def history_table(store: Store, action_id: int, role: Role) -> pd.DataFrame:
    """Return one action's history as a role may read it: who changed what, when.

    Partners see the changes to its status, dates and description, not who made them
    nor the place's fields (the caller shows partners only their own agency's actions).
    """
    history = store.action_history(action_id)
    partner = check_role(role) == "partner"
    if partner:
        history = history[history["field"].isin(EDITABLE_FIELDS)]
    table = pd.DataFrame({
        "When (UTC)": [f"{t:%d/%m/%Y %H:%M}" for t in history["changed_at"]],
        "Field": [FIELD_WORDS.get(str(f), str(f)) for f in history["field"]],
        "From": ["" if v is None else str(v) for v in history["old_value"]],
        "To": ["" if v is None else str(v) for v in history["new_value"]],
    })
    if not partner:
        table.insert(1, "By", history["changed_by"].to_numpy(dtype=object))
    return table


def board_tables(
    actions: list[Action] | tuple[Action, ...],
    places: pd.DataFrame,
    period: tuple[date, date] | None,
    role: Role,
    *,
    limit: int = 5,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the board's two tables of the log: actions by agency, and places without one.

    Parameters
    ----------
    actions
        Every action of the log.
    places
        :func:`~safetymap.analysis.places.patrol_places` (``limit=None``) of what the role
        may see: for partners, the county's places of the quarter with 5 reports or more.
    period
        The board's first and last day; None: no report in the selection.
    role
        Who reads it: partners get counts of actions by agency (counts of actions, not of
        reports) and places' reports as "5 or more".

    Returns
    -------
    tuple
        ``Agency``, ``Opened`` (started in the period), ``Completed`` (done in the period),
        one row per agency with either; and ``Place``, ``District``, ``Reports``: the
        ``limit`` places with most reports and no action (other than a dropped one)
        within 150 m of their centre.
    """
    check_role(role)
    if period is None:
        return (pd.DataFrame(columns=["Agency", "Opened", "Completed"]),
                pd.DataFrame(columns=["Place", "District", "Reports"]))
    first, last = period
    opened: dict[str, int] = {}
    completed: dict[str, int] = {}
    for action in actions:
        if first <= action.started <= last:
            opened[action.agency] = opened.get(action.agency, 0) + 1
        if action.status == "done" and action.done_on is not None and (
                first <= action.done_on <= last):
            completed[action.agency] = completed.get(action.agency, 0) + 1
    names = sorted(set(opened) | set(completed))
    by_agency = pd.DataFrame({
        "Agency": names,
        "Opened": [opened.get(n, 0) for n in names],
        "Completed": [completed.get(n, 0) for n in names],
    })
    live = actions_frame([a for a in actions if a.status != "dropped"])
    acted = _near(places, live) if not places.empty else np.array([], dtype=int)
    untouched = places[acted < 0].head(limit) if len(places) else places
    partner = role == "partner"
    return by_agency, pd.DataFrame({
        "Place": untouched["name"].to_numpy(dtype=object),
        "District": untouched["district"].to_numpy(dtype=object),
        "Reports": [f"{SMALL_COUNT} or more" if partner else f"{int(n):,}"
                    for n in untouched["reports"]],
    })
