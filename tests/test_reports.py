"""The patrol briefing, the board pack, their charts and their commands."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geodata import load_districts
from loaders.source import Dataset, FolderSource
from safetymap import cli
from safetymap.analysis.filters import Filters
from safetymap.analysis.patrol import analyse_hotspots
from safetymap.demo import write_demo_data
from safetymap.reports import SYNTHETIC_BANNER, charts, printable
from safetymap.reports.board_pack import (
    board_pack_pdf,
    build_board_pack,
    headline_figures,
    monthly_trend,
    report_change_words,
    top_reasons,
)
from safetymap.reports.briefing import Briefing, briefing_html, briefing_pdf, build_briefing
from safetymap.reports.charts import bar_png, hotspot_map_png, trend_png, when_matrix_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ST_ALBANS = "E07000240"
WATFORD = "E07000103"
#: Half a year of the demo data, and the half-year before it for the comparison.
SINCE, UNTIL = date(2026, 5, 1), date(2026, 10, 31)


# ============================================================================== helpers
def pdf_pages(pdf: bytes) -> int:
    """Count the pages of an fpdf2 PDF (its page objects are not compressed)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


class _Tables(HTMLParser):
    """Collect the text of every table cell, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_rows(page: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(page)
    return parser.rows


# ============================================================================== data
@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo_data(folder, reports=3000, responses=1500, seed=1)
    return folder


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> Dataset:
    return FolderSource(demo_dir, synthetic=True, origin="test").load()


STREETSAFE_HEADER = "report_id,submitted_at,occurred_at,latitude,longitude,environment,behaviour\n"
PLACES = {
    "Watford": "51.65531,-0.39602",
    "Dacorum": "51.7526,-0.4692",
    "St Albans": "51.7527,-0.3394",
}


def tiny_folder(folder: Path, survey_unsafe: int = 15, survey_safe: int = 45) -> Path:
    """Write a hand-built dataset: March 2026 against 29 Jan to 28 Feb 2026.

    March: Watford 6, Dacorum 3, St Albans 7 reports. 29 Jan to 28 Feb: Watford 3. The
    data start with one Watford report on 5 January 2026 (so they cover 29 Jan to 28 Feb).
    Reasons: poor lighting in every March report; "followed" in 2 of them.
    Survey: Watford, March, ``survey_unsafe`` "Very unsafe" and ``survey_safe`` "Very
    safe" after dark. Services: a county helpline and Watford-only police.
    """
    rows = []
    counts = [("Watford", "2026-03", 6), ("Dacorum", "2026-03", 3), ("St Albans", "2026-03", 7),
              ("Watford", "2026-02", 3), ("Watford", "2026-01", 1)]
    number = 0
    for place, month, count in counts:
        for i in range(count):
            number += 1
            behaviour = "followed" if month == "2026-03" and number in {1, 2} else ""
            stamp = f"{month}-{10 + i:02d} 21:15" if month != "2026-01" else f"{month}-05 21:15"
            rows.append(f"R{number},{stamp},{stamp},{PLACES[place]},poor_lighting,{behaviour}\n")
    (folder / "streetsafe.csv").write_text(STREETSAFE_HEADER + "".join(rows))
    answers = ["Very unsafe"] * survey_unsafe + ["Very safe"] * survey_safe
    (folder / "survey.csv").write_text(
        "response_id,completed_at,district,safe_day,safe_after_dark,weight\n"
        + "".join(f"S{i},2026-03-15 12:00,Watford,Very safe,{answer},1\n"
                  for i, answer in enumerate(answers))
    )
    (folder / "services.csv").write_text(
        "service_id,name,category,coverage,opening_hours\n"
        "H1,Helpline,helpline,county,24/7\n"
        "P1,Watford police desk,police,Watford,Mo-Fr 09:00-17:00\n"
    )
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> Dataset:
    dataset = FolderSource(tiny_folder(tmp_path), origin="hand-built").load()
    assert not any(result.problems for result in dataset.results())
    return dataset


MARCH = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))


# ============================================================================== text
@pytest.mark.parametrize(
    ("text", "latin1", "expected"),
    [
        ("Café \u2013 ≥5", False, "Café \u2013 ≥5"),
        ("Café \u2013 ≥5", True, "Café - >=5"),
        ("東京 station", False, "?? station"),
        ("east\u202eward", False, "eastward"),  # a right-to-left override is dropped
        ("tab\there\nline", False, "tab here line"),
        (None, False, ""),
    ],
)
def test_printable_text(text: str | None, latin1: bool, expected: str) -> None:
    assert printable(text, latin1=latin1) == expected


@pytest.mark.parametrize(
    ("now", "before", "words"),
    [
        (6, 3, "up 3 (100%)"),
        (3, 4, "down 1 (25%)"),
        (5, 5, "no change (0%)"),
        (4, 0, "up 4 (no reports in the previous period)"),
        (0, 0, "no change (no reports in either period)"),
        (1200, 1000, "up 200 (20%)"),
    ],
)
def test_report_change_words(now: int, before: int, words: str) -> None:
    assert report_change_words(now, before) == words


# ============================================================================== briefing
@pytest.fixture(scope="module")
def briefing_st_albans(demo: Dataset) -> Briefing:
    return build_briefing(demo, district="St Albans", since=SINCE, until=UNTIL,
                          generated=date(2026, 11, 2))


def test_briefing_html_lists_the_top_places_of_its_data(
    demo: Dataset, briefing_st_albans: Briefing
) -> None:
    expected = analyse_hotspots(
        demo.streetsafe.frame, Filters(districts=(ST_ALBANS,), start=SINCE, end=UNTIL)
    ).places
    assert len(expected) == 10, "the test data should give St Albans ten places"
    rows = html_rows(briefing_html(briefing_st_albans))
    assert rows[0] == ["#", "Place", "Reports", "Main reasons", "Peak day and time",
                       "Last 12 months", "Centre (latitude, longitude)"]
    places = [row for row in rows if row and row[0].isdigit()]
    assert [(int(r[0]), r[1], int(r[2])) for r in places] == list(
        zip(expected["rank"], expected["name"], expected["reports"], strict=True)
    )
    assert places[0][6] == f"{expected['latitude'][0]:.5f}, {expected['longitude'][0]:.5f}"
    assert "Places are ranked by reports in the period" in briefing_html(briefing_st_albans)
    # Not only the analysis's word for it: each place's count is the number of St Albans
    # reports of the period in its small hexagons, counted here from the rows themselves.
    reports = demo.streetsafe.frame
    days = reports["event_at"].dt.tz_convert("Europe/London").dt.date
    chosen = reports[(reports["district_code"] == ST_ALBANS) & (days >= SINCE) & (days <= UNTIL)]
    cells = pd.Series([h3.latlng_to_cell(lat, lon, 10) for lat, lon in
                       zip(chosen["latitude"], chosen["longitude"], strict=True)], dtype=object)
    assert [int(r[2]) for r in places] == [int(cells.isin(str(c).split(";")).sum())
                                           for c in expected["cells"]]


def test_briefing_pdf_has_one_or_two_pages_with_the_places(
    briefing_st_albans: Briefing, pdf_text: Callable[[bytes], str]
) -> None:
    pdf = briefing_pdf(briefing_st_albans)
    assert pdf.startswith(b"%PDF")
    assert 1 <= pdf_pages(pdf) <= 2
    text = pdf_text(pdf)
    assert "Patrol briefing: St Albans" in text
    assert SYNTHETIC_BANNER in text
    flat = " ".join(text.split())
    for name in briefing_st_albans.places["Place"]:
        assert name.split(",")[0] in flat
    assert "Places are ranked by reports in the period" in flat


def test_briefing_says_the_data_are_synthetic_only_when_they_are(
    demo: Dataset,
) -> None:
    synthetic = build_briefing(demo, district=WATFORD, since=SINCE, until=UNTIL)
    real = build_briefing(dataclasses.replace(demo, synthetic=False), district=WATFORD,
                          since=SINCE, until=UNTIL)
    assert SYNTHETIC_BANNER in briefing_html(synthetic)
    assert SYNTHETIC_BANNER not in briefing_html(real)
    assert synthetic.data_note[0].startswith(SYNTHETIC_BANNER)


def test_briefing_periods_default_to_the_last_four_weeks(demo: Dataset) -> None:
    latest = demo.streetsafe.frame["event_at"].max().date()
    briefing = build_briefing(demo, district="watford", since=None, until=None)
    assert briefing.district == "Watford"
    assert briefing.period == (date.fromordinal(latest.toordinal() - 27), latest)
    assert briefing.previous == (date.fromordinal(latest.toordinal() - 55),
                                 date.fromordinal(latest.toordinal() - 28))


def test_briefing_with_too_few_reports_says_so(demo: Dataset) -> None:
    # 26 to 28 October hold 3 + 0 + 1 reports in Stevenage in this demo (seed 1): under 5.
    briefing = build_briefing(demo, district="Stevenage", since=date(2026, 10, 26),
                              until=date(2026, 10, 28))
    assert briefing.reports == 4
    assert not briefing.reliable
    # the places are still listed, said plainly to be the busiest, not a test
    assert 1 <= len(briefing.places) <= briefing.reports
    page = briefing_html(briefing)
    assert "Fewer than 5 reports in the selection: too few for a hot spot test" in page
    assert "This is a list of the busiest places, not a significance test" in page
    assert 1 <= pdf_pages(briefing_pdf(briefing)) <= 2


def test_a_partner_asking_for_a_briefing_is_refused(demo: Dataset) -> None:
    with pytest.raises(PermissionError, match="board pack"):
        build_briefing(demo, district="Watford", since=None, until=None, role="partner")


def test_an_unknown_district_is_refused_with_the_valid_ones(demo: Dataset) -> None:
    with pytest.raises(ValueError, match="expected a Hertfordshire district, one of Broxbourne, Dacorum"):
        build_briefing(demo, district="<b>Gotham</b>", since=None, until=None)


def test_briefing_html_escapes_text_and_requests_nothing(
    demo: Dataset, pdf_text: Callable[[bytes], str]
) -> None:
    hostile = dataclasses.replace(
        demo, origin='<script>alert("x")</script> exports from 東京 \u2013 ≥ 5',
    )
    briefing = build_briefing(hostile, district=WATFORD, since=SINCE, until=UNTIL)
    page = briefing_html(briefing)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert all(link.startswith("data:image/png;base64,")
               for link in re.findall(r'(?:src|href)="([^"]*)"', page))
    # The same text in the PDF: drawn, not a crash; the CJK the font lacks becomes "?".
    text = pdf_text(briefing_pdf(briefing))
    assert '<script>alert("x")</script> exports from ?? \u2013 ≥ 5' in text


def test_a_hostile_location_label_never_reaches_the_briefing(tmp_path: Path) -> None:
    folder = tiny_folder(tmp_path)
    hostile = "<img src=x onerror=alert(1)>"
    (folder / "streetsafe.csv").write_text(
        "report_id,submitted_at,latitude,longitude,location_label\n"
        f"X1,2026-03-10 21:00,{PLACES['Watford']},{hostile}\n"
    )
    dataset = FolderSource(folder).load()
    page = briefing_html(build_briefing(dataset, district=WATFORD, since=None, until=None))
    assert "onerror" not in page


# ============================================================================== board pack
def test_headline_figures_by_hand(tiny: Dataset) -> None:
    watford = dataclasses.replace(MARCH, districts=(WATFORD,))
    figures = headline_figures(tiny, watford, role="analyst")
    assert figures["period"] == (date(2026, 3, 1), date(2026, 3, 31))
    assert figures["previous"] == (date(2026, 1, 29), date(2026, 2, 28))
    assert (figures["reports"], figures["previous_reports"]) == (6, 3)
    assert figures["change_text"] == "up 3 (100%)"
    assert (figures["change"], figures["change_pct"]) == (3, 100.0)
    assert figures["residents"] == 102_300  # Watford, Census 2021
    assert figures["per_1000"] == pytest.approx(6 / 102_300 * 1000)
    assert figures["per_1000_text"] == "0.06"
    assert figures["unsafe_after_dark_pct"] == pytest.approx(25.0)  # 15 of 60
    assert figures["unsafe_after_dark_text"].startswith("25.0% (95% CI ")
    assert figures["survey_base"] == 60
    # helpline and police are in the list; police serves Watford only.
    assert (figures["coverage_gaps"], figures["coverage_pairs"]) == (0, 2)
    county = headline_figures(tiny, MARCH, role="analyst")
    assert (county["reports"], county["previous_reports"]) == (16, 3)
    assert county["change_text"] == "up 13 (433%)"
    assert (county["coverage_gaps"], county["coverage_pairs"]) == (9, 20)
    assert county["coverage_gaps_text"] == (
        "9 of 20 district and service-type pairs have no service"
    )


@pytest.mark.parametrize(
    ("start", "end", "previous", "compared", "change_text"),
    [
        # 30 days before 4 Feb is 5 Jan, the day the data start: covered. Now the three
        # February reports, before it the 5 January one.
        (date(2026, 2, 4), date(2026, 3, 5), (date(2026, 1, 5), date(2026, 2, 3)), True,
         "up 2 (200%)"),
        # One day earlier the previous period starts on 4 Jan, before the data do.
        (date(2026, 2, 3), date(2026, 3, 4), (date(2026, 1, 4), date(2026, 2, 2)), False,
         "no earlier period to compare (the data start after 4 Jan 2026)"),
        # February and March (59 days) against 4 Dec to 31 Jan: the 5 January report alone
        # would have made it "up 18 (1800%)".
        (date(2026, 2, 1), date(2026, 3, 31), (date(2025, 12, 4), date(2026, 1, 31)), False,
         "no earlier period to compare (the data start after 4 Dec 2025)"),
        # All dates: 5 Jan to 16 Mar (71 days) against the 71 days before the first report,
        # which would have been "up 20 (no reports in the previous period)".
        (None, None, (date(2025, 10, 26), date(2026, 1, 4)), False,
         "no earlier period to compare (the data start after 26 Oct 2025)"),
    ],
)
def test_no_change_against_a_period_the_data_do_not_cover(
    tiny: Dataset, start: date | None, end: date | None, previous: tuple[date, date],
    compared: bool, change_text: str,
) -> None:
    figures = headline_figures(tiny, Filters(start=start, end=end), role="analyst")
    assert figures["previous"] == previous
    assert figures["compared"] is compared
    assert figures["change_text"] == change_text
    if compared:
        assert (figures["change"], figures["previous_reports"]) == (2, 1)
    else:
        assert (figures["change"], figures["change_pct"], figures["previous_reports"]) == (
            None, None, None)
        assert figures["previous_reports_text"] == "-"


def test_no_change_without_any_report(tmp_path: Path) -> None:
    folder = tiny_folder(tmp_path)
    (folder / "streetsafe.csv").write_text(STREETSAFE_HEADER)
    dataset = FolderSource(folder).load()
    everything = headline_figures(dataset, Filters(), role="analyst")
    assert (everything["period"], everything["previous"]) == (None, None)
    assert everything["change_text"] == "no earlier period to compare"
    march = headline_figures(dataset, MARCH, role="analyst")
    assert (march["compared"], march["change"]) == (False, None)
    assert march["change_text"] == "no earlier period to compare (the data start after 29 Jan 2026)"


def test_board_pack_pdf_says_there_is_no_earlier_period(
    tiny: Dataset, pdf_text: Callable[[bytes], str]
) -> None:
    pack = build_board_pack(tiny, filters=Filters(), role="partner")
    assert pack.headline["change"] is None
    text = pdf_text(board_pack_pdf(pack))
    assert "no earlier period to compare" in " ".join(text.split())
    assert "+20" not in text
    assert "up 20" not in text


def test_headline_figures_for_partners_hide_small_counts(tiny: Dataset) -> None:
    watford = dataclasses.replace(MARCH, districts=(WATFORD,))
    figures = headline_figures(tiny, watford, role="partner")
    # Watford: 3 in February, 6 in March, 9 in the first quarter (shown in the release).
    # Showing the 6 would give the 3 away (9 - 6), so March reads "hidden".
    assert figures["reports_text"] == "hidden"
    assert figures["previous_reports_text"] == "<5"
    assert figures["previous_reports"] is None
    assert figures["change"] is None
    assert figures["change_text"] == "hidden (fewer than 5 reports in a period)"
    # Partners get the county's survey share over whole half-years, and only when every
    # district has 50 answers: here only Watford answered (60), so it is hidden (else it
    # would be Watford's share under another name, next to districts with none).
    assert figures["unsafe_after_dark_text"] == "Hidden: fewer than 50 answers"
    analyst = headline_figures(tiny, watford, role="analyst")
    assert analyst["unsafe_after_dark_text"].startswith("25.0%")  # 15 of 60


def test_partners_do_not_see_survey_shares_on_under_50_answers(tmp_path: Path) -> None:
    dataset = FolderSource(tiny_folder(tmp_path, survey_unsafe=10, survey_safe=39)).load()
    partner = headline_figures(dataset, MARCH, role="partner")
    analyst = headline_figures(dataset, MARCH, role="analyst")
    assert partner["unsafe_after_dark_pct"] is None
    assert partner["unsafe_after_dark_text"] == "Hidden: fewer than 50 answers"
    assert analyst["unsafe_after_dark_pct"] == pytest.approx(10 / 49 * 100)


def test_board_pack_tables_suppress_small_counts_for_partners(
    tiny: Dataset, pdf_text: Callable[[bytes], str]
) -> None:
    pack = build_board_pack(tiny, filters=MARCH, generated=date(2026, 4, 1))
    table = pack.district_table.set_index("District")
    # March: Watford 6, Dacorum 3, St Albans 7 (January: Watford 1, February: Watford 3;
    # quarter 1 of the county 20, of Watford 10, both shown). Dacorum's 3 is "<5";
    # Watford's 6 is hidden (10 - 6 would give January and February's 4); St Albans' 7
    # is hidden (with the county's 20 and Watford's 10, St Albans' quarter and Dacorum's
    # add up to 10: a shown 7 pins the 3).
    assert table.loc["Dacorum", "Reports"] == "<5"
    assert table.loc["Watford", "Reports"] == "hidden"
    assert table.loc["St Albans", "Reports"] == "hidden"
    assert table.loc["Dacorum", "Per 1,000 residents"] == "<5"
    assert table.loc["Watford", "Per 1,000 residents"] == "hidden"
    assert table.loc["Broxbourne", "Reports"] == "0"
    # Partners' reasons are for the county over the whole quarter: all 20 give poor
    # lighting; 2 "followed" read "<5" and their share is hidden.
    reasons = pack.reason_table.set_index("Reason")
    assert reasons.loc["Poor lighting"].tolist() == ["20", "100.0%"]
    assert reasons.loc["Followed"].tolist() == ["<5", "hidden"]
    # The county's March (16) is hidden: with the quarter's 20 it would pin January and
    # February's 4.
    assert pack.trend_shown == ["hidden"]
    pdf = board_pack_pdf(pack)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert re.search(r"Dacorum\s+<5\s+<5", text)
    assert re.search(r"Watford\s+hidden\s+hidden", text)


def test_board_pack_for_analysts_shows_every_count(tiny: Dataset) -> None:
    pack = build_board_pack(tiny, filters=MARCH, role="analyst")
    table = pack.district_table.set_index("District")
    assert table.loc["Dacorum", "Reports"] == 3
    assert table.loc["Watford", "Reports"] == 6


def test_board_pack_is_labelled_synthetic_on_every_page(demo: Dataset, pdf_text: Callable[[bytes], str]) -> None:
    pdf = board_pack_pdf(build_board_pack(demo, filters=Filters()))
    pages = pdf_text(pdf).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == pdf_pages(pdf) >= 2
    assert all(SYNTHETIC_BANNER in page for page in pages)


def test_monthly_trend_counts_local_months_with_empty_ones() -> None:
    times = pd.to_datetime(
        ["2026-01-05T10:00Z", "2026-01-31T23:30Z", "2026-03-31T23:30Z"], utc=True
    ).tz_convert("Europe/London")
    trend = monthly_trend(pd.DataFrame({"event_at": times}),
                          period=(date(2026, 1, 1), date(2026, 4, 30)))
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time).
    assert trend["month"].dt.strftime("%Y-%m").tolist() == ["2026-01", "2026-02", "2026-03",
                                                           "2026-04"]
    assert trend["reports"].tolist() == [2, 0, 0, 1]


def test_top_reasons_count_each_report_once_per_reason() -> None:
    reports = pd.DataFrame({
        "environment": ["poor_lighting;no_cctv", "poor_lighting", "", "other", None],
        "behaviour": ["followed", "followed;other", "followed", "other", None],
    })
    reasons = top_reasons(reports, limit=3)
    assert reasons.to_dict("list") == {
        "reason": ["followed", "poor_lighting", "other"],
        "label": ["Followed", "Poor lighting", "Other"],
        "reports": [3, 2, 2],
        "share_pct": [60.0, 40.0, 40.0],
    }


# ============================================================================== charts
@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Keep every figure a chart function draws, to read what is on it."""
    figures: list[Figure] = []
    original = charts._png

    def keep(figure: Figure) -> bytes:
        figures.append(figure)
        return original(figure)

    monkeypatch.setattr(charts, "_png", keep)
    return figures


def written(ax: Axes) -> list[tuple[float, float, str]]:
    """Return the texts written in an axes' data area, with where they are."""
    return [(*text.get_position(), text.get_text()) for text in ax.texts]


def test_when_matrix_writes_each_count_in_its_square(drawn: list[Figure]) -> None:
    when = pd.DataFrame(0, index=range(7), columns=range(24))
    when.iloc[0, 21] = 3  # Monday 21:00
    when.iloc[4, 2] = 1200  # Friday 02:00
    png = when_matrix_png(when)
    assert png.startswith(PNG_SIGNATURE)
    assert png == when_matrix_png(when)  # the same chart, byte for byte
    ax = drawn[0].axes[0]
    assert written(ax) == [(21, 0, "3"), (2, 4, "1,200")]
    shown = ax.images[0].get_array()
    assert (shown[0, 21], shown[4, 2]) == (3, 1200)
    assert shown.mask.sum() == 7 * 24 - 2  # every empty slot is masked: drawn white
    empty = when_matrix_png(when * 0)
    assert empty != png
    assert written(drawn[-1].axes[0]) == [
        (11.5, 3, "No report with a time of the incident in this period")
    ]


def test_trend_chart_leaves_a_hidden_month_off_the_line(drawn: list[Figure]) -> None:
    monthly = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                            "reports": [3, 9]})
    assert trend_png(monthly, shown=["<5", "9"]).startswith(PNG_SIGNATURE)
    ax = drawn[0].axes[0]
    # The 3 a partner may not see is neither plotted nor written; "<5" is, at the foot.
    line = ax.lines[0].get_ydata()
    assert np.isnan(line[0])
    assert line[1] == 9
    assert sorted(text for _, _, text in written(ax)) == ["9", "<5"]
    trend_png(monthly)  # an analyst's chart: both counts on the line
    assert list(drawn[-1].axes[0].lines[0].get_ydata()) == [3, 9]


def test_bar_chart_draws_each_value_top_first(drawn: list[Figure]) -> None:
    assert bar_png(["A", "B"], [2.5, 1.0], title="t", xlabel="x").startswith(PNG_SIGNATURE)
    ax = drawn[0].axes[0]
    assert [bar.get_width() for bar in ax.patches] == [2.5, 1.0]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["A", "B"]
    assert ax.yaxis_inverted()  # A, the first, at the top
    assert [text for _, _, text in written(ax)] == ["2.50", "1"]
    bar_png(["A", "B"], [3.0, 7.0], title="t", xlabel="x", shown=["<5", "7"])
    hidden = drawn[-1].axes[0]
    assert [bar.get_width() for bar in hidden.patches] == [0.0, 7.0]
    assert [text for _, _, text in written(hidden)] == ["<5", "7"]


def test_hotspot_map_chart_is_the_same_twice(briefing_st_albans: Briefing) -> None:
    analysis = briefing_st_albans.analysis
    first = hotspot_map_png(analysis, load_districts(), focus=ST_ALBANS)
    assert first.startswith(PNG_SIGNATURE)
    assert first == hotspot_map_png(analysis, load_districts(), focus=ST_ALBANS)


def test_chart_inputs_are_checked(briefing_st_albans: Briefing) -> None:
    with pytest.raises(ValueError, match="7 days by 24 hours"):
        when_matrix_png(briefing_st_albans.when.iloc[:3])
    with pytest.raises(ValueError, match="`focus` must be the code"):
        hotspot_map_png(briefing_st_albans.analysis, load_districts(), focus="Gotham")
    with pytest.raises(ValueError, match="as long as each other"):
        bar_png(["A"], [1.0, 2.0], title="t", xlabel="x")


# ============================================================================== commands
@pytest.mark.parametrize("name", ["briefing.pdf", "briefing.html"])
def test_briefing_command_writes_the_file(
    demo_dir: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / name
    code = cli.main(["briefing", "--district", ST_ALBANS, "--out", str(out), "--data",
                     str(demo_dir), "--since", SINCE.isoformat(), "--until", UNTIL.isoformat()])
    assert code == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF" if name.endswith(".pdf") else b"<!DOCTYPE html>")
    assert "Wrote the patrol briefing for St Albans, 1 May 2026 to 31 Oct 2026" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--district", "Gotham", "--out", "b.pdf"],
         "--district 'Gotham': expected a Hertfordshire district, one of Broxbourne"),
        (["--district", "Watford", "--out", "b.docx"],
         "expected a file name ending in .pdf or .html, found '.docx'"),
    ],
)
def test_briefing_command_refuses_bad_input(
    demo_dir: Path, tmp_path: Path, argv: list[str], message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [str(tmp_path / a) if a.startswith("b.") else a for a in argv]
    # Both are usage errors (README: exit 2), as for every command.
    assert cli.main(["briefing", *argv, "--data", str(demo_dir)]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_board_pack_command_writes_the_pdf(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pack.pdf"
    code = cli.main(["board-pack", "--out", str(out), "--data", str(demo_dir),
                     "--district", "Watford", "--district", "st albans",
                     "--since", "2026-04-01", "--until", "2026-09-30"])
    assert code == 0
    assert out.read_bytes().startswith(b"%PDF")
    # The folder holds demo exports (identifiers DEMO-): the output says so.
    assert ("Wrote the board pack for Watford, St Albans (synthetic demo data) to"
            in capsys.readouterr().out)


def test_board_pack_command_refuses_an_unknown_district(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["board-pack", "--out", str(tmp_path / "pack.pdf"), "--data",
                     str(demo_dir), "--district", "Gotham"])
    assert code == 2  # a usage error, as for every command
    assert "expected a Hertfordshire district" in capsys.readouterr().err
