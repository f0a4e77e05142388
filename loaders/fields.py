"""Parse text columns into typed columns, vectorised, marking the cells that do not parse.

Every parser takes the column as text (blanks are ``""``) and returns the parsed values and
a boolean mask of the cells that were given but could not be read. Blank cells are never
marked here: whether a blank is allowed is the schema's decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from loaders.vocab import FALSE_WORDS, TRUE_WORDS, label_key

LONDON = "Europe/London"

Parsed = tuple[pd.Series, pd.Series]

_UK_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d/%m/%y %H:%M")
_ISO_START = r"^\d{4}-\d{2}-\d{2}"
_HAS_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"


def _blank(raw: pd.Series) -> pd.Series:
    return raw.str.strip() == ""


def parse_text(raw: pd.Series) -> Parsed:
    """Return the text stripped of surrounding spaces; nothing is ever bad."""
    return raw.str.strip(), pd.Series(False, index=raw.index)


def parse_float(raw: pd.Series) -> Parsed:
    """Return numbers as floats (NaN for blanks); a comma as decimal point is not accepted."""
    text = raw.str.strip()
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = values.isna() & (text != "")
    values = values.where(np.isfinite(values))
    bad |= values.isna() & (text != "")
    return values, bad


def parse_datetime(raw: pd.Series) -> Parsed:
    """Return times as Europe/London timestamps.

    Accepts ISO 8601 (with or without an offset) and UK order ``DD/MM/YYYY HH:MM``. Naive
    times are Europe/London; an ambiguous time at the autumn change is read as GMT and a
    time that does not exist at the spring change is moved forward.
    """
    text = raw.str.strip()
    result = pd.Series(pd.NaT, index=raw.index, dtype=f"datetime64[us, {LONDON}]")
    iso = text.str.match(_ISO_START)
    with_offset = iso & text.str.contains(_HAS_OFFSET, regex=True)
    if with_offset.any():
        aware = pd.to_datetime(text[with_offset], format="ISO8601", errors="coerce", utc=True)
        result[with_offset] = aware.dt.tz_convert(LONDON)
    naive = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    plain_iso = iso & ~with_offset
    if plain_iso.any():
        naive[plain_iso] = pd.to_datetime(text[plain_iso], format="ISO8601", errors="coerce")
    uk = text.str.match(r"^\d{1,2}/\d{1,2}/\d{2,4}")
    for fmt in _UK_FORMATS:
        todo = uk & naive.isna()
        if not todo.any():
            break
        naive[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    has_naive = naive.notna()
    if has_naive.any():
        local = naive[has_naive].dt.tz_localize(
            LONDON, ambiguous=np.zeros(int(has_naive.sum()), dtype=bool),
            nonexistent="shift_forward",
        )
        result[has_naive] = local
    bad = result.isna() & (text != "")
    return result, bad


def parse_date(raw: pd.Series) -> Parsed:
    """Return days as naive midnight timestamps (``datetime64[us]``).

    Accepts what :func:`parse_datetime` accepts; a time of day, as a spreadsheet adds to a
    date cell, is dropped: the day is the local (Europe/London) day.
    """
    times, bad = parse_datetime(raw)
    days = times.dt.tz_localize(None).dt.normalize().astype("datetime64[us]")
    return days, bad


def parse_bool(raw: pd.Series) -> Parsed:
    """Return booleans from true/false, yes/no, y/n, 1/0; blank is False."""
    keys = raw.map(label_key)
    values = keys.isin(TRUE_WORDS)
    bad = ~values & ~keys.isin(FALSE_WORDS)
    return values, bad


def parse_choice(keys: Mapping[str, object]) -> Callable[[pd.Series], Parsed]:
    """Return a parser that maps a code or label to its value through ``keys``.

    A value that maps to None is a valid answer meaning "missing" (``Don't know``).
    """

    def parse(raw: pd.Series) -> Parsed:
        uniques = {value: label_key(value) for value in raw.unique()}
        known = {value: key in keys for value, key in uniques.items()}
        mapped = {value: keys.get(key) for value, key in uniques.items()}
        values = raw.map(mapped)
        bad = ~raw.map(known).astype(bool) & ~_blank(raw)
        return values, bad

    return parse


def parse_multi(keys: Mapping[str, str], order: list[str]) -> Callable[[pd.Series], Parsed]:
    """Return a parser of ``;``-separated codes or labels into canonical ``a;b`` text.

    Codes come out once each, in the contract's order, so equal sets give equal text.
    """
    rank = {code: position for position, code in enumerate(order)}

    def one(value: str) -> str | None:
        codes: set[str] = set()
        for part in value.split(";"):
            if not part.strip():
                continue
            code = keys.get(label_key(part))
            if code is None:
                return None
            codes.add(code)
        return ";".join(sorted(codes, key=rank.__getitem__))

    def parse(raw: pd.Series) -> Parsed:
        mapped = {value: one(value) for value in raw.unique()}
        values = raw.map(mapped)
        bad = values.isna()
        return values.fillna(""), bad

    return parse


def unknown_parts(value: str, keys: Mapping[str, str]) -> list[str]:
    """Return the parts of a multi-select value that are neither a code nor a label."""
    return [p.strip() for p in value.split(";") if p.strip() and label_key(p) not in keys]


def time_of_day_from(times: pd.Series) -> pd.Series:
    """Return the contract's time-of-day band of each local time; ``unknown`` where missing."""
    hours = times.dt.hour
    bands = np.select(
        [hours.between(6, 11), hours.between(12, 17), hours.between(18, 21), hours.notna()],
        ["morning", "afternoon", "evening", "night"],
        default="unknown",
    )
    return pd.Series(bands, index=times.index, dtype=object)
