"""Draw the problem-solving log on the Action lists page: record, edit, history, did it work.

Police and analysts record an action at one of the selection's places, edit an action's
status, dates and description, read its history and, for a completed action, the
before-and-after reading (:mod:`safetymap.analysis.evaluation`). Partners read their own
agency's actions (:func:`safetymap.action_log.log_table`) and nothing else of the log.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from loaders.store import Store
from loaders.store.actions import ACTION_STATUSES, ActionRefused
from safetymap.action_log import (
    STATUS_WORDS,
    edit_action,
    history_table,
    log_table,
    may_edit,
    partner_listed_places,
    record_action,
)
from safetymap.analysis.evaluation import MIN_REPORTS, MIN_WINDOW_DAYS, evaluate_action
from safetymap.analysis.places import patrol_places
from safetymap.ui.app import PageContext, action_store
from safetymap.ui.state import Keys
from safetymap.ui.text import escape_markdown

__all__ = ["evaluation_table", "show_log"]


def _places(context: PageContext) -> pd.DataFrame:
    return patrol_places(context.reports, context.filters, limit=50)


def evaluation_table(store: Store, context: PageContext) -> pd.DataFrame:
    """Return, per completed action, the reports before and after and the reading."""
    rows = []
    for action in store.actions():
        if action.status != "done" or action.done_on is None:
            continue
        found = evaluate_action(context.reports, latitude=action.latitude,
                                longitude=action.longitude,
                                district_code=action.district_code, started=action.started,
                                done_on=action.done_on)
        rows.append({
            "Action": action.action_id, "Place": action.place_name, "Agency": action.agency,
            "Before": f"{found.before_window[0]:%d/%m/%Y}-{found.before_window[1]:%d/%m/%Y}",
            "After": f"{found.after_window[0]:%d/%m/%Y}-{found.after_window[1]:%d/%m/%Y}",
            "Within 150 m": f"{found.place_before} to {found.place_after}",
            "150-400 m": f"{found.ring_before} to {found.ring_after}",
            "Rest of district": f"{found.district_before} to {found.district_after}",
            "Reading": found.reading,
        })
    return pd.DataFrame(rows)


def _say(outcome: tuple[str, str] | None) -> None:
    """Show what the last record or edit did (a callback left it in the session)."""
    if outcome is None:
        return
    kind, text = outcome
    (st.success if kind == "success" else st.error)(escape_markdown(text))


def _on_record(context: PageContext, store: Store, places: pd.DataFrame) -> None:
    state = st.session_state
    place = places.iloc[int(state.get(Keys.LOG_PLACE) or 0)]
    try:
        action = record_action(store, {
            "place_name": str(place["name"]), "district_code": str(place["district_code"]),
            "latitude": float(place["latitude"]), "longitude": float(place["longitude"]),
            "agency": state.get(Keys.LOG_AGENCY), "what": state.get(Keys.LOG_WHAT),
            "status": state.get(Keys.LOG_STATUS), "started": state.get(Keys.LOG_STARTED),
            "done_on": state.get(Keys.LOG_DONE),
        }, user=context.viewer.user, role=context.role, agencies=context.agencies,
            audit_path=context.settings.audit_path())
    except ActionRefused as refused:
        state[Keys.LOG_OUTCOME] = ("error", str(refused))
    else:
        state[Keys.LOG_OUTCOME] = ("success", f"Recorded action {action.action_id}.")


def _record(context: PageContext, store: Store, agency_name: str) -> None:
    places = _places(context)
    st.markdown("**Record an action**")
    if places.empty:
        st.write("The selection holds no place to record an action at.")
        return
    labels = [f"{row.name} ({row.district})" for row in places.itertuples()]
    st.selectbox("Place (from the selection's places)", range(len(labels)),
                 format_func=labels.__getitem__, key=Keys.LOG_PLACE)
    names = list(context.agencies.names)
    st.selectbox("Agency", names, index=names.index(agency_name), key=Keys.LOG_AGENCY)
    st.text_input("What is done", key=Keys.LOG_WHAT, max_chars=1000)
    st.selectbox("Status", list(ACTION_STATUSES), format_func=STATUS_WORDS.__getitem__,
                 key=Keys.LOG_STATUS)
    st.date_input("Started", value=date.today(), format="DD/MM/YYYY", key=Keys.LOG_STARTED)
    st.date_input("Done on (when done)", value=None, format="DD/MM/YYYY", key=Keys.LOG_DONE)
    st.button("Record the action", key=Keys.LOG_RECORD, on_click=_on_record,
              args=(context, store, places))
    _say(st.session_state.pop(Keys.LOG_OUTCOME, None))


def _on_save(context: PageContext, store: Store, action_id: int) -> None:
    state = st.session_state
    key = f".{action_id}"
    try:
        edit_action(store, action_id, {
            "what": state.get(Keys.LOG_EDIT_WHAT + key),
            "status": state.get(Keys.LOG_EDIT_STATUS + key),
            "started": state.get(Keys.LOG_EDIT_STARTED + key),
            "done_on": state.get(Keys.LOG_EDIT_DONE + key),
        }, user=context.viewer.user, role=context.role,
            audit_path=context.settings.audit_path())
    except ActionRefused as refused:
        state[Keys.LOG_SAVED] = ("error", str(refused))
    else:
        state[Keys.LOG_SAVED] = ("success", f"Saved action {action_id}.")


def _edit(context: PageContext, store: Store, action_id: int) -> None:
    action = next(a for a in store.actions() if a.action_id == action_id)
    st.markdown(f"**Edit action {action_id}**")
    key = f".{action_id}"  # fresh widgets for each action: they start from its values
    st.text_input("What is done", value=action.what, key=Keys.LOG_EDIT_WHAT + key)
    st.selectbox("Status", list(ACTION_STATUSES), index=ACTION_STATUSES.index(action.status),
                 format_func=STATUS_WORDS.__getitem__, key=Keys.LOG_EDIT_STATUS + key)
    st.date_input("Started", value=action.started, format="DD/MM/YYYY",
                  key=Keys.LOG_EDIT_STARTED + key)
    st.date_input("Done on", value=action.done_on, format="DD/MM/YYYY",
                  key=Keys.LOG_EDIT_DONE + key)
    st.button("Save the change", key=Keys.LOG_SAVE, on_click=_on_save,
              args=(context, store, action_id))
    _say(st.session_state.pop(Keys.LOG_SAVED, None))


def show_log(context: PageContext, agency_name: str) -> None:
    """Draw the problem-solving log for the viewer's role."""
    st.subheader("Problem-solving log")
    store = action_store(context)
    if store is None:
        st.info("The problem-solving log is kept in the shared store: set SAFETYMAP_STORE "
                "to a .gpkg file or a postgresql:// URL to keep one.")
        return
    role = context.role
    if role == "partner":
        agency = context.viewer.agency
        if agency is None:
            st.write("No agency is set for you, so no action is shown: ask the dashboard's "
                     "administrator to set yours (SAFETYMAP_AGENCY_MAP with sign-in, "
                     "SAFETYMAP_AGENCY without).")
            return
        listed = partner_listed_places(context.reports, context.filters, context.agencies,
                                       agency)
        table = log_table(store.actions(), role, agency=agency, listed_places=listed)
        st.write(escape_markdown(f"Actions of {agency}. A place is named only when it is on "
                                 "your agency's action list for the quarter."))
    else:
        if may_edit(role):
            _record(context, store, agency_name)
        table = log_table(store.actions(), role)
    if table.empty:
        st.write("No action is in the log yet.")
        return
    st.dataframe(table, hide_index=True, width="stretch")
    ids = table["Action"].astype(int).tolist()
    chosen = int(st.selectbox("Action", ids, key=Keys.LOG_ACTION) or ids[0])
    if may_edit(role):
        _edit(context, store, chosen)
    st.markdown(f"**History of action {chosen}**")
    st.dataframe(history_table(store, chosen, role), hide_index=True, width="stretch")
    if role == "partner":
        st.caption("Before-and-after figures count reports at small places, so they are "
                   "for police and analysts.")
        return
    st.markdown("**Did it work?**")
    st.caption(escape_markdown(
        f"For each completed action: reports within 150 m of its place in the days before it "
        f"started against as many days after it was done (the action's length, at least "
        f"{MIN_WINDOW_DAYS}), against the ring from 150 to 400 m (displacement) and the rest "
        f"of the district (the trend), with an exact test; fewer than {MIN_REPORTS} reports "
        "before and after together are too few to tell."))
    readings = evaluation_table(store, context)
    if readings.empty:
        st.write("No action is done yet.")
    else:
        st.dataframe(readings, hide_index=True, width="stretch")
