"""Declare the input kinds of the contract: StreetSafe, survey, services and outreach points."""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from geodata import district_code
from loaders.fields import (
    Parsed,
    parse_bool,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_float,
    parse_multi,
    parse_text,
    time_of_day_from,
)
from loaders.opening_hours import OpeningHoursError, parse_opening_hours
from loaders.pipeline import FieldSpec, KindSpec, PlaceSpec, RowRule
from loaders.vocab import (
    BEHAVIOUR,
    BEHAVIOUR_KEYS,
    CATEGORY_KEYS,
    CONFIDENTIAL_CATEGORIES,
    ENVIRONMENT,
    ENVIRONMENT_KEYS,
    OUTREACH_KIND_KEYS,
    OUTREACH_KINDS,
    REASON_KEYS,
    REASONS,
    SAFETY_ANSWER_KEYS,
    SERVICE_CATEGORIES,
    TIME_OF_DAY_KEYS,
)

DATETIME = "a date and time (ISO 8601 such as 2026-03-14T21:30, or DD/MM/YYYY HH:MM)"
DATE = "a date (ISO 8601 such as 2026-03-14, or DD/MM/YYYY)"
ID = "an id (any text, not blank)"
ANSWER = (
    "Very safe, Fairly safe, Neither safe nor unsafe, Fairly unsafe, Very unsafe, "
    "Don't know, or 1-5 (1 = Very unsafe)"
)
DISTRICT = "a Hertfordshire district code or name (e.g. E07000103 or Watford)"


def _codes(codes: dict[str, str]) -> str:
    return ", ".join(codes)


def parse_district(raw: pd.Series) -> Parsed:
    """Return the current LAD code of each district code or name."""
    mapped = {value: district_code(value) for value in raw.unique()}
    values = raw.map(mapped)
    bad = values.isna() & (raw.str.strip() != "")
    return values, bad


def parse_coverage(raw: pd.Series) -> Parsed:
    """Return ``county`` or the ``;``-joined LAD codes a service covers."""

    def one(value: str) -> str | None:
        parts = [p.strip() for p in value.split(";") if p.strip()]
        if len(parts) == 1 and parts[0].lower() in {"county", "hertfordshire", "all"}:
            return "county"
        codes = [district_code(p) for p in parts]
        if not codes or None in codes:
            return None
        return ";".join(sorted({c for c in codes if c is not None}))

    mapped = {value: one(value) for value in raw.unique()}
    values = raw.map(mapped)
    bad = values.isna() & (raw.str.strip() != "")
    return values, bad


def parse_hours(raw: pd.Series) -> Parsed:
    """Return opening hours as given, once the contract's ``opening_hours`` parser accepts them."""

    def one(value: str) -> str | None:
        try:
            parse_opening_hours(value)
        except OpeningHoursError:
            return None
        return " ".join(value.split())

    mapped = {value: (one(value) if value.strip() else None) for value in raw.unique()}
    values = raw.map(mapped)
    bad = values.isna() & (raw.str.strip() != "")
    return values, bad


def parse_weight(raw: pd.Series) -> Parsed:
    """Return survey weights; blank is 1."""
    values, bad = parse_float(raw)
    return values.fillna(1.0).where(~bad), bad


# ---------------------------------------------------------------- StreetSafe reports
def _finish_streetsafe(frame: pd.DataFrame) -> pd.DataFrame:
    derived = time_of_day_from(frame["occurred_at"])
    given = frame["time_of_day"].fillna("")
    frame["time_of_day"] = given.where(given != "", derived)
    # The period a report belongs to: when the person felt unsafe, else when they said so.
    frame["event_at"] = frame["occurred_at"].fillna(frame["submitted_at"])
    return frame


STREETSAFE = KindSpec(
    kind="streetsafe",
    id_field="report_id",
    fields=(
        FieldSpec("report_id", parse_text, ID, ("id", "reference", "ref"), required=True),
        FieldSpec("submitted_at", parse_datetime, DATETIME,
                  ("date submitted", "created", "submitted", "created_at"), required=True),
        FieldSpec("occurred_at", parse_datetime, DATETIME, ("occurred", "incident time")),
        FieldSpec("time_of_day", parse_choice(TIME_OF_DAY_KEYS),
                  "morning, afternoon, evening or night", ("time of day",)),
        FieldSpec("environment", parse_multi(ENVIRONMENT_KEYS, list(ENVIRONMENT)),
                  f"';'-separated codes or labels: {_codes(ENVIRONMENT)}"),
        FieldSpec("behaviour", parse_multi(BEHAVIOUR_KEYS, list(BEHAVIOUR)),
                  f"';'-separated codes or labels: {_codes(BEHAVIOUR)}", ("behavior",)),
        FieldSpec("location_label", parse_text, "text", ("location", "place")),
        FieldSpec("age_band", parse_text, "text", ("age", "age group")),
        FieldSpec("sex", parse_text, "text", ("gender",)),
    ),
    place=PlaceSpec("", True, ("lat",), ("lon", "long", "lng"), ("east",), ("north",)),
    finish=_finish_streetsafe,
    output_columns=(
        "report_id", "submitted_at", "occurred_at", "event_at", "time_of_day", "environment",
        "behaviour", "location_label", "age_band", "sex", "latitude", "longitude",
        "district_code", "district_name", "lsoa_code", "lsoa_name", "source_file",
        "source_row", "geometry",
    ),
)


# ---------------------------------------------------------------- survey responses
def _finish_survey(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.rename(columns={"district": "district_code"})
    for column in ("safe_day", "safe_after_dark"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    return frame


SURVEY = KindSpec(
    kind="survey",
    id_field="response_id",
    fields=(
        FieldSpec("response_id", parse_text, ID, ("id", "reference"), required=True),
        FieldSpec("completed_at", parse_datetime, DATETIME,
                  ("completed", "date completed", "submitted_at", "date"), required=True),
        FieldSpec("district", parse_district, DISTRICT,
                  ("district_code", "lad", "lad_cd", "area"), required=True),
        FieldSpec("safe_day", parse_choice(SAFETY_ANSWER_KEYS), ANSWER,
                  ("safe during the day", "safe_daytime", "day"), required_column=True),
        FieldSpec("safe_after_dark", parse_choice(SAFETY_ANSWER_KEYS), ANSWER,
                  ("safe at night", "after_dark", "safe_dark", "night"),
                  required_column=True),
        FieldSpec("concern_reasons", parse_multi(REASON_KEYS, list(REASONS)),
                  f"';'-separated codes or labels: {_codes(REASONS)}", ("reasons",)),
        FieldSpec("comment", parse_text, "text", ("comments",)),
        FieldSpec("age_band", parse_text, "text", ("age", "age group")),
        FieldSpec("sex", parse_text, "text", ("gender",)),
        FieldSpec("weight", parse_weight, "a number above 0",
                  checks=(pa.Check.gt(0),)),
    ),
    place=PlaceSpec("concern_", False, ("concern_lat",), ("concern_lon", "concern_long",
                    "concern_lng"), ("concern_east",), ("concern_north",)),
    finish=_finish_survey,
    output_columns=(
        "response_id", "completed_at", "district_code", "district_name", "safe_day",
        "safe_after_dark", "concern_reasons", "comment", "age_band", "sex", "weight",
        "concern_latitude", "concern_longitude", "concern_district_code", "concern_lsoa_code",
        "concern_lsoa_name", "source_file", "source_row", "geometry",
    ),
)


# ---------------------------------------------------------------- support services
def _confidential(typed: pd.DataFrame) -> pd.Series:
    flagged = typed["confidential"].fillna(False).astype(bool)
    return flagged | typed["category"].isin(CONFIDENTIAL_CATEGORIES)


#: Words in a service's name or category that say it may be a refuge or the SARC.
CONFIDENTIAL_WORDS = re.compile(
    r"refuge|safe[\W_]*house|\bsarcs?\b|sexual[\W_]*assault", re.IGNORECASE
)


def _looks_confidential(typed: pd.DataFrame, raw: pd.DataFrame) -> pd.Series:
    """Tell which rows may be confidential services, however badly they are filled in.

    A category or name that mentions a refuge, a safe house or the SARC, or a
    ``confidential`` flag that cannot be read, is enough: such a row's coordinates are
    never quoted in a problem, even when its category or flag is refused too.
    """
    said = pd.Series(False, index=raw.index)
    for name in ("category", "name"):
        said |= raw[name].astype(str).str.contains(CONFIDENTIAL_WORDS)
    _, unreadable_flag = parse_bool(raw["confidential"].astype(str))
    return _confidential(typed) | said | unreadable_flag


def _finish_services(frame: pd.DataFrame) -> pd.DataFrame:
    frame["confidential"] = _confidential(frame)
    # Belt and braces: the pipeline already dropped these; never let them through.
    location = ["latitude", "longitude", "lsoa_code", "lsoa_name", "district_code"]
    frame.loc[frame["confidential"], location] = None
    frame.loc[frame["confidential"], "geometry"] = None
    return frame.rename(columns={"district_code": "located_district_code"})


SERVICES = KindSpec(
    kind="services",
    id_field="service_id",
    fields=(
        FieldSpec("service_id", parse_text, ID, ("id",), required=True),
        FieldSpec("name", parse_text, "the service's name (not blank)", ("service",),
                  required=True),
        FieldSpec("category", parse_choice(CATEGORY_KEYS),
                  f"one of {_codes(SERVICE_CATEGORIES)}", ("type", "service type"),
                  required=True),
        FieldSpec("confidential", parse_bool, "true or false (yes/no, 1/0)"),
        FieldSpec("coverage", parse_coverage,
                  "county, or ';'-separated Hertfordshire districts (codes or names)",
                  ("covers", "area served"), required=True),
        FieldSpec("opening_hours", parse_hours,
                  "opening hours in OpenStreetMap form, e.g. 24/7 or "
                  "Mo-Fr 09:00-17:00; Sa 10:00-14:00; PH off",
                  ("hours", "opening times"), required=True),
        FieldSpec("phone", parse_text, "text", ("telephone", "tel")),
        FieldSpec("website", parse_text, "text", ("url", "web")),
        FieldSpec("eligibility", parse_text, "text", ("who for",)),
        FieldSpec("location_approximate", parse_bool, "true or false (yes/no, 1/0)",
                  ("approximate", "approximate_location")),
    ),
    place=PlaceSpec("", False, ("lat",), ("lon", "long", "lng"), ("east",), ("north",)),
    withhold=_confidential,
    guard=_looks_confidential,
    finish=_finish_services,
    output_columns=(
        "service_id", "name", "category", "confidential", "coverage", "opening_hours",
        "phone", "website", "eligibility", "location_approximate", "latitude", "longitude",
        "located_district_code", "source_file", "source_row", "geometry",
    ),
)


# ---------------------------------------------------------------- outreach points
def _removed_before_placed(typed: pd.DataFrame) -> pd.Series:
    """Return what was expected of ``in_place_to`` where it is before ``in_place_from``."""
    start, end = typed["in_place_from"], typed["in_place_to"]
    broken = end.notna() & start.notna() & (end < start)
    expected = "a date on or after in_place_from (" + start.dt.strftime("%d/%m/%Y") + ")"
    return expected.where(broken, None)


OUTREACH = KindSpec(
    kind="outreach",
    id_field="point_id",
    fields=(
        FieldSpec("point_id", parse_text, ID, ("id", "reference", "ref"), required=True),
        FieldSpec("kind", parse_choice(OUTREACH_KIND_KEYS),
                  f"one of {_codes(OUTREACH_KINDS)} (or their labels, e.g. QR code poster)",
                  ("type", "point type", "outreach kind"), required=True),
        FieldSpec("organisation", parse_text, "the organisation that placed it (not blank)",
                  ("partner", "organization", "agency", "placed by"), required=True),
        FieldSpec("in_place_from", parse_date, DATE + "; blank when not known",
                  ("placed_on", "from", "start", "start date", "in place from")),
        FieldSpec("in_place_to", parse_date, DATE + "; blank while it is still there",
                  ("removed_on", "to", "end", "end date", "in place to", "until")),
        FieldSpec("name", parse_text, "text", ("place", "site")),
        FieldSpec("service_id", parse_text, "text", ("service",)),
        FieldSpec("notes", parse_text, "text", ("note", "comment", "comments")),
    ),
    place=PlaceSpec("", True, ("lat",), ("lon", "long", "lng"), ("east",), ("north",)),
    rules=(RowRule("in_place_to", _removed_before_placed),),
    output_columns=(
        "point_id", "kind", "organisation", "in_place_from", "in_place_to", "name",
        "service_id", "notes", "latitude", "longitude", "district_code", "district_name",
        "lsoa_code", "lsoa_name", "source_file", "source_row", "geometry",
    ),
)

KINDS: dict[str, KindSpec] = {
    spec.kind: spec for spec in (STREETSAFE, SURVEY, SERVICES, OUTREACH)
}
