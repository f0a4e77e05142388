"""Sign-in end to end: st.login against a local OpenID Connect provider, in headless Chromium.

The provider is the PyPI package oidc-provider-mock on 127.0.0.1. Three users: one with a
role claim, one whose role comes from the e-mail map, one with no role at all.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import free_port, run_streamlit
from playwright.sync_api import Browser, Page

from safetymap.audit import read
from safetymap.settings import PROJECT_ROOT

USERS = [
    {"sub": "alice", "email": "alice@example.org", "role": "analyst"},
    {"sub": "bob", "email": "bob@example.org"},
    {"sub": "carol", "email": "carol@example.org"},
]


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    executable = shutil.which("oidc-provider-mock") or str(
        Path(sys.executable).parent / "oidc-provider-mock"
    )
    port = free_port()
    command = [executable, "--host", "127.0.0.1", "--port", str(port)]
    for user in USERS:
        command += ["--user-claims", json.dumps(user)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/.well-known/openid-configuration", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def signed_app(provider: str, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("home")
    port = free_port()
    (home / ".streamlit").mkdir()
    (home / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-for-production"\n'
        'client_id = "safetymap-test"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    role_map = home / "roles.json"
    role_map.write_text(json.dumps({"BOB@example.org": "police"}))
    audit_log = home / "audit.log"
    # Not the shared fixture: this server needs its port known before it starts.
    with run_streamlit(
        PROJECT_ROOT / "dashboard.py",
        port=port,
        log=home / "streamlit.log",
        env={
            "HOME": str(home),
            "SAFETYMAP_CACHE_DIR": str(home / "cache"),
            "SAFETYMAP_DEMO_REPORTS": "1500",
            "SAFETYMAP_DEMO_RESPONSES": "1000",
            "SAFETYMAP_ROLE_MAP": str(role_map),
            "SAFETYMAP_AUDIT_LOG": str(audit_log),
            "SAFETYMAP_DATA": "",
        },
    ):
        yield f"http://localhost:{port}", audit_log


def _sign_in(page: Page, app_url: str, sub: str) -> None:
    page.goto(app_url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(f"{app_url}/**", timeout=30_000)


def test_signed_out_visitors_see_only_the_sign_in(signed_app: tuple[str, Path], chromium: Browser) -> None:
    app_url, _ = signed_app
    context = chromium.new_context()
    page = context.new_page()
    page.goto(app_url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    body = page.locator("body").inner_text()
    assert "Where people report feeling unsafe" not in body
    assert "Filters" not in body
    assert page.locator("iframe").count() == 0
    context.close()


@pytest.mark.parametrize(
    ("sub", "role"),
    [("alice", "analyst"), ("bob", "police")],
)
def test_a_user_signs_in_with_the_role_of_their_claim_or_email(
    signed_app: tuple[str, Path], chromium: Browser, sub: str, role: str
) -> None:
    app_url, audit_log = signed_app
    context = chromium.new_context()
    page = context.new_page()
    _sign_in(page, app_url, sub)
    page.get_by_text(f"Signed in as {sub}@example.org ({role}).").wait_for(timeout=60_000)
    page.get_by_text("Where people report feeling unsafe").wait_for()
    context.close()
    entries = [e for e in read(audit_log) if e["user"] == f"{sub}@example.org"]
    assert entries
    assert entries[-1]["event"] == "sign_in"
    assert entries[-1]["role"] == role


def test_a_user_without_a_role_sees_nothing(signed_app: tuple[str, Path], chromium: Browser) -> None:
    app_url, audit_log = signed_app
    context = chromium.new_context()
    page = context.new_page()
    _sign_in(page, app_url, "carol")
    page.get_by_text("no role is set for you").wait_for(timeout=60_000)
    body = page.locator("body").inner_text()
    assert "Where people report feeling unsafe" not in body
    context.close()
    entries = [e for e in read(audit_log) if e["user"] == "carol@example.org"]
    assert entries[-1]["event"] == "sign_in_refused"

