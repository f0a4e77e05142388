"""Play the curious partner in the browser: the page attacks of issue 13, through Chromium.

One partner dashboard runs on a small data folder: over January to June 2026 every
district but Stevenage holds 4 to 8 reports a month (Watford's all within a few tens of
metres, a genuine hot spot), and Stevenage holds exactly 3, all at one spot at 23:00 on
1 March 2026, giving "poor lighting" and "followed". Each attack reads only what the
pages show (the visible text, the tables' cells, the map's layers in its iframe) and
checks that Stevenage's 3 can be neither pinned to a number from 1 to 4 nor placed more
precisely than the district (docs/disclosure.md). The attacker's linear programme is
written here, independently of ``safetymap.disclosure``; the first test shows it does pin
a count when a table gives one away. Screenshots of the partner's Hotspots, Coverage gaps
and Action lists pages are left in /tmp/partner_*.png for a person to look at.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pytest
from browser import wait_for_map_frame
from harness import run_streamlit
from playwright.sync_api import Browser, Page
from scipy.optimize import linprog
from shapely.geometry import Point, shape

from geodata import DISTRICTS
from safetymap.maps.hotspots import PARTNER_FILL
from safetymap.settings import PROJECT_ROOT

STEVENAGE = "E07000243"
#: Stevenage's only reports: 3, at one spot (away from any town label), 1 March 2026 23:00.
SPOT = (51.8880, -0.1850)
SMALL = 3
#: A point well inside each other district; Watford's reports lie within about 40 m of it.
OTHERS = {
    "E07000095": (51.73011, -0.05861), "E07000096": (51.77, -0.55245),
    "E07000098": (51.68234, -0.267), "E07000099": (51.95721, -0.22122),
    "E07000102": (51.66954, -0.47427), "E07000103": (51.67009, -0.4106),
    "E07000240": (51.7718, -0.35118), "E07000241": (51.77088, -0.20629),
    "E07000242": (51.86695, 0.01353),
}
WATFORD_SPOT = OTHERS["E07000103"]
MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 7))
CODES = tuple(DISTRICTS)
CODE_OF = {name: code for code, name in DISTRICTS.items()}
#: A one-day period on the day of Stevenage's reports, with the filters partners lack.
ONE_DAY = {"district": STEVENAGE, "from": "2026-03-01", "to": "2026-03-01",
           "time": "night", "reason": "poor_lighting"}
WIDENED = "Partners see whole calendar months: the period is 01/03/2026 to 31/03/2026."
NO_TIME = "the time-of-day filter is not applied"
NO_REASON = "the reason filter is not applied"
SMALL_TEXTS = ("<5", "hidden")
#: Columns of a row that hold no report figure (a rank, residents, a service's hours...).
NOT_COUNTS = frozenset({
    "Rank", "District", "Gap score", "Why", "Residents", "Category", "Serves the district",
    "Services", "Nearest, from homes", "Hours open a week", "Closes latest at", "Day",
})
#: A figure as a page writes it: a number, a share or a distance.
NUMBER = re.compile(r"[\d,]+(\.\d+)?( ?%| km)?")
#: Every table cell a page has drawn (glide-data-grid keeps them in its accessible table).
TABLE_ROWS = """(grid) => Array.from(grid.querySelectorAll("table[role=grid] tr, table tr")).map(
  (tr) => Array.from(tr.querySelectorAll("th, td")).map((cell) => cell.textContent.trim()))"""
#: Interactive grids (their cells in a hidden accessible table) and static tables
#: (st.table: plain HTML, used where long text must wrap).
TABLE_SELECTOR = "[data-testid='stDataFrame'], [data-testid='stTable']"
#: Every layer of the map: partner areas (their GeoJSON and tooltip), other polygons,
#: markers (their text and place), dots and heat layers.
MAP_LAYERS = """(partnerFill) => {
  const map = Object.values(window).find((value) => value instanceof L.Map);
  const out = {areas: [], filled: [], markers: [], circles: 0, heat: 0};
  const tipOf = (group, layer) => {
    const tip = group.getTooltip && group.getTooltip();
    if (!tip) { return ""; }
    let content = tip._content;
    if (typeof content === "function") { content = content(layer); }
    return typeof content === "string" ? content : content.outerHTML;
  };
  map.eachLayer((layer) => {
    if (layer instanceof L.CircleMarker) { out.circles += 1; return; }
    if (layer instanceof L.Marker) {
      const element = layer.getElement();
      out.markers.push({text: element ? element.textContent : "", latlng: layer.getLatLng()});
      return;
    }
    if (layer._heat !== undefined || (L.HeatLayer && layer instanceof L.HeatLayer)) {
      out.heat += 1;
      return;
    }
    if (layer instanceof L.GeoJSON) {
      layer.eachLayer((child) => {
        if (!(child instanceof L.Path) || child instanceof L.CircleMarker) { return; }
        if (child.options.fillColor === partnerFill) {
          out.areas.push({geometry: child.feature.geometry, tooltip: tipOf(layer, child)});
        } else if (child.options.fill !== false) {
          out.filled.push(child.options.fillColor || "default");
        }
      });
    }
  });
  return out;
}"""


# ============================================================================== data
@dataclass(frozen=True)
class Report:
    code: str
    month: str
    latitude: float
    longitude: float


def partner_data(folder: Path) -> list[Report]:
    """Write the reports and services of the attacks into ``folder``; return the reports."""
    rng = random.Random(13)
    rows = ["report_id,submitted_at,latitude,longitude,occurred_at,environment,behaviour,"
            "location_label,age_band,sex"]
    reports: list[Report] = []
    for code, (lat, lon) in OTHERS.items():
        watford = code == "E07000103"
        for month in range(1, 7):
            for i in range(8 if watford else 4):
                day = 1 + (i * 7 + month) % 28
                spread = 0.0004 if watford else 0.008
                latitude = round(lat + rng.uniform(-spread, spread), 5)
                longitude = round(lon + rng.uniform(-spread, spread) * 1.6, 5)
                reports.append(Report(code, f"2026-{month:02d}", latitude, longitude))
                rows.append(f"R{len(reports)},2026-{month:02d}-{day:02d} 12:00,{latitude},"
                            f"{longitude},2026-{month:02d}-{day:02d} {(8 + 5 * i) % 24:02d}:00,"
                            f"poor_lighting,,Place {len(reports)},,")
    for i in range(SMALL):
        reports.append(Report(STEVENAGE, "2026-03", *SPOT))
        rows.append(f"STV{i},2026-03-02 10:00,{SPOT[0]},{SPOT[1]},2026-03-01 23:00,"
                    "poor_lighting,followed,Underpass,,")
    (folder / "streetsafe_partner.csv").write_text("\n".join(rows) + "\n")
    (folder / "services_partner.csv").write_text("\n".join([
        "service_id,name,category,latitude,longitude,confidential,coverage,opening_hours,"
        "phone,website,eligibility",
        "S1,Watford outreach,outreach,51.65531,-0.39602,no,Watford,Mo-Fr 09:00-17:00,,,",
        "S2,Stevenage police,police,51.90,-0.20,no,Stevenage,Mo-Su 08:00-20:00,,,",
        "S3,County helpline,helpline,51.80,-0.30,no,county,24/7,,,",
    ]) + "\n")
    return reports


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111.2
    dx = (a[1] - b[1]) * 111.2 * np.cos(np.radians(a[0]))
    return float(np.hypot(dx, dy))


@dataclass(frozen=True)
class PartnerApp:
    url: str
    reports: list[Report]


@pytest.fixture(scope="module")
def partner_app(
    tmp_path_factory: pytest.TempPathFactory, map_assets: Path
) -> Iterator[PartnerApp]:
    """Start the dashboard once, as a partner, on :func:`partner_data`."""
    root = tmp_path_factory.mktemp("partner")
    data = root / "data"
    data.mkdir()
    reports = partner_data(data)
    # Nothing else lies within 3 km of Stevenage's spot: any hot spot area drawn over it
    # would be drawn for its 3 reports alone.
    assert min(_km(SPOT, (r.latitude, r.longitude)) for r in reports if r.code != STEVENAGE) > 3
    with run_streamlit(
        PROJECT_ROOT / "dashboard.py", log=root / "partner.log",
        env={"SAFETYMAP_DATA": str(data), "SAFETYMAP_ROLE": "partner",
             "SAFETYMAP_MAP_ASSETS": "local", "SAFETYMAP_AUDIT_LOG": str(root / "audit.log"),
             "SAFETYMAP_CACHE_DIR": str(root / "cache")},
    ) as app:
        yield PartnerApp(app.url, reports)


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 2200, "height": 1800})
    dialogs: list[str] = []
    new = context.new_page()
    new.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield new
    finally:
        context.close()
    assert dialogs == []


# ============================================================================== reading
#: Tables each page shows a partner outside a closed expander (at least): the page is read
#: once they all are drawn.
TABLES = {"": 2, "board_overview": 2, "coverage_gaps": 3, "hotspots": 1, "actions": 1}


def _visit(page: Page, app: PartnerApp, path: str, query: dict[str, str] | None = None) -> None:
    """Open a page as a new session (the link's filters are read once a session).

    Return once the script has run and its tables are drawn (their cells are in each
    grid's accessible table); fail on an error box or a traceback.
    """
    page.goto(f"{app.url}/{path}" + (f"?{urlencode(query)}" if query else ""))
    page.locator("h1").first.wait_for(timeout=60_000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           state="attached", timeout=60_000)
    page.wait_for_function(
        """(least) => {
          const grids = Array.from(document.querySelectorAll(
              "[data-testid='stDataFrame'], [data-testid='stTable']"))
            .filter((grid) => grid.checkVisibility());
          return grids.length >= least
            && grids.every((grid) => grid.querySelector("table tr"));
        }""", arg=TABLES[path], timeout=60_000)
    page.wait_for_timeout(300)
    errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.first.inner_text()


def _tables(page: Page) -> list[list[list[str]]]:
    """Return each table of the page as rows of cell texts, its header first."""
    return [grid.evaluate(TABLE_ROWS) for grid in page.locator(TABLE_SELECTOR).all()]


def _table(page: Page, first_header: str) -> list[dict[str, str]]:
    for rows in _tables(page):
        if rows and rows[0][0] == first_header:
            return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    raise AssertionError(f"no table starting with {first_header!r}")


def _main(page: Page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _sidebar(page: Page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def _is_number(text: str) -> bool:
    return NUMBER.fullmatch(text.strip()) is not None


def _exact_small_figures(page: Page, rows_of: Iterable[str]) -> list[str]:
    """Return every report figure of a row about ``rows_of`` shown as a number or rate."""
    found = []
    for rows in _tables(page):
        header = rows[0] if rows else []
        for row in rows[1:]:
            if not any(cell in rows_of for cell in row):
                continue
            for name, cell in zip(header, row, strict=True):
                if name not in NOT_COUNTS and _is_number(cell) and cell.strip() != "0":
                    found.append(f"{name}: {cell} in {row}")
    return found


# ============================================================================== the LP
@dataclass
class Attacker:
    """What a partner has read, over cells (district, month): the sums and their bounds."""

    rows: list[np.ndarray] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)

    @staticmethod
    def cells(codes: Iterable[str], months: Iterable[str]) -> np.ndarray:
        row = np.zeros(len(CODES) * len(MONTHS))
        for code in codes:
            for month in months:
                row[CODES.index(code) * len(MONTHS) + MONTHS.index(month)] = 1.0
        return row

    def read(self, codes: Iterable[str], months: Iterable[str], text: str,
             rate: str = "", residents: str = "") -> None:
        """Note one figure as shown: a number exactly, "<5" as 1 to 4, "hidden" as 0 or more.

        A rate per 1,000 residents shown to 2 decimals, with residents rounded to 100,
        bounds the count too.
        """
        row = self.cells(codes, months)
        text = text.strip()
        if text == "<5":
            self._bound(row, 1.0, 4.0)
        elif _is_number(text):
            value = float(text.replace(",", ""))
            self._bound(row, value, value)
        else:
            assert text == "hidden", f"a count reads {text!r}"
        if _is_number(rate) and _is_number(residents):
            people = float(residents.replace(",", ""))
            value = float(rate)
            self._bound(row, (value - 0.005) * (people - 50) / 1000,
                        (value + 0.005) * (people + 50) / 1000)

    def _bound(self, row: np.ndarray, low: float, high: float) -> None:
        self.rows.append(row)
        self.low.append(low)
        self.high.append(high)

    def interval(self, target: np.ndarray) -> tuple[float, float]:
        """Return the least and most ``target``'s sum can be, given all that was read."""
        matrix = np.array(self.rows)
        a_ub = np.vstack([matrix, -matrix])
        b_ub = np.concatenate([np.array(self.high), -np.array(self.low)])
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(sign * target, A_ub=a_ub, b_ub=b_ub, bounds=(0, None),
                             method="highs")
            assert result.status in (0, 3), result.message
            ends.append(np.inf if result.status == 3 else sign * result.fun)
        return ends[0], ends[1]


def _pinned(attacker: Attacker) -> list[str]:
    """Return each of Stevenage's sums that what was read pins closer than 1 to 4."""
    pinned = []
    for name, months in (("March", ("2026-03",)), ("Q1", MONTHS[:3]), ("all", MONTHS)):
        low, high = attacker.interval(Attacker.cells((STEVENAGE,), months))
        if low > 1 + 1e-6 or high < 4 - 1e-6:
            pinned.append(f"Stevenage {name}: {low:.2f} to {high:.2f}")
    return pinned


def test_the_attackers_programme_pins_a_leaky_table() -> None:
    # The checker can fail: a county total with every other district exact pins
    # Stevenage's "<5" to 3, and a rate shown for it bounds it to 3 too.
    leaky = Attacker()
    for code in CODES:
        leaky.read((code,), MONTHS, "<5" if code == STEVENAGE else "20")
    leaky.read(CODES, MONTHS, "183")
    assert _pinned(leaky) == ["Stevenage March: 0.00 to 3.00", "Stevenage Q1: 0.00 to 3.00",
                              "Stevenage all: 3.00 to 3.00"]
    by_rate = Attacker()
    by_rate.read((STEVENAGE,), MONTHS, "hidden", rate="0.03", residents="89,700")
    assert _pinned(by_rate)  # 0.025 to 0.035 per 1,000 of 89,650 to 89,750: 2.24 to 3.14
    safe = Attacker()
    safe.read((STEVENAGE,), MONTHS, "<5")
    assert _pinned(safe) == []


# ============================================================================== attacks
PAGES = ("", "board_overview", "coverage_gaps", "hotspots", "actions")


@pytest.mark.parametrize("path", PAGES, ids=[p or "county" for p in PAGES])
def test_one_day_and_a_district_in_the_link_give_no_exact_small_count(
    partner_app: PartnerApp, page: Page, path: str
) -> None:
    """Attack 1: Stevenage alone, on the day of its 3 reports, at night, for poor lighting."""
    _visit(page, partner_app, path, ONE_DAY)
    sidebar = _sidebar(page)
    assert WIDENED in sidebar
    assert NO_TIME in sidebar
    assert NO_REASON in sidebar
    main = _main(page)
    assert re.search(r"(?<![\d,.])[1-4] (StreetSafe )?reports?\b", main) is None
    assert _exact_small_figures(page, ("Stevenage", "Selection")) == []
    if path == "":
        headline = re.search(r"^(\S+) StreetSafe reports in the selection", main, re.M)
        assert headline is not None
        assert headline.group(1) in SMALL_TEXTS
    elif path == "board_overview":
        values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
        assert values[0] in SMALL_TEXTS  # StreetSafe reports
        assert not _is_number(values[1])  # per 1,000 residents: would give the count back
    elif path == "hotspots":
        when = _table(page, "Day")  # weekday by time-of-day band
        assert {cell for row in when for name, cell in row.items() if name != "Day"} <= {
            "5 or more", "fewer than 5"}
        assert "No place holds 5 or more reports" in main
    elif path == "actions":
        assert "No place where 5 or more reports give these reasons" in main


#: Periods a partner asks the County map for: the whole data, each quarter, each month (a
#: one-day period in it), and runs of days across the ends of months.
PERIODS = [{}, {"from": "2026-01-01", "to": "2026-03-31"},
           {"from": "2026-04-01", "to": "2026-06-30"},
           *({"from": f"{m}-15", "to": f"{m}-15"} for m in MONTHS),
           {"from": "2026-02-28", "to": "2026-03-01"}, {"from": "2026-03-31", "to": "2026-04-01"}]
NINE = ",".join(code for code in CODES if code != STEVENAGE)


def _months_shown(sidebar: str, asked: dict[str, str]) -> tuple[str, ...]:
    """Return the months the page says it shows (the widened period, else the one asked)."""
    said = re.search(r"the period is (\d\d)/(\d\d)/(\d{4}) to (\d\d)/(\d\d)/(\d{4})", sidebar)
    if said is not None:
        first, last = f"{said[3]}-{said[2]}", f"{said[6]}-{said[5]}"
    elif asked:
        first, last = asked["from"][:7], asked["to"][:7]
    else:
        first, last = MONTHS[0], MONTHS[-1]
    return tuple(m for m in MONTHS if first <= m <= last)


def test_differencing_the_county_map_pins_no_small_count(
    partner_app: PartnerApp, page: Page
) -> None:
    """Attack 2: every district's and the county's figure, for every period, into one LP."""
    attacker = Attacker()
    nine = [*PERIODS[:2], {"from": "2026-03-01", "to": "2026-03-31"}]
    asked = [(period, "") for period in PERIODS] + [(period, NINE) for period in nine]
    for period, districts in asked:
        query = {**period, **({"district": districts} if districts else {})}
        _visit(page, partner_app, "", query)
        months = _months_shown(_sidebar(page), period)
        assert months
        chosen = districts.split(",") if districts else CODES
        headline = re.search(r"^(\S+) StreetSafe reports in the selection", _main(page), re.M)
        assert headline is not None
        attacker.read(chosen, months, headline.group(1))
        rows = _table(page, "District")
        assert sorted(CODE_OF[row["District"]] for row in rows) == sorted(chosen)
        for row in rows:
            attacker.read((CODE_OF[row["District"]],), months, row["Reports"],
                          row["Per 1,000 residents"], row["Residents"])
    assert len(attacker.rows) > 100
    assert _pinned(attacker) == []


def test_hot_spot_areas_do_not_place_the_small_district_reports(
    partner_app: PartnerApp, page: Page
) -> None:
    """Attack 3: every layer of the Hotspots map, for the quarter of Stevenage's reports."""
    _visit(page, partner_app, "hotspots", {"district": STEVENAGE, "from": "2026-03-01",
                                           "to": "2026-03-31"})
    assert "Hot spot areas of January to March 2026" in _main(page)
    frame = wait_for_map_frame(page, timeout_ms=60_000)
    frame.wait_for_function("() => typeof L !== 'undefined'", timeout=30_000)
    page.wait_for_timeout(500)
    layers = frame.evaluate(MAP_LAYERS, PARTNER_FILL)
    page.screenshot(path="/tmp/partner_hotspots.png", full_page=True)
    assert layers["circles"] == 0
    assert layers["heat"] == 0
    assert layers["filled"] == []  # no hexagon of any other colour
    areas = [shape(area["geometry"]) for area in layers["areas"]]
    # The map does draw areas: Watford's 24 reports of the quarter lie in one.
    assert any(area.contains(Point(WATFORD_SPOT[1], WATFORD_SPOT[0])) for area in areas)
    quarter = [r for r in partner_app.reports if r.month in MONTHS[:3]]
    for area in areas:
        if area.contains(Point(SPOT[1], SPOT[0])):
            inside = sum(area.contains(Point(r.longitude, r.latitude)) for r in quarter)
            assert inside >= 5, f"an area drawn over Stevenage's spot holds {inside} reports"
    for area in layers["areas"]:
        text = re.sub(r"<[^>]+>", " ", html.unescape(area["tooltip"]))
        text = text.replace("5 or more", "")
        assert re.search(r"\d", text) is None, text
    for marker in layers["markers"]:  # place names only: no number, nothing at the spot
        assert re.search(r"\d", marker["text"]) is None, marker
        assert _km(SPOT, (marker["latlng"]["lat"], marker["latlng"]["lng"])) > 0.5, marker


def test_coverage_gaps_hold_nothing_of_the_small_district(
    partner_app: PartnerApp, page: Page
) -> None:
    """Attack 4: Stevenage's ranking on two days of the same month, and its detail."""
    seen = []
    for day in ("2026-03-01", "2026-03-31"):
        _visit(page, partner_app, "coverage_gaps",
               {"district": STEVENAGE, "from": day, "to": day})
        assert WIDENED in _sidebar(page)
        ranking = _table(page, "Rank")
        assert len(ranking) == 10
        row = next(row for row in ranking if row["District"] == "Stevenage")
        assert row["Reports"] in SMALL_TEXTS
        assert not re.search(r"\breports?\b.*\d|\d.*\breports?\b", row["Why"]), row["Why"]
        detail = _table(page, "Category")
        assert detail
        for line in detail:
            assert line["Nearest, from reports"] == "hidden"
            # The release hides Stevenage's March: not even whether it has reports.
            assert line["Reports with a time"] == "hidden"
            assert line.get("Of those, when closed", "hidden") == "hidden"
        seen.append((ranking, detail))
    page.screenshot(path="/tmp/partner_coverage_gaps.png", full_page=True)
    assert seen[0] == seen[1]  # the same gap scores, ranks and words on either day


def test_action_lists_list_only_places_of_5_or_more(partner_app: PartnerApp, page: Page) -> None:
    """The county's list for the quarter of Stevenage's reports: Watford's place only."""
    _visit(page, partner_app, "actions", {"from": "2026-01-01", "to": "2026-03-31"})
    page.screenshot(path="/tmp/partner_actions.png", full_page=True)
    tables = _tables(page)
    assert len(tables) == 2, "Watford's place (24 reports of poor lighting) is listed"
    header, *listed = tables[0]
    assert listed
    assert not any("Stevenage" in cell for row in listed for cell in row)
    for row in listed:
        for name, cell in zip(header, row, strict=True):
            assert name in NOT_COUNTS or not _is_number(cell), (name, cell)
