"""Hostile text and a confidential refuge, through the real dashboard in headless Chromium.

Every text field of every input carries a payload. No dialog may fire on any page, the
text must show literally where it is shown, and the refuge's coordinates must appear in
no page, map, download or server log. Partners get no point layer and "<5" for small counts.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from browser import BrowserLog, wait_for_map_frame
from harness import run_streamlit
from openpyxl import load_workbook
from playwright.sync_api import Browser, Locator, Page

from safetymap.audit import read
from safetymap.settings import PROJECT_ROOT

PAYLOADS = ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "javascript:alert(1)")
IMG, SCRIPT, JS = PAYLOADS
#: Text a spreadsheet would run as a formula: downloads must write each as text.
FORMULAS = ('=HYPERLINK("http://example.org/x","open")', "+1+1", "-2+3", "@SUM(1;2)")
FORMULA_STARTS = ("=", "+", "-", "@")
REFUGE = ("51.812345", "-0.212345")
#: Markdown images, one for a link and one for a file name (which cannot hold "/"); a
#: browser asked to draw either fetches https://example.org/.
LINK_IMAGE = "![x](https://example.org/beacon.png)"
FILE_IMAGE = "![x](https:example.org)"
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
    for i in range(3):  # Stevenage: a count a partner must see as "<5"; labels are formulas
        rows.append(f"STV{i},2026-03-02 10:00,{STEVENAGE},2026-03-01 23:00,,,"
                    f"{_csv_cell(FORMULAS[i])},,")
    rows.append(f"BAD1,2026-03-01 10:00,{WATFORD},,{_csv_cell(IMG)},,,,")  # refused: reason
    (folder / "streetsafe_hostile.csv").write_text("\n".join(rows) + "\n")
    survey = ["response_id,completed_at,district,safe_day,safe_after_dark,comment,age_band,sex,"
              "concern_latitude,concern_longitude"]
    for i in range(12):
        comment = FORMULAS[i] if i < len(FORMULAS) else SCRIPT
        # Completed on the day of the reports' incidents: inside the default period.
        survey.append(f"{_csv_cell(IMG + str(i))},2026-03-01 12:00,Watford,Very safe,Very unsafe,"
                      f"{_csv_cell(comment)},{_csv_cell(IMG)},{_csv_cell(JS)},{WATFORD}")
    (folder / "survey_hostile.csv").write_text("\n".join(survey) + "\n")
    services = [
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,"
        "phone,website,eligibility",
        f"{_csv_cell(IMG)},{_csv_cell(IMG)},outreach,{WATFORD},no,Watford,Mo-Fr 09:00-17:00,"
        f"{_csv_cell(SCRIPT)},{_csv_cell(JS)},{_csv_cell(IMG)}",
        f"REF1,{_csv_cell(SCRIPT)},refuge,{REFUGE[0]},{REFUGE[1]},yes,county,24/7,"
        f"{_csv_cell(IMG)},{_csv_cell(JS)},women 18+",
        # Refused for its latitude: the refusal, on the Data page and in any log, must not
        # show where the refuge is.
        f"REF2,Second refuge,refuge,{REFUGE[0]}x,{REFUGE[1]},yes,county,24/7,,,",
    ]
    (folder / "services_hostile.csv").write_text("\n".join(services) + "\n")
    # Not an export: the Data and sources page names it in a notice, markup and all.
    (folder / f"notes_{FILE_IMAGE}.txt").write_text("not an export")


@pytest.fixture(scope="module")
def hostile_apps(
    tmp_path_factory: pytest.TempPathFactory, map_assets: Path
) -> Iterator[dict[str, tuple[str, Path]]]:
    """Start the dashboard on the hostile data twice: as an analyst and as a partner.

    The apps serve Leaflet from ``map_assets`` (``SAFETYMAP_MAP_ASSETS=local``).
    """
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


def _download(page: Page, label: str, *, tab: str | None = None) -> bytes:
    """Click the download button called ``label`` (in ``tab``); return what it gave."""
    scope: Page | Locator = page
    if tab is not None:
        page.get_by_role("tab", name=tab).click()
        scope = page.get_by_role("tabpanel", name=tab)
    with page.expect_download(timeout=60_000) as caught:
        scope.get_by_role("button", name=label).click(timeout=90_000)  # a page may take long
    return Path(caught.value.path()).read_bytes()


def _formula_cells(values: Iterable[object]) -> list[str]:
    """Return the text values a spreadsheet would run: a formula start, and not a number."""
    found = []
    for value in values:
        if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
            continue
        try:
            float(value)
        except ValueError:
            found.append(value)
    return found


def _table_cells(name: str, data: bytes) -> list[object]:
    """Return every header and cell of a CSV, XLSX or GeoJSON download."""
    if name.endswith("CSV"):
        return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    if name.endswith("XLSX"):
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert all(cell.data_type != "f" for cell in cells)  # no cell stored as a formula
        return [cell.value for cell in cells]
    features = json.loads(data)["features"]
    return [text for feature in features
            for key, value in feature["properties"].items() for text in (key, value)]


def test_downloads_and_logs_hold_no_refuge_location_and_no_live_formula(
    hostile_apps: dict[str, tuple[str, Path]], chromium: Browser, pdf_text: Callable[[bytes], str]
) -> None:
    """Every download the dashboard offers an analyst, and the server's log."""
    url, log = hostile_apps["analyst"]
    dialogs: list[str] = []
    page = _open(chromium, f"{url}/records", dialogs)
    contents: dict[str, bytes] = {}
    for tab in ("StreetSafe reports", "Survey responses"):
        for kind in ("CSV", "XLSX", "GeoJSON"):
            contents[f"{tab} {kind}"] = _download(page, f"Download {kind}", tab=tab)
    page.goto(f"{url}/hotspots?district=E07000103")
    for kind in ("PDF", "HTML"):
        contents[f"Briefing {kind}"] = _download(page, f"Download briefing ({kind})")
    page.goto(f"{url}/board_overview")
    contents["Board pack PDF"] = _download(page, "Download the board pack (PDF)")
    page.context.close()
    assert dialogs == []

    tables = {name: _table_cells(name, data) for name, data in contents.items()
              if name.endswith(("CSV", "XLSX", "GeoJSON"))}
    for name, cells in tables.items():
        assert _formula_cells(cells) == [], name
    # The payloads did reach the downloads, each as text behind an apostrophe.
    for name, cells in tables.items():
        expected = FORMULAS[:3] if name.startswith("StreetSafe") else FORMULAS
        assert {f"'{formula}" for formula in expected} <= set(cells), name

    exports = [e for e in read(log.parent / "audit.log") if e["event"] == "export"]
    details = [e["detail"].split(":")[0] for e in exports]
    assert details[:6] == [f"{tab} as {kind}" for tab in ("StreetSafe reports", "Survey responses")
                           for kind in ("CSV", "XLSX", "GeoJSON")]
    assert [re.split(r"[,;]", d)[0] for d in details[6:]] == [
        "Patrol briefing PDF", "Patrol briefing HTML", "Board pack PDF"]
    assert {(e["user"], e["role"]) for e in exports} == {("local user", "analyst")}

    texts = {name: pdf_text(data) if name.endswith("PDF") else data.decode("utf-8", "replace")
             for name, data in contents.items()}
    texts["server log"] = log.read_text(errors="replace")
    for name, text in texts.items():
        for coordinate in REFUGE:
            assert coordinate[:7] not in text, name


def test_markdown_in_a_link_or_a_file_name_is_text_and_fetches_nothing(
    hostile_apps: dict[str, tuple[str, Path]], chromium: Browser
) -> None:
    url, _ = hostile_apps["analyst"]
    context = chromium.new_context(viewport={"width": 1400, "height": 1600})
    requests = BrowserLog.attach(context)
    page = context.new_page()
    query = urlencode({"reason": LINK_IMAGE, "district": f"__Luton__,{LINK_IMAGE}"})
    page.goto(f"{url}/data_sources?{query}")
    page.get_by_text("Part of the link was ignored").first.wait_for(timeout=60_000)
    page.get_by_text("Ignored notes_").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # let anything the page asks for be asked for
    assert page.get_by_text(
        "Part of the link was ignored: 'district' in the link: '__Luton__' is not a "
        "Hertfordshire district", exact=True).count() == 1
    assert page.get_by_text(
        "'reason' in the link: a value that is not shown is not a reason code").count() == 1
    assert page.get_by_text(f"Ignored notes_{FILE_IMAGE}.txt: not a streetsafe*", exact=False
                            ).count() == 1
    assert page.locator("[data-testid='stMain'] img, [data-testid='stSidebar'] img").count() == 0
    context.close()
    assert requests.offsite() == []
