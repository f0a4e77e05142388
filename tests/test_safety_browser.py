"""Hostile text and a confidential refuge, through the real dashboard in headless Chromium.

Every text field of every input carries a payload. No dialog may fire on any page, the
text must show literally where it is shown, and the refuge's coordinates must appear in
no page, map, download or server log. Partners get no point layer and "<5" for small counts.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import run_streamlit, wait_for_map_frame
from playwright.sync_api import Browser, Page

from safetymap.audit import read
from safetymap.settings import PROJECT_ROOT

PAYLOADS = ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "javascript:alert(1)")
IMG, SCRIPT, JS = PAYLOADS
REFUGE = ("51.812345", "-0.212345")
WATFORD = "51.65531,-0.39602"
HEMEL = "51.75368,-0.44975"
STEVENAGE = "51.90224,-0.20256"
# A page other than the first comes first: a fresh server's first request for a page of
# pages/ must still go through dashboard.py (navigation, layout, sign-in).
PAGES = ("hotspots", "county_map", "coverage_gaps", "feelings_of_safety", "records",
         "data_sources")


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def hostile_data(folder: Path) -> None:
    rows = ["report_id,submitted_at,latitude,longitude,occurred_at,environment,behaviour,"
            "location_label,age_band,sex"]
    for i in range(40):
        place = WATFORD if i % 2 else HEMEL
        label = PAYLOADS[i % 3]
        rows.append(f"{_csv_cell(SCRIPT + str(i))},2026-03-0{1 + i % 9} 10:00,{place},"
                    f"2026-03-01 2{i % 4}:00,poor_lighting,followed,{_csv_cell(label)},"
                    f"{_csv_cell(IMG)},{_csv_cell(JS)}")
    for i in range(3):  # Stevenage: a count a partner must see as "<5"
        rows.append(f"STV{i},2026-03-02 10:00,{STEVENAGE},2026-03-01 23:00,,,,,")
    rows.append(f"BAD1,2026-03-01 10:00,{WATFORD},,{_csv_cell(IMG)},,,,")  # refused: reason
    (folder / "streetsafe_hostile.csv").write_text("\n".join(rows) + "\n")
    survey = ["response_id,completed_at,district,safe_day,safe_after_dark,comment,age_band,sex,"
              "concern_latitude,concern_longitude"]
    for i in range(12):
        survey.append(f"{_csv_cell(IMG + str(i))},2026-03-02,Watford,Very safe,Very unsafe,"
                      f"{_csv_cell(SCRIPT)},{_csv_cell(IMG)},{_csv_cell(JS)},{WATFORD}")
    (folder / "survey_hostile.csv").write_text("\n".join(survey) + "\n")
    services = [
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,"
        "phone,website,eligibility",
        f"{_csv_cell(IMG)},{_csv_cell(IMG)},outreach,{WATFORD},no,Watford,Mo-Fr 09:00-17:00,"
        f"{_csv_cell(SCRIPT)},{_csv_cell(JS)},{_csv_cell(IMG)}",
        f"REF1,{_csv_cell(SCRIPT)},refuge,{REFUGE[0]},{REFUGE[1]},yes,county,24/7,"
        f"{_csv_cell(IMG)},{_csv_cell(JS)},women 18+",
    ]
    (folder / "services_hostile.csv").write_text("\n".join(services) + "\n")


@pytest.fixture(scope="module")
def hostile_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, Path]]]:
    """Start the dashboard on the hostile data twice: as an analyst and as a partner."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    hostile_data(data)
    apps: dict[str, tuple[str, Path]] = {}
    stacks = []
    for role in ("analyst", "partner"):
        log = root / f"{role}.log"
        stack = run_streamlit(
            PROJECT_ROOT / "dashboard.py", log=log,
            env={"SAFETYMAP_DATA": str(data), "SAFETYMAP_ROLE": role,
                 "SAFETYMAP_MAP_ASSETS": "local", "SAFETYMAP_AUDIT_LOG": str(root / "audit.log"),
                 "SAFETYMAP_CACHE_DIR": str(root / "cache")},
        )
        app = stack.__enter__()
        stacks.append(stack)
        apps[role] = (app.url, log)
    try:
        yield apps
    finally:
        for stack in reversed(stacks):
            stack.__exit__(None, None, None)


def _open(browser: Browser, url: str, dialogs: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.locator("h1").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # let maps and tables draw
    return page


def _everything_shown(page: Page) -> str:
    """Return the page's HTML and the HTML of each frame (the maps), as one text."""
    return "\n".join([page.content(), *(frame.content() for frame in page.frames)])


@pytest.mark.parametrize("role", ["analyst", "partner"])
@pytest.mark.parametrize("name", PAGES)
def test_no_payload_runs_and_no_refuge_location_shows(
    hostile_apps: dict[str, tuple[str, Path]], chromium: Browser, role: str, name: str
) -> None:
    url, _ = hostile_apps[role]
    dialogs: list[str] = []
    page = _open(chromium, f"{url}/{name}", dialogs)
    nav = page.locator("[data-testid='stSidebarNav']")
    assert nav.get_by_text("County map", exact=True).count() == 1  # dashboard.py's navigation
    assert nav.get_by_text("dashboard", exact=True).count() == 0
    shown = _everything_shown(page)
    page.context.close()
    assert dialogs == []
    for coordinate in REFUGE:
        assert coordinate not in shown
        assert coordinate[:7] not in shown


def test_service_text_shows_literally_in_the_map_tooltip(
    hostile_apps: dict[str, tuple[str, Path]], chromium: Browser
) -> None:
    url, _ = hostile_apps["analyst"]
    dialogs: list[str] = []
    page = _open(chromium, f"{url}/coverage_gaps", dialogs)
    frame = wait_for_map_frame(page, timeout_ms=60_000)
    marker = frame.locator(".leaflet-marker-icon").first
    marker.hover()
    tooltip = frame.locator(".leaflet-tooltip").first
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert IMG in text  # shown as text, not turned into an image
    assert SCRIPT in text
    assert frame.locator(".leaflet-tooltip img").count() == 0
    page.context.close()
    assert dialogs == []


#: Count the map's dots (circle markers) and show the first one's tooltip.
COUNT_DOTS = """() => {
  const map = Object.values(window).find((value) => value instanceof L.Map);
  let dots = 0;
  map.eachLayer((layer) => { if (layer instanceof L.CircleMarker) { dots += 1; } });
  return dots;
}"""
HOVER_FIRST_DOT = """() => {
  const map = Object.values(window).find((value) => value instanceof L.Map);
  let first = null;
  map.eachLayer((layer) => { if (!first && layer instanceof L.CircleMarker) { first = layer; } });
  first.fire("mouseover", {latlng: first.getLatLng()}, true);
}"""


def test_analysts_see_one_dot_per_report_with_its_label_as_text(
    hostile_apps: dict[str, tuple[str, Path]], chromium: Browser
) -> None:
    url, _ = hostile_apps["analyst"]
    dialogs: list[str] = []
    page = _open(chromium, f"{url}/hotspots?district=E07000103", dialogs)
    frame = wait_for_map_frame(page, timeout_ms=60_000)
    frame.wait_for_function("() => typeof L !== 'undefined'", timeout=30_000)
    # Watford: the 20 odd-numbered hostile reports (BAD1 was refused).
    assert frame.evaluate(COUNT_DOTS) == 20
    frame.evaluate(HOVER_FIRST_DOT)
    tooltip = frame.locator(".leaflet-tooltip").first
    tooltip.wait_for()
    assert tooltip.inner_text().strip() in PAYLOADS  # the label as text, not markup
    assert frame.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
    page.context.close()
    assert dialogs == []


def test_partner_gets_no_points_and_small_counts_as_under_5(
    hostile_apps: dict[str, tuple[str, Path]], chromium: Browser
) -> None:
    url, _ = hostile_apps["partner"]
    dialogs: list[str] = []
    page = _open(chromium, f"{url}/hotspots?district=E07000103", dialogs)
    frame = wait_for_map_frame(page, timeout_ms=60_000)
    assert frame.evaluate(COUNT_DOTS) == 0
    assert "Reports (one dot each)" not in frame.content()
    page.goto(f"{url}/?district=E07000243")
    page.get_by_text("<5", exact=False).first.wait_for(timeout=60_000)
    assert "StreetSafe reports in the selection, across 1 district" in page.content()
    page.context.close()
    assert dialogs == []


def test_downloads_and_logs_hold_no_refuge_location_and_no_live_formula(
    hostile_apps: dict[str, tuple[str, Path]], chromium: Browser
) -> None:
    url, log = hostile_apps["analyst"]
    dialogs: list[str] = []
    page = _open(chromium, f"{url}/records", dialogs)
    contents: dict[str, bytes] = {}
    for label in ("Download CSV", "Download XLSX", "Download GeoJSON"):
        with page.expect_download(timeout=60_000) as caught:
            page.get_by_role("button", name=label).first.click()
        contents[label] = Path(caught.value.path()).read_bytes()
    page.context.close()
    assert dialogs == []
    csv_text = contents["Download CSV"].decode("utf-8-sig")
    assert "'<script>alert(1)</script>0" not in csv_text  # "<" is not a formula start
    assert ",=" not in csv_text
    with zipfile.ZipFile(io.BytesIO(contents["Download XLSX"])) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # no cell is stored as a formula
    exports = [e for e in read(log.parent / "audit.log") if e["event"] == "export"]
    assert [e["detail"].split(":")[0] for e in exports] == [
        "StreetSafe reports as CSV", "StreetSafe reports as XLSX", "StreetSafe reports as GeoJSON"
    ]
    assert {(e["user"], e["role"]) for e in exports} == {("local user", "analyst")}
    server_log = log.read_text(errors="replace")
    for text in (*(c.decode("utf-8", "replace") for c in contents.values()), server_log):
        for coordinate in REFUGE:
            assert coordinate not in text
