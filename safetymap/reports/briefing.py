"""Build the patrol briefing: one district's hot spots on one or two printable pages.

For a neighbourhood sergeant planning patrols, and the analyst who briefs them: a static
map of the hot spots with the top places numbered, the top places as a list to read out,
the day-by-hour matrix, what changed since the previous period (with the definitions),
and a data note (source, periods, synthetic or real, date made, what the colours mean).

:func:`build_briefing` does the analysis once (with
:func:`safetymap.analysis.patrol.analyse_hotspots`, as the Hotspots page does);
:func:`briefing_pdf` and :func:`briefing_html` lay the same content out as an A4 PDF and
as a self-contained HTML page.

The briefing shows places and hexagons, never individual reports, and is for the
``police`` and ``analyst`` roles; partners get the board pack
(:mod:`safetymap.reports.board_pack`).
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from geodata import DISTRICTS, load_districts, require_district
from loaders.counts import ReportCounts
from safetymap.analysis.counts import counts_of
from safetymap.analysis.filters import Filters
from safetymap.analysis.hotspots import (
    CHANGE_DEFINITIONS,
    cell_width_m,
)
from safetymap.analysis.patrol import analyse_hotspots, prediction_words
from safetymap.analysis.places import standing_window
from safetymap.maps.hotspots import HOTSPOT_STYLE
from safetymap.present.tables import change_summary, top_places_table
from safetymap.present.wording import places_note
from safetymap.reports import (
    SYNTHETIC_BANNER,
    TEXT_WIDTH_MM,
    ReportPDF,
    day_text,
    period_text,
    printable,
)
from safetymap.reports.charts import MAP_ATTRIBUTION, hotspot_map_png, when_matrix_png
from safetymap.roles import Role, check_role, sees_points

if TYPE_CHECKING:
    import pandas as pd

    from loaders.source import Dataset
    from safetymap.analysis.patrol import HotspotAnalysis

__all__ = [
    "DEFAULT_DAYS",
    "Briefing",
    "briefing_html",
    "briefing_pdf",
    "briefing_period",
    "build_briefing",
]

#: Length of the default period: the four weeks up to the latest report, compared with
#: the four weeks before, matching a weekly or fortnightly patrol-planning cycle.
DEFAULT_DAYS = 28
#: Most places listed and numbered on the map.
PLACES = 10


@dataclass(frozen=True, eq=False)
class Briefing:
    """Everything a patrol briefing shows, worked out once, ready to lay out.

    Attributes
    ----------
    district_code, district
        The district briefed: LAD code and name.
    role
        Who the briefing is for (``police`` or ``analyst``).
    period, previous
        The period briefed and the period of the same length just before (inclusive).
    reports, previous_reports
        Reports in the district in each period.
    places
        The top places in words, as the Hotspots page lists them
        (:func:`safetymap.present.tables.top_places_table`).
    places_note
        How the places are ranked, what their standing means, and whether the list is a
        significance test (:func:`safetymap.present.wording.places_note`).
    changes
        How many hot hexagons are new, intensifying, persistent or diminishing, with what
        each label means (:func:`safetymap.present.tables.change_summary`).
    when
        Reports by weekday (rows, Monday first) and hour (columns 0-23).
    data_note
        Sentences on source, periods, whether the data are synthetic, when made and what
        the colours mean.
    synthetic, origin
        Whether the data are synthetic, and where they came from (``Dataset.origin``).
    generated
        Date the briefing was made.
    analysis
        The hotspot analysis behind all of it (for the map).
    """

    district_code: str
    district: str
    role: Role
    period: tuple[date, date]
    previous: tuple[date, date]
    reports: int
    previous_reports: int
    places: pd.DataFrame
    places_note: str
    changes: pd.DataFrame
    when: pd.DataFrame
    data_note: tuple[str, ...]
    synthetic: bool
    origin: str
    generated: date
    analysis: HotspotAnalysis = field(repr=False)

    @property
    def title(self) -> str:
        """Return the briefing's title: "Patrol briefing: <district>"."""
        return f"Patrol briefing: {self.district}"

    @property
    def reliable(self) -> bool:
        """Tell whether enough hexagons hold reports for the hot spot test."""
        return self.analysis.result.reliable

    @cached_property
    def map_png(self) -> bytes:
        """Return the static map of the district's hot spots (PNG)."""
        return hotspot_map_png(
            self.analysis, load_districts(), focus=self.district_code,
            title=f"Hot spots in {self.district}, {period_text(self.period)}",
        )

    @cached_property
    def when_png(self) -> bytes:
        """Return the day-by-hour matrix as a heat map (PNG)."""
        return when_matrix_png(
            self.when,
            title=f"When: reports in {self.district} by day and hour (darker = more)",
        )


def _district(district: str) -> tuple[str, str]:
    code = require_district(district)
    return code, DISTRICTS[code]


def _check_role(role: str) -> None:
    # A briefing lists hot places: only for the roles that may see where reports are.
    if not sees_points(check_role(role)):
        raise PermissionError(
            "The patrol briefing lists hot places and is for police and analysts only; "
            "partners get the board pack (`safetymap board-pack`), which shows aggregates."
        )


def briefing_period(
    dataset: Dataset, *, since: date | None, until: date | None,
    reports: ReportCounts | None = None,
) -> tuple[date, date]:
    """Return the period a briefing covers.

    ``until`` defaults to the day of the latest report in the dataset (the end of the
    export), ``since`` to :data:`DEFAULT_DAYS` days ending on ``until``.

    Raises
    ------
    ValueError
        ``since`` is after ``until``, or a date is needed from reports and there is none.
    """
    if until is None:
        counts = counts_of(dataset, reports)
        span = counts.span(Filters())
        if span is None:
            raise ValueError(
                f"No StreetSafe report with a date in {dataset.origin}, so there is no "
                "latest report to end the briefing on; give `until` (--until DATE)."
            )
        until = span[1]
    if since is None:
        since = until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValueError(
            f"`since` ({since.isoformat()}) must not be after `until` ({until.isoformat()})."
        )
    return since, until


def _colour_words(resolution: int) -> str:
    width = cell_width_m(resolution)
    return (
        f"Each hexagon is about {width:,.0f} m across. Dark red, orange and pale pink "
        "hexagons (outlined) are hot spots at 99%, 95% and 90% confidence: together with "
        "their neighbours they hold at least 5 reports, and clearly more than an even "
        "spread would give (an exact test of each Gi* neighbourhood, corrected for "
        "testing many hexagons at once). Very light "
        "hexagons hold reports but are not hot spots; blue dotted hexagons, if any, are "
        "cold spots. The numbered circles are the top places in the list."
    )


def build_briefing(
    dataset: Dataset,
    *,
    district: str,
    since: date | None,
    until: date | None,
    role: Role = "police",
    resolution: int | None = None,
    generated: date | None = None,
    reports: ReportCounts | None = None,
) -> Briefing:
    """Work out a district's patrol briefing: hot spots, top places, when, what changed.

    Parameters
    ----------
    dataset
        The loaded data; only its StreetSafe reports are used.
    district
        The district, by name or code (``"Watford"``, ``"E07000103"``).
    since, until
        First and last day briefed, inclusive; see :func:`briefing_period` for the
        defaults.
    role
        Who the briefing is for: ``police`` or ``analyst``.
    resolution
        H3 resolution of the hexagons (9 is about 350 m across); None chooses it from the
        density of the reports, as the Hotspots page does by default.
    generated
        Date to print as the date made; today by default.
    reports
        Where the reports are counted (the store, or the dataset's frame when None).

    Returns
    -------
    Briefing
        The content, ready for :func:`briefing_pdf` or :func:`briefing_html`.

    Raises
    ------
    PermissionError
        For the ``partner`` role: partners get the board pack.
    ValueError
        An unknown district or role, or ``since`` after ``until``.
    """
    _check_role(role)
    code, name = _district(district)
    counts = counts_of(dataset, reports)
    period = briefing_period(dataset, since=since, until=until, reports=counts)
    filters = Filters(districts=(code,), start=period[0], end=period[1])
    analysis = analyse_hotspots(counts, filters, resolution=resolution, places=PLACES)
    previous = analysis.previous or period
    made = generated or date.today()
    note = [
        f"Source: {dataset.origin}",
        (f"Period briefed: {period_text(period)}, {analysis.selected_reports:,} reports in "
         f"{name}. Compared with {period_text(previous)}, the period of the same length "
         f"just before ({analysis.previous_reports:,} reports)."),
    ]
    if dataset.synthetic:
        note.insert(0, f"{SYNTHETIC_BANNER}: made up for demonstration and testing. "
                       "Do not plan patrols on it.")
    if not analysis.result.reliable:
        note.append(analysis.result.message)
    if analysis.comparison_note:
        note.append(analysis.comparison_note)
    if analysis.prediction is not None:
        note.append(prediction_words(analysis.prediction, name, role))
    note += [
        analysis.scale.reason,
        _colour_words(analysis.scale.resolution),
        ("The day-by-hour matrix counts the reports with a known time of the incident, in "
         "local time. Counts are of reports, not of people or crimes."),
        f"Made on {day_text(made)} for the {role} role: it shows places and hexagons, "
        "never individual reports. Map: " + MAP_ATTRIBUTION + ".",
    ]
    return Briefing(
        district_code=code,
        district=name,
        role=role,
        period=period,
        previous=previous,
        reports=analysis.selected_reports,
        previous_reports=analysis.previous_reports,
        places=top_places_table(analysis.places, role),
        places_note=places_note(
            tested=analysis.result.reliable,
            hot_spots=int(analysis.result.cells["hotspot"].str.startswith("hot_").sum()),
            window=standing_window(period[1]), role=role,
        ),
        changes=change_summary(analysis.changes, CHANGE_DEFINITIONS),
        when=analysis.when,
        data_note=tuple(note),
        synthetic=dataset.synthetic,
        origin=dataset.origin,
        generated=made,
        analysis=analysis,
    )


# ---------------------------------------------------------------------------- wording
def _summary(briefing: Briefing) -> str:
    return (
        f"{period_text(briefing.period)}: {briefing.reports:,} reports in "
        f"{briefing.district}. Previous {(briefing.period[1] - briefing.period[0]).days + 1} "
        f"days ({period_text(briefing.previous)}): {briefing.previous_reports:,} reports."
    )


def _place_rows(places: pd.DataFrame) -> list[list[str]]:
    """Return the top places as rows to read out, peak day and time in one cell.

    The district is left out: a briefing is of one district.
    """
    rows = []
    for place in places.to_dict("records"):
        peak = ", ".join(str(part) for part in (place["Peak day"], place["Peak time"])
                         if part and part != "-")
        rows.append([
            str(place["Rank"]), str(place["Place"]), str(place["Reports"]),
            str(place["Main reasons"]), peak or "-", str(place["Last 12 months"]),
            f"{place['Latitude']:.5f}, {place['Longitude']:.5f}",
        ])
    return rows


PLACE_HEADINGS = ["#", "Place", "Reports", "Main reasons", "Peak day and time",
                  "Last 12 months", "Centre (latitude, longitude)"]
_NO_PLACES = "No report in {district} in this period, so no place to list."


def _no_places(briefing: Briefing) -> str:
    words = _NO_PLACES.format(district=briefing.district)
    if not briefing.reliable:
        words += " " + briefing.analysis.result.message
    return words


def _compared(briefing: Briefing) -> str:
    words = (f"Hot hexagons of {period_text(briefing.period)} against "
             f"{period_text(briefing.previous)}.")
    if briefing.analysis.comparison_note:
        words = briefing.analysis.comparison_note
    return words


def _legend_sentence() -> str:
    levels = ", ".join(HOTSPOT_STYLE[name][1].rsplit(", ", 1)[-1]
                       for name in ("hot_99", "hot_95", "hot_90"))
    return (
        "The numbered circles are the top places listed below. Hot spots are shaded from "
        f"darkest to lightest by confidence: {levels}."
    )


# ---------------------------------------------------------------------------- PDF
def briefing_pdf(briefing: Briefing) -> bytes:
    """Lay the briefing out as an A4 PDF of one or two pages.

    Page 1: title, period, map and the top places. Page 2: the day-by-hour matrix, what
    changed (with the definitions) and the data note. Every page carries the
    synthetic-data banner when the data are synthetic.
    """
    pdf = ReportPDF(title=briefing.title, synthetic=briefing.synthetic,
                    generated=briefing.generated)
    pdf.add_page()
    pdf.use_font(17, "B")
    pdf.cell(0, 8, pdf.clean(briefing.title), new_x="LMARGIN", new_y="NEXT")
    pdf.paragraph(_summary(briefing), size=9)
    pdf.ln(1)
    pdf.png(briefing.map_png, width=TEXT_WIDTH_MM * 0.86, x=12 + TEXT_WIDTH_MM * 0.07)
    pdf.heading("Top places to patrol", size=11, space=0)
    if briefing.places.empty:
        pdf.paragraph(_no_places(briefing))
    else:
        pdf.words_table(
            PLACE_HEADINGS, _place_rows(briefing.places),
            widths=(4, 16, 7, 26, 16, 17, 14), size=7,
            align=("CENTER", "LEFT", "RIGHT", "LEFT", "LEFT", "LEFT", "LEFT"),
        )
    pdf.paragraph(briefing.places_note, size=7)
    pdf.add_page()
    pdf.png(briefing.when_png, width=TEXT_WIDTH_MM)
    pdf.heading("What changed since the previous period", size=11)
    pdf.paragraph(_compared(briefing))
    pdf.ln(1)
    pdf.words_table(
        list(briefing.changes.columns),
        [[str(value) for value in row] for row in briefing.changes.itertuples(index=False)],
        widths=(14, 10, 76), size=7.5, align=("LEFT", "RIGHT", "LEFT"),
    )
    pdf.heading("Data note", size=11)
    for sentence in briefing.data_note:
        bold = sentence.startswith(SYNTHETIC_BANNER)
        pdf.paragraph(sentence, size=8, style="B" if bold else "")
        pdf.ln(0.8)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------- HTML
#: No request leaves the page: images are data URIs, styles inline.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_CSS = """
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #000; margin: 1.5em auto;
       max-width: 60em; padding: 0 1em; line-height: 1.4; }
.synthetic { background: #000; color: #fff; font-weight: bold; text-align: center;
             padding: 0.4em; letter-spacing: 0.05em; }
h1 { font-size: 1.7em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.4em; border-bottom: 1px solid #888; }
figure { margin: 0.8em 0; }
figure img { width: 100%; height: auto; }
figcaption, .note { font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border-bottom: 1px solid #999; padding: 0.3em 0.4em; text-align: left;
         vertical-align: top; }
th { background: #e6e6e6; }
td.number { text-align: right; }
@media print { body { max-width: none; margin: 0; } h2 { break-after: avoid; }
  .page-two { break-before: page; } figure, table { break-inside: avoid; } }
"""


def _escape(value: object) -> str:
    return html.escape(printable(value, newlines=False), quote=True)


def _html_table(headings: list[str], rows: list[list[str]], *, numbers: set[int]) -> str:
    head = "".join(f"<th scope=\"col\">{_escape(h)}</th>" for h in headings)
    number = ' class="number"'
    body = "".join(
        "<tr>" + "".join(
            f"<td{number if i in numbers else ''}>{_escape(value)}</td>"
            for i, value in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{_escape(alt)}">'


def briefing_html(briefing: Briefing) -> str:
    """Lay the briefing out as one self-contained HTML page.

    Images are embedded as data URIs and a Content-Security-Policy forbids any other
    source, so the page makes no request when opened; every text is escaped.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(briefing.title)}</title><style>{_CSS}</style></head><body>",
    ]
    if briefing.synthetic:
        parts.append(f'<p class="synthetic">{_escape(SYNTHETIC_BANNER)}</p>')
    parts += [
        f"<h1>{_escape(briefing.title)}</h1>",
        f"<p>{_escape(_summary(briefing))}</p>",
        "<figure>" + _image(
            briefing.map_png,
            f"Map of hot spots in {briefing.district}; the numbered places are listed below.",
        ) + f"<figcaption>{_escape(_legend_sentence())}</figcaption></figure>",
        "<h2>Top places to patrol</h2>",
    ]
    if briefing.places.empty:
        parts.append(f"<p>{_escape(_no_places(briefing))}</p>")
    else:
        parts.append(_html_table(PLACE_HEADINGS, _place_rows(briefing.places), numbers={0, 2}))
    parts.append(f'<p class="note">{_escape(briefing.places_note)}</p>')
    parts += [
        '<h2 class="page-two">When</h2>',
        "<figure>" + _image(
            briefing.when_png,
            f"Reports in {briefing.district} by day of the week and hour of the day; the "
            "count is printed in each cell.",
        ) + "</figure>",
        "<h2>What changed since the previous period</h2>",
        f"<p>{_escape(_compared(briefing))}</p>",
        _html_table(
            list(briefing.changes.columns),
            [[str(v) for v in row] for row in briefing.changes.itertuples(index=False)],
            numbers={1},
        ),
        "<h2>Data note</h2>",
        '<ul class="note">',
        *(f"<li>{_escape(sentence)}</li>" for sentence in briefing.data_note),
        "</ul></body></html>",
    ]
    return "\n".join(parts) + "\n"
