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
