"""Shape frames into the tables pages show, with column names in the users' words."""

from __future__ import annotations

import pandas as pd

from geodata import DISTRICTS
from loaders.vocab import REASONS, SAFETY_ANSWERS, SERVICE_CATEGORIES, TIME_OF_DAY
from safetymap.roles import SMALL_COUNT, Role, count_text, suppressed_counts


def district_rate_table(rates: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return district rates as a table to read: name, rate, reports, residents.

    For partners, small counts are suppressed (with secondary suppression) and so is the
    rate of a suppressed count, since rate and residents together would give it back.
    """
    table = pd.DataFrame(
        {
            "District": rates["district_name"],
            "Per 1,000 residents": rates["per_1000"].round(2),
            "Reports": rates["reports"],
            "Residents": rates["population"],
        }
    )
    if role == "partner":
        shown = suppressed_counts(rates["reports"].tolist(), role)
        table["Reports"] = shown
        table["Per 1,000 residents"] = [
            f"{rate:.2f}" if text[0].isdigit() else text
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


def _km(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.1f} km"


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.0f}%"


def gap_ranking_table(ranking: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return the district gap ranking to read: rank, district, score, reason."""
    return pd.DataFrame(
        {
            "Rank": ranking["rank"],
            "District": ranking["district_name"],
            "Reports": suppressed_counts(ranking["reports"].tolist(), role),
            "Gap score": ranking["gap_score"].round(2),
            "Why": ranking["reason"],
        }
    )


def coverage_detail_table(rows: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return one district's coverage, category by category, in words."""
    timed = suppressed_counts(rows["reports_with_time"].tolist(), role)
    return pd.DataFrame(
        {
            "Category": rows["category_label"],
            "Serves the district": ["yes" if c else "NO" for c in rows["covered"]],
            "Services": rows["services"],
            "Nearest, from homes": rows["nearest_km_median"].map(_km),
            "Nearest, from reports": rows["report_nearest_km_median"].map(_km),
            "Hours open a week": rows["hours_open_per_week"].round(1),
            "Closes latest at": rows["latest_close"].replace("", "-"),
            "Reports with a time": timed,
            "Of those, when closed": [
                _pct(p) if t[0].isdigit() else "hidden"
                for p, t in zip(rows["reports_when_closed_pct"], timed, strict=True)
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


def top_places_table(places: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return the top hot places as a list a sergeant can read out."""
    return pd.DataFrame(
        {
            "#": places["rank"],
            "Near": places["nearest_town"],
            "Area (LSOA 2011)": places["lsoa_name"],
            "Reports": [count_text(int(n), role) for n in places["reports"]],
            "Main reasons": places["main_reasons"],
            "Peak day": places["peak_day"],
            "Peak time": places["peak_time"],
            "Since last period": places["change"].replace("", "-"),
            "Confidence": places["hotspot"].map(
                {"hot_99": "99%", "hot_95": "95%", "hot_90": "90%"}
            ),
        }
    )


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
