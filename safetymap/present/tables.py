"""Shape frames into the tables pages show, with column names in the users' words."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geodata import DISTRICTS
from loaders.vocab import REASONS, SAFETY_ANSWERS, SERVICE_CATEGORIES, TIME_OF_DAY
from safetymap.analysis.actions import action_why
from safetymap.analysis.places import STANDINGS as PLACE_STANDINGS
from safetymap.disclosure import (
    PARTNER_BANDS,
    SMALL_COUNT,
    coarse_count_text,
    count_text,
    is_shown,
    partner_distance_km,
    partner_share_pct,
    presence_text,
    suppressed_counts,
)
from safetymap.roles import Role


def district_rate_table(
    rates: pd.DataFrame, role: Role, *, reports_text: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return district rates as a table to read: name, rate, reports, residents.

    For partners, small counts are suppressed (with secondary suppression) and so is the
    rate of a suppressed count, since rate and residents together would give it back.
    ``reports_text`` gives each district's count as the partner may see it (from
    :class:`safetymap.disclosure.PartnerRelease`); by default worked out from ``rates``.
    """
    table = pd.DataFrame(
        {
            "District": rates["district_name"],
            "Per 1,000 residents": rates["per_1000"].round(2),
            "Reports": rates["reports"],
            "Residents": rates["population"],
        }
    )
    if role == "partner" or reports_text is not None:
        shown = (suppressed_counts(rates["reports"].tolist(), role) if reports_text is None
                 else [reports_text.get(code, "0") for code in rates["district_code"]])
        table["Reports"] = shown
        table["Per 1,000 residents"] = [
            f"{rate:.2f}" if is_shown(text) else text
            for rate, text in zip(rates["per_1000"], shown, strict=True)
        ]
    return table


def _coverage_words(coverage: str) -> str:
    if coverage == "county":
        return "Whole county"
    return ", ".join(DISTRICTS.get(code, code) for code in coverage.split(";"))


def services_table(services: pd.DataFrame) -> pd.DataFrame:
    """Return the services without any location: name, category, hours, phone, area."""
    return pd.DataFrame(
        {
            "Service": services["name"],
            "Category": services["category"].map(SERVICE_CATEGORIES),
            "Opening hours": services["opening_hours"],
            "Phone": services["phone"],
            "Covers": services["coverage"].map(_coverage_words),
            "Eligibility": services["eligibility"],
        }
    )


#: How each group of :func:`safetymap.analysis.open_now.open_near` reads in a table.
OPEN_NOW_GROUPS: dict[str, str] = {
    "place": "Place to go",
    "remote": "Phone or online",
    "confidential": "Confidential: phone only",
    "national line": "National 24-hour line",
}


def open_now_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return the services open near a place as a table to read, in the list's order.

    The distance is shown for places to go only; the list holds no location of a
    confidential service, and no report figure, so it is the same for every role.
    """
    return pd.DataFrame(
        {
            "Service": table["name"],
            "How": table["group"].map(OPEN_NOW_GROUPS),
            "Category": table["category"],
            "Phone": table["phone"],
            "Open until": table["open_until"],
            "Distance": [_km(km) for km in table["distance_km"]],
            "Serves": table["serves"],
            "Note": table["place_note"],
            "Opening hours": table["opening_hours"],
            "Eligibility": table["eligibility"],
        }
    )


def _km(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.1f} km"


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.0f}%"


def gap_ranking_table(
    ranking: pd.DataFrame, role: Role, *, reports_text: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return the district gap ranking to read: rank, district, score, reason.

    ``reports_text`` gives each district's count as a partner may see it (the release).
    """
    reports = (suppressed_counts(ranking["reports"].tolist(), role) if reports_text is None
               else [reports_text.get(code, "0") for code in ranking["district_code"]])
    return pd.DataFrame(
        {
            "Rank": ranking["rank"],
            "District": ranking["district_name"],
            "Reports": reports,
            "Gap score": ranking["gap_score"].round(2),
            "Why": ranking["reason"],
        }
    )


def coverage_detail_table(
    rows: pd.DataFrame, role: Role, *, district_reports: int | None = None
) -> pd.DataFrame:
    """Return one district's coverage, category by category, in words.

    For partners (:mod:`safetymap.disclosure`): reports with a time read "0", "<5" or
    "5 or more"; the share when closed is rounded to 10% and shown only when the reports
    then and the rest are each 0 or 5 or more; the distance from reports is rounded to
    half a kilometre and shown only when the district has 5 reports or more
    (``district_reports``, the count the release shows; None when it shows none: unknown
    counts as fewer, and reports with a time then read "hidden").
    """
    timed = rows["reports_with_time"].astype(int)
    if role == "partner":
        closed = (rows["reports_when_closed_pct"].fillna(0) / 100 * timed).round().astype(int)
        shares = [partner_share_pct(int(c), int(t)) for c, t in zip(closed, timed, strict=True)]
        when_closed = ["hidden" if p is None or district_reports is None else f"{p:.0f}%"
                       for p in shares]
        distances = [partner_distance_km(float(km), district_reports or 0)
                     for km in rows["report_nearest_km_median"]]
        from_reports = ["hidden" if d is None else f"{d:.1f} km" for d in distances]
        # Off the release: shown coarse only where the district's own count is shown, so
        # that it never says a hidden count is not 0.
        timed_text = ([coarse_count_text(int(t)) for t in timed] if district_reports
                      is not None else ["hidden"] * len(timed))
    else:
        when_closed = [_pct(p) for p in rows["reports_when_closed_pct"]]
        from_reports = [_km(km) for km in rows["report_nearest_km_median"]]
        timed_text = [f"{int(t):,}" for t in timed]
    return pd.DataFrame(
        {
            "Category": rows["category_label"],
            "Serves the district": ["yes" if c else "NO" for c in rows["covered"]],
            "Services": rows["services"],
            "Nearest, from homes": rows["nearest_km_median"].map(_km),
            "Nearest, from reports": from_reports,
            "Hours open a week": rows["hours_open_per_week"].round(1),
            "Closes latest at": rows["latest_close"].replace("", "-"),
            "Reports with a time": timed_text,
            "Of those, when closed": when_closed,
        }
    )


def bank_holiday_table(gap: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return reports on bank holidays per district; partners see "0", "<5" or "5 or more".

    The counts are off the partners' release (days, not months): like every such count, a
    partner learns only whether each is none, small or not (:func:`coarse_count_text`).
    """
    def shown(n: int) -> str:
        return coarse_count_text(int(n)) if role == "partner" else count_text(int(n), role)

    return pd.DataFrame(
        {
            "District": gap["district_name"],
            "Reports on bank holidays": [shown(n) for n in gap["bank_holiday_reports"]],
            "Of those, when no local service was open": [
                shown(n) for n in gap["bank_holiday_reports_when_closed"]
            ],
        }
    )


def lsoa_gap_table(rows: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return the LSOA gap ranking; partners do not see areas with fewer than 5 reports."""
    if role == "partner":
        rows = rows[rows["reports"] >= SMALL_COUNT]
    return pd.DataFrame(
        {
            "Rank": rows["rank"],
            "Area (LSOA 2011)": rows["lsoa_name"],
            "Reports": rows["reports"],
            "Gap score": rows["gap_score"].round(2),
            "Why": rows["reason"],
        }
    )


#: An empty cell of the places list: a dash, not "-", which a static table (markdown)
#: draws as a list bullet.
NOTHING = "\u2014"


def _reasons_text(codes: str, counts: str, role: Role) -> str:
    """Return reason codes as words with their counts; for partners only those of 5 or more."""
    pairs = [(code, int(n)) for code, n in zip(str(codes).split(";"), str(counts).split(";"),
                                               strict=False) if code and n]
    if role == "partner":
        return ", ".join(REASONS.get(code, code) for code, n in pairs if n >= SMALL_COUNT) or (
            NOTHING)
    return ", ".join(f"{REASONS.get(code, code)} ({n})" for code, n in pairs) or NOTHING


def _peak_text(words: str, count: int, role: Role, *, tied: str) -> str:
    """Return a peak and its reports ("Friday (2)"); ``tied`` when three or more tie.

    :data:`NOTHING` when nothing is known, and for partners when the peak holds fewer than
    5 reports.
    """
    if count == 0 or (role == "partner" and count < SMALL_COUNT):
        return NOTHING
    if not words:
        return tied
    return words if role == "partner" else f"{words} ({count})"


def _band_words(bands: str) -> str:
    """Return time-of-day codes ("evening or night") as "Evening 18:00-22:00 or Night ..."."""
    return " or ".join(TIME_OF_DAY.get(band, band).replace(" (", " ").rstrip(")")
                       for band in str(bands).split(" or ") if band)


def _standing_text(standing: str, weeks: int, role: Role) -> str:
    words = PLACE_STANDINGS.get(standing, standing)
    if standing == "repeat" and role != "partner":
        return f"{words}: reports in {weeks} separate weeks"
    return words


def top_places_table(places: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return the places to patrol as a list a sergeant can read out.

    ``places`` is :func:`safetymap.analysis.places.patrol_places` output. Partners see only
    places holding at least 5 reports (the busiest come first, so that is the top of the
    list), without coordinates, and of reasons, peak day and peak time only what describes
    5 reports or more; their counts read "5 or more" (a place is not in the partners'
    protected release, so an exact count could be differenced across periods). Police and
    analysts see every place, with its count and centre.
    """
    if role == "partner":
        places = places[places["reports"] >= SMALL_COUNT]
    table = pd.DataFrame(
        {
            "Rank": places["rank"].to_numpy(dtype="int64"),
            "Place": places["name"].to_numpy(dtype=object),
            "District": places["district"].to_numpy(dtype=object),
            "Reports": [coarse_count_text(int(n)) if role == "partner"
                        else count_text(int(n), role) for n in places["reports"]],
            "Main reasons": [
                _reasons_text(codes, counts, role)
                for codes, counts in zip(places["main_reasons"], places["main_reason_counts"],
                                         strict=True)
            ],
            **_peaks_and_standing(places, role),
        }
    )
    if role != "partner":
        table["Latitude"] = places["latitude"].round(5).to_numpy()
        table["Longitude"] = places["longitude"].round(5).to_numpy()
    return table


def _peaks_and_standing(places: pd.DataFrame, role: Role) -> dict[str, list[str]]:
    """Return the "Peak day", "Peak time" and "Last 12 months" columns of a list of places
    (``peak_day``, ``peak_time``, their ``*_reports``, ``standing``, ``weeks_12_months``)."""
    return {
        "Peak day": [_peak_text(words, int(n), role, tied="No one day") for words, n in zip(
            places["peak_day"], places["peak_day_reports"], strict=True)],
        "Peak time": [_peak_text(_band_words(words), int(n), role, tied="No one time")
                      for words, n in zip(places["peak_time"], places["peak_time_reports"],
                                          strict=True)],
        "Last 12 months": [_standing_text(standing, int(weeks), role) for standing, weeks
                           in zip(places["standing"], places["weeks_12_months"], strict=True)],
    }


def agency_actions_table(actions: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return an agency's action list as the role may read it, one place a row.

    ``actions`` is :func:`safetymap.analysis.actions.agency_actions` output. The partner
    rules are those of :func:`top_places_table`, applied to the reports that give the
    agency's reasons: partners see only places where at least 5 reports give them (so
    being on the list never says that 1 to 4 reports there did), their counts read
    "5 or more", a reason or peak only when it describes 5 reports or more, no centre, and
    a "why" built from what they may see (:func:`~safetymap.analysis.actions.action_why`).
    """
    partner = role == "partner"
    if partner:
        actions = actions[actions["agency_reports"] >= SMALL_COUNT]

    def count(n: int) -> str:
        return coarse_count_text(int(n)) if partner else count_text(int(n), role)

    table = pd.DataFrame(
        {
            "Rank": actions["rank"].to_numpy(dtype="int64"),
            "Place": actions["name"].to_numpy(dtype=object),
            "District": actions["district"].to_numpy(dtype=object),
            "Reports": [count(n) for n in actions["reports"]],
            "Giving these reasons": [count(n) for n in actions["agency_reports"]],
            "Reasons": [
                _reasons_text(codes, counts, role)
                for codes, counts in zip(actions["reasons"], actions["reason_counts"],
                                         strict=True)
            ],
            **_peaks_and_standing(actions, role),
            "Why it is on the list": [action_why(row, role)
                                      for row in actions.to_dict("records")],
        }
    )
    if not partner:
        table["Latitude"] = actions["latitude"].round(5).to_numpy()
        table["Longitude"] = actions["longitude"].round(5).to_numpy()
    return table


def change_summary(changes: pd.DataFrame, definitions: dict[str, str]) -> pd.DataFrame:
    """Return how many hot cells carry each change label, with the label's definition."""
    counts = changes["change"].value_counts()
    return pd.DataFrame(
        {
            "Change": [label.capitalize() for label in definitions],
            "Hot cells": [int(counts.get(label, 0)) for label in definitions],
            "Meaning": list(definitions.values()),
        }
    )


def when_table(when: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return the day-by-hour counts as the role may see them: for partners 1 to 4 read "<5".

    No total is shown beside the matrix, so no count can be worked back from one.
    """
    return when.apply(lambda column: pd.Series(
        [count_text(int(n), role) for n in column], index=column.index, dtype=object))


def partner_when_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Return reports by weekday (rows) and time-of-day band (columns) for a partner.

    ``counts`` are ``event_weekday``, ``time_of_day`` and ``reports``. Each cell reads
    "5 or more" or "fewer than 5", none included (:func:`safetymap.disclosure.presence_text`):
    the table is off the partners' protected release, so no exact count is given, and
    "<5" against "0" would tell on which weekdays and at what times a few reports fell.
    """
    weekdays = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    found = {(int(d), str(b)): int(n) for d, b, n in zip(
        counts["event_weekday"], counts["time_of_day"], counts["reports"], strict=True)}
    return pd.DataFrame(
        {TIME_OF_DAY.get(band, "Not given"): [presence_text(found.get((d, band), 0))
                                              for d in range(7)]
         for band in PARTNER_BANDS},
        index=pd.Index(weekdays, name="Day"),
    )


#: Column names of the records, as the Records page shows them (downloads keep the
#: contract's field names).
RECORD_COLUMN_WORDS: dict[str, str] = {
    "report_id": "Report reference",
    "submitted_at": "Submitted",
    "occurred_at": "Felt unsafe (time given)",
    "event_at": "Felt unsafe (else submitted)",
    "time_of_day": "Time of day",
    "environment": "What the place was like",
    "behaviour": "What people did",
    "location_label": "Place",
    "age_band": "Age group",
    "sex": "Sex",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "district_code": "District code",
    "district_name": "District",
    "lsoa_code": "Small area (LSOA) code",
    "lsoa_name": "Small area (LSOA)",
    "source_file": "From file",
    "source_row": "Row in file",
    "response_id": "Response reference",
    "completed_at": "Completed",
    "safe_day": "Feels by day",
    "safe_after_dark": "Feels after dark",
    "concern_latitude": "Place named: latitude",
    "concern_longitude": "Place named: longitude",
    "concern_reasons": "Why the place named feels unsafe",
    "comment": "Comment",
    "weight": "Survey weight",
}
_REASON_COLUMNS = ("environment", "behaviour", "concern_reasons")
_ANSWER_COLUMNS = ("safe_day", "safe_after_dark")


def _reasons_in_words(codes: object) -> str:
    if not isinstance(codes, str):
        return ""
    return "; ".join(REASONS.get(code, code) for code in codes.split(";") if code)


def records_table(records: pd.DataFrame) -> pd.DataFrame:
    """Return records as the Records page shows them: every name and code in words.

    Columns are renamed by :data:`RECORD_COLUMN_WORDS` (any other column keeps its name,
    with spaces for underscores); reason codes, times of day and survey answers become
    their labels ("poor_lighting;followed" reads "Poor lighting; Followed", 2 reads "Fairly
    unsafe"). Downloads are written from the records themselves, with the contract's names.

    Parameters
    ----------
    records
        Report or survey records, without geometry.
    """
    table = records.copy()
    answers = {code: words for words, code in SAFETY_ANSWERS.items() if code is not None}
    for column in table.columns:
        if column in _REASON_COLUMNS:
            table[column] = table[column].map(_reasons_in_words)
        elif column == "time_of_day":
            table[column] = table[column].map(lambda code: TIME_OF_DAY.get(code, code))
        elif column in _ANSWER_COLUMNS:
            table[column] = [
                "Don't know or not answered" if pd.isna(value)
                else answers.get(int(value), str(value))
                for value in table[column]
            ]
    return table.rename(
        columns=lambda name: RECORD_COLUMN_WORDS.get(
            str(name), str(name).replace("_", " ").capitalize()
        )
    )


def _metres_words(metres: float, step: float) -> str:
    if pd.isna(metres):
        return "none in place"
    return f"{round(metres / step) * step:,.0f} m"


def outreach_gap_table(unreached: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return the hot spots without an outreach point nearby: where the next poster could go.

    ``unreached`` is :attr:`safetymap.analysis.outreach.OutreachReach.unreached`. Partners
    get hot spot areas (each holds 5 reports or more) with no count, named as on the map,
    and the distance to the nearest point to 100 m; the police and analysts get hexagons
    with their reports, the distance to 10 m and a point to go to.
    """
    nearest = unreached["nearest_m"]
    if role == "partner":
        return pd.DataFrame({
            "Hot spot area": [f"Area {int(a)}" if pd.notna(a) else "-"
                              for a in unreached["area"]],
            "Place": unreached["name"],
            "Nearest outreach point": [_metres_words(m, 100.0) for m in nearest],
        })
    return pd.DataFrame({
        "Rank": unreached["rank"],
        "Place": unreached["name"],
        "Reports": [count_text(int(n), role) if pd.notna(n) else "-"
                    for n in unreached["reports"]],
        "Nearest outreach point": [_metres_words(m, 10.0) for m in nearest],
        "Latitude": unreached["latitude"].round(4),
        "Longitude": unreached["longitude"].round(4),
    })
