"""What the Records page shows: column names and codes in words, downloads untouched."""

from __future__ import annotations

import pandas as pd

from safetymap.present.tables import records_table


def test_report_records_read_in_words() -> None:
    records = pd.DataFrame({
        "report_id": ["R1", "R2"],
        "time_of_day": ["night", "unknown"],
        "environment": ["poor_lighting;no_cctv", ""],
        "behaviour": ["verbal_abuse_individual", None],
        "district_name": ["Watford", "Dacorum"],
        "extra_field": [1, 2],
    })
    table = records_table(records)
    assert table.columns.tolist() == [
        "Report reference", "Time of day", "What the place was like", "What people did",
        "District", "Extra field",
    ]
    assert table.iloc[0].tolist() == [
        "R1", "Night (22:00-06:00)", "Poor lighting; No CCTV", "Verbal abuse by an individual",
        "Watford", 1,
    ]
    assert table.iloc[1].tolist()[:4] == ["R2", "Time not given", "", ""]
    assert records.columns[0] == "report_id"  # the records themselves are not changed


def test_survey_answers_read_in_words() -> None:
    records = pd.DataFrame({
        "response_id": ["S1", "S2"],
        "safe_day": pd.array([2, None], dtype="Float64"),
        "safe_after_dark": pd.array([5, 1], dtype="Float64"),
        "concern_reasons": ["followed", float("nan")],
    })
    table = records_table(records)
    assert table.to_dict("list") == {
        "Response reference": ["S1", "S2"],
        "Feels by day": ["Fairly unsafe", "Don't know or not answered"],
        "Feels after dark": ["Very safe", "Very unsafe"],
        "Why the place named feels unsafe": ["Followed", ""],
    }
