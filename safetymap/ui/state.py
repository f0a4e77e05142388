"""Name every ``st.session_state`` key in one place."""

from __future__ import annotations

from typing import Final


class Keys:
    """Session-state keys of the shared sidebar filters."""

    INITIALISED: Final = "filters.initialised"
    DISTRICTS: Final = "filters.districts"
    DATES: Final = "filters.dates"
    TIMES: Final = "filters.times_of_day"
    REASONS: Final = "filters.reasons"
    LINK_PROBLEMS: Final = "filters.link_problems"
    CONTEXT: Final = "page.context"
    DEMO_ROLE: Final = "demo.role"
    AUDITED_SIGN_IN: Final = "auth.audited"
    OPEN_PLACE: Final = "open_now.place"
    OPEN_DAY: Final = "open_now.day"
    OPEN_TIME: Final = "open_now.time"
    OPEN_NOW: Final = "open_now.now"
    LOG_PLACE: Final = "log.place"
    LOG_AGENCY: Final = "log.agency"
    LOG_WHAT: Final = "log.what"
    LOG_STATUS: Final = "log.status"
    LOG_STARTED: Final = "log.started"
    LOG_DONE: Final = "log.done_on"
    LOG_RECORD: Final = "log.record"
    LOG_ACTION: Final = "log.action"
    LOG_EDIT_WHAT: Final = "log.edit.what"
    LOG_EDIT_STATUS: Final = "log.edit.status"
    LOG_EDIT_STARTED: Final = "log.edit.started"
    LOG_EDIT_DONE: Final = "log.edit.done_on"
    LOG_SAVE: Final = "log.save"
    LOG_OUTCOME: Final = "log.outcome"
    LOG_SAVED: Final = "log.saved"
