"""Decide who is looking: sign-in with OpenID Connect when configured, else a local user.

Sign-in is on when Streamlit's secrets have an ``[auth]`` section (``st.login``). Then a
signed-out visitor sees only the sign-in button, and a signed-in user whose role cannot be
found (claim or e-mail map) sees only a message. Without sign-in there is one local user:
their role is ``SAFETYMAP_ROLE`` with real data, or the demo role switcher with demo data.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from loaders.source import Dataset
from safetymap import audit
from safetymap.agencies import read_user_agencies
from safetymap.roles import ROLES, Role, read_role_map, role_of
from safetymap.settings import Settings
from safetymap.ui.state import Keys
from safetymap.ui.text import escape_markdown

ROLE_WORDS: dict[Role, str] = {
    "analyst": "Analyst: everything, including demographics and survey comments",
    "police": "Safer Neighbourhood Team: report points and hotspots, no personal data",
    "partner": "Partner: aggregates only, small numbers suppressed",
}


@dataclass(frozen=True)
class Viewer:
    """The person looking at the dashboard and the role they hold."""

    user: str
    role: Role
    signed_in: bool
    #: the agency a partner belongs to (a name of the agency settings), or None
    agency: str | None = None


def sign_in_configured() -> bool:
    """Tell whether Streamlit's secrets configure OpenID Connect sign-in."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def signed_in_viewer(settings: Settings) -> Viewer | None:
    """Return the signed-in viewer; None when sign-in is not configured.

    Stops the page (after drawing the sign-in button, or a message) when nobody is signed
    in or the user has no role. Each session's sign-in is written to the audit log once.
    """
    if not sign_in_configured():
        return None
    if not st.user.is_logged_in:
        st.title("Hertfordshire safety map")
        st.write("Sign in to see the map. Your role decides what you can see.")
        st.button("Sign in", type="primary", on_click=st.login)
        st.stop()
    claims = st.user.to_dict()
    user = str(claims.get("email") or claims.get("sub") or "unknown")
    role = role_of(claims, claim=settings.role_claim, role_map=read_role_map(settings.role_map))
    if not st.session_state.get(Keys.AUDITED_SIGN_IN):
        audit.record(
            settings.audit_path(), "sign_in" if role else "sign_in_refused",
            user=user, role=role or "",
            detail="" if role else f"no {settings.role_claim!r} claim and not in the role map",
        )
        st.session_state[Keys.AUDITED_SIGN_IN] = True
    if role is None:
        st.title("Hertfordshire safety map")
        st.error(
            f"You are signed in as {escape_markdown(user)}, but no role is set for you. Ask "
            "the dashboard's administrator to give you the analyst, police or partner role."
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
        raise AssertionError("unreachable")  # st.stop() ends the run
    with st.sidebar:
        st.caption(f"Signed in as {escape_markdown(user)} ({role}).")
        st.button("Sign out", on_click=st.logout)
    agency = read_user_agencies(settings.agency_map).get(user.strip().lower())
    return Viewer(user=user, role=role, signed_in=True, agency=agency)


def local_viewer(settings: Settings, dataset: Dataset) -> Viewer:
    """Return the local user: a role switcher on the built-in demo data, else the setting.

    Only the built-in demo (no data folder, no store) offers the switcher: a folder or store
    found to hold demo records is labelled synthetic but may hold real ones too, so its role
    comes from ``SAFETYMAP_ROLE`` like any real data.
    """
    built_in_demo = settings.data_dir is None and settings.store is None
    if not (dataset.synthetic and built_in_demo):
        return Viewer(user="local user", role=settings.role, signed_in=False,
                      agency=settings.agency)
    with st.sidebar:
        st.divider()
        choice = st.radio(
            "View as (demo data only)", options=list(ROLES),
            format_func=ROLE_WORDS.__getitem__, key=Keys.DEMO_ROLE,
            help="With real data the role comes from sign-in or SAFETYMAP_ROLE, not from here.",
        )
    role: Role = choice if choice in ROLES else "partner"
    return Viewer(user="demo user", role=role, signed_in=False, agency=settings.agency)
