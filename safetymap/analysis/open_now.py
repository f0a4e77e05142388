"""List the support services open at a place and time, nearest first (issue 15, item 4).

Everything here is pure: the services frame of the loaders (CONTRACT §3) in, a table out,
no streamlit and no settings.

A place is a town of :func:`geodata.load_towns`, a district (a point near its middle), a
small area (a 2011 LSOA, at its representative point) or a point given by latitude and
longitude (:func:`find_place`, :func:`place_at`, :func:`place_choices`). It lies in one
district; a service is listed when it serves that district (its ``coverage`` is ``county``
or lists the district, as in :mod:`safetymap.analysis.coverage`) and is open at that
minute of that day. Hours are read by :func:`loaders.opening_hours.open_minutes_on`, the
one evaluator of ``opening_hours``: on an England and Wales bank holiday ``PH`` rules
apply (``PH off`` closes a service, ``PH 10:00-14:00`` opens it only then).

Confidential services (refuges, the SARC, any row flagged ``confidential`` or without a
flag) are split off by :func:`safetymap.analysis.coverage.public_services` before any
location is read: they are listed by name, category, phone, hours and the area they
serve, in a group of their own after the places, by name, never with a distance. When no
service serving the place is open, the national 24-hour lines (:data:`NATIONAL_LINES`)
close the list.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import (
    ANALYSIS_CRS,
    DISTRICTS,
    MAP_CRS,
    district_code,
    load_districts,
    load_lsoas,
    load_towns,
)
from loaders.geography import assign_areas
from loaders.opening_hours import bank_holidays, open_minutes_on
from loaders.vocab import SERVICE_CATEGORIES
from safetymap.analysis.coverage import public_services, serves_district

__all__ = [
    "COLUMNS",
    "EMERGENCY_NOTE",
    "GROUPS",
    "NATIONAL_LINES",
    "OPEN_NOW_NOTE",
    "NationalLine",
    "Place",
    "bank_holiday_name",
    "find_place",
    "local_minute",
    "open_near",
    "place_at",
    "place_choices",
]

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class NationalLine:
    """A national telephone line open day and night, listed when nothing local is open."""

    name: str
    phone: str
    serves: str


#: The national 24-hour lines, in the order they are listed.
NATIONAL_LINES: tuple[NationalLine, ...] = (
    NationalLine("National Domestic Abuse Helpline (Refuge)", "0808 2000 247", "England"),
    NationalLine("Rape Crisis 24/7 Support Line", "0808 500 2222", "England and Wales"),
    NationalLine("Samaritans", "116 123", "the UK and Ireland"),
)

#: The groups of the list, in order: a place to go (nearest first), a service reached by
#: phone or online, a confidential service (by name), a national line.
GROUPS: tuple[str, ...] = ("place", "remote", "confidential", "national line")

#: Columns of :func:`open_near`, in order.
COLUMNS: tuple[str, ...] = (
    "order", "group", "name", "category", "phone", "opening_hours", "open_until",
    "distance_km", "serves", "place_note", "eligibility", "website", "service_id",
)

OPEN_NOW_NOTE = (
    "Services that serve the place's district (the county, or a list naming the district) "
    "and are open at that minute, Europe/London time. On England and Wales bank holidays "
    "a service keeps its public holiday hours ('PH off' closes it). Places to go come "
    "first, nearest first: distances are straight lines, not routes, and a place marked "
    "approximate is given to the town. Services reached by phone or online follow, then "
    "confidential services (refuges, the SARC), whose location is never shown: only the "
    "area they serve. When no local service is open, the national 24-hour lines are listed."
)

EMERGENCY_NOTE = (
    "In an emergency call 999. If you cannot speak, call 999 and, from a mobile, press 55 "
    "when asked."
)

_TOWN, _DISTRICT, _SMALL_AREA, _POINT = "town", "district", "small area", "point"
_DISTRICT_SUFFIX = " (district)"
_REQUIRED = ("name", "category", "confidential", "coverage", "opening_hours", "geometry")


@dataclass(frozen=True)
class Place:
    """A place to list open services for.

    Attributes
    ----------
    name
        How the place reads: ``Watford``, ``Dacorum (district)``, ``Watford 001A``,
        ``51.65531, -0.39602``.
    kind
        ``town``, ``district``, ``small area`` or ``point``.
    district_code
        The LAD code of the district it lies in; services serving it are listed.
    x, y
        The point distances are measured from, British National Grid (EPSG:27700).
    """

    name: str
    kind: str
    district_code: str
    x: float
    y: float

    @property
    def district_name(self) -> str:
        """Return the name of the district the place lies in."""
        return DISTRICTS[self.district_code]

    def describe(self) -> str:
        """Return the place in words, with its district: 'Hitchin (North Hertfordshire)'."""
        if self.kind == _DISTRICT or self.name == self.district_name:
            return self.name
        return f"{self.name} ({self.district_name})"


# ---------------------------------------------------------------- places
def _key(text: str) -> str:
    """Return the matching key of a place name: lower case, 'st' for 'saint', letters only."""
    text = re.sub(r"\bsaint\b", "st", text.casefold())
    return re.sub(r"[^a-z0-9]+", "", text)


def _towns() -> list[Place]:
    towns = load_towns()
    points = gpd.GeoSeries(
        gpd.points_from_xy(towns["longitude"], towns["latitude"]), crs=MAP_CRS
    ).to_crs(ANALYSIS_CRS)
    return [
        Place(str(name), _TOWN, str(code), float(point.x), float(point.y))
        for name, code, point in zip(towns["name"], towns["district_code"], points, strict=True)
    ]


def _district_centres() -> list[Place]:
    districts = load_districts()
    places = []
    for code, shape in zip(districts["code"], districts.geometry, strict=True):
        # The centroid when it lies inside; else a point that surely does.
        centre = shape.centroid if shape.contains(shape.centroid) else shape.representative_point()
        places.append(Place(f"{DISTRICTS[code]}{_DISTRICT_SUFFIX}", _DISTRICT, str(code),
                            float(centre.x), float(centre.y)))
    return sorted(places, key=lambda place: place.name)


def place_choices() -> tuple[Place, ...]:
    """Return the places to choose from: the towns by name, then the ten districts."""
    return tuple(sorted(_towns(), key=lambda place: place.name)) + tuple(_district_centres())


def find_place(text: str, *, argument: str = "`place`") -> Place:
    """Return the place a name or code names.

    Tried in order: a town (``Watford``, ``bishop's stortford``), a district by name or
    LAD code (``Three Rivers``, ``E07000102``, ``Watford (district)``), a 2011 LSOA by code
    or name (``E01023855``, ``Watford 001A``). Case, spaces and punctuation are ignored.

    Raises
    ------
    ValueError
        Nothing is found; the message names ``argument``, what was expected, what was
        found, and the nearest town names.
    """
    key = _key(str(text))
    as_district = str(text).strip()
    if as_district.casefold().endswith(_DISTRICT_SUFFIX.strip().casefold()):
        as_district = as_district[: -len(_DISTRICT_SUFFIX.strip())].strip()
    else:
        towns = {(_key(place.name)): place for place in _towns()}
        if key and key in towns:
            return towns[key]
    code = district_code(as_district) if as_district else None
    if code is not None:
        return next(place for place in _district_centres() if place.district_code == code)
    lsoas = load_lsoas()
    found = lsoas["code"].str.casefold().eq(str(text).strip().casefold()) | lsoas["name"].map(
        _key).eq(key)
    if key and found.any():
        row = lsoas.loc[found].iloc[0]
        point = row.geometry.representative_point()
        return Place(str(row["name"]), _SMALL_AREA, str(row["district_code"]),
                     float(point.x), float(point.y))
    names = [place.name for place in _towns()]
    close = difflib.get_close_matches(str(text), names, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    message = (
        f"{argument} {text!r}: expected a Hertfordshire town (such as {', '.join(names[:4])}), "
        f"a district (one of {', '.join(DISTRICTS.values())}) or a 2011 LSOA code or "
        f"name (such as Watford 001A); found no such place{hint}."
    )
    raise ValueError(message)


def place_at(latitude: float, longitude: float, *, argument: str = "`latitude`, `longitude`"
             ) -> Place:
    """Return the point at a latitude and longitude (WGS84), with the district it lies in.

    Raises
    ------
    ValueError
        The point is not a latitude and longitude, or lies outside Hertfordshire (more
        than 50 m from every district); the message says how far outside.
    """
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        message = (f"{argument}: expected a latitude from -90 to 90 and a longitude from "
                   f"-180 to 180, found {latitude}, {longitude}")
        raise ValueError(message)
    point = gpd.GeoSeries(gpd.points_from_xy([longitude], [latitude]), crs=MAP_CRS).to_crs(
        ANALYSIS_CRS)
    area = assign_areas(point).iloc[0]
    if pd.isna(area["district_code"]):
        message = (f"{argument}: expected a place inside Hertfordshire, found "
                   f"{latitude:.5f}, {longitude:.5f} ({area['km_outside']:.1f} km outside "
                   "the county)")
        raise ValueError(message)
    return Place(f"{latitude:.5f}, {longitude:.5f}", _POINT, str(area["district_code"]),
                 float(point.iloc[0].x), float(point.iloc[0].y))


# ---------------------------------------------------------------- when
def local_minute(when: datetime) -> tuple[date, int]:
    """Return the Europe/London day and minute of the day (0-1439) of ``when``.

    A naive ``when`` is already local time (CONTRACT: naive times are Europe/London); an
    aware one is converted. Seconds are dropped.
    """
    local = when if when.tzinfo is None else when.astimezone(LONDON)
    return local.date(), local.hour * 60 + local.minute


def _open_until(text: str, day: date, minute: int) -> str:
    """Return when a service open at ``minute`` of ``day`` next closes: '17:00', 'Sat 02:00'."""
    for offset in range(8):
        on = day + timedelta(days=offset)
        start = minute if offset == 0 else 0
        closed = np.flatnonzero(~open_minutes_on(text, on)[start:])
        if closed.size:
            at = start + int(closed[0])
            clock = f"{at // 60:02d}:{at % 60:02d}"
            if offset == 0:
                return clock
            if offset == 1 and at == 0:
                return "midnight"
            return f"{on:%a} {clock}"
    return "24/7"


def _serves_words(coverage: object) -> str:
    """Return the area a service serves in words: 'Hertfordshire', 'Watford and Three Rivers'."""
    text = coverage if isinstance(coverage, str) else ""
    if text in ("", "county"):
        return "Hertfordshire" if text else ""
    names = [DISTRICTS.get(code, code) for code in text.split(";")]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a text column, '' where blank or absent."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


# ---------------------------------------------------------------- the list
def open_near(
    services: pd.DataFrame,
    place: Place,
    when: datetime,
    *,
    national_lines: tuple[NationalLine, ...] = NATIONAL_LINES,
) -> pd.DataFrame:
    """Return the services open at ``when`` that serve ``place``, nearest first.

    Parameters
    ----------
    services
        Support services (``name``, ``category``, ``confidential``, ``coverage``,
        ``opening_hours``, ``geometry``; ``phone``, ``website``, ``eligibility``,
        ``location_approximate`` and ``service_id`` when given). Rows with a place must be
        in a GeoDataFrame with a CRS.
    place
        Where to list them for (:func:`find_place`, :func:`place_at`).
    when
        The day and time; naive is Europe/London, aware is converted to it.
    national_lines
        Listed when no service serving the place is open; default :data:`NATIONAL_LINES`.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`: ``order`` (1, 2, ...), ``group`` (:data:`GROUPS`: ``place``
        nearest first, ties by name; ``remote`` by name; ``confidential`` by name;
        ``national line`` in their order), ``name``, ``category`` (its label),
        ``phone``, ``opening_hours``, ``open_until`` (when it next closes: ``17:00``,
        ``midnight``, ``Sat 02:00``, or ``24/7`` if not within a week), ``distance_km``
        (straight line from the place; NaN in every group but ``place``), ``serves``
        (the area served, in words), ``place_note`` (``approximate (town level)``,
        ``phone or online``, ``location confidential``, ``national line`` or ''),
        ``eligibility``, ``website``, ``service_id``.

    Raises
    ------
    ValueError
        ``services`` lacks a column, or a place but no CRS; an ``opening_hours`` text
        cannot be read (:class:`loaders.opening_hours.OpeningHoursError`).
    """
    missing = [column for column in _REQUIRED if column not in services.columns]
    if missing:
        message = (f"`services` must have the column(s) {', '.join(missing)}; got "
                   f"{', '.join(map(str, services.columns)) or 'no columns'}")
        raise ValueError(message)
    day, minute = local_minute(when)
    serving = services.loc[serves_district(services, place.district_code).to_numpy()]
    hours = serving["opening_hours"]
    is_open = np.array(
        [isinstance(text, str) and bool(open_minutes_on(text, day)[minute]) for text in hours],
        dtype=bool,
    )
    chosen = serving.loc[is_open]
    public = public_services(chosen)
    hidden = chosen.loc[~chosen.index.isin(public.index)]  # geometry never read below

    rows = []
    located = public["geometry"].notna().to_numpy() & ~shapely.is_empty(
        public["geometry"].to_numpy())
    if located.any():
        crs = getattr(services, "crs", None)
        if crs is None:
            raise ValueError("`services` must be a GeoDataFrame with a valid CRS when services "
                             "have places, got no CRS")
        points = gpd.GeoSeries(public["geometry"].to_numpy()[located], crs=crs).to_crs(
            ANALYSIS_CRS)
        kilometres = shapely.distance(points.to_numpy(), shapely.Point(place.x, place.y)) / 1000
    else:
        kilometres = np.array([], dtype=float)
    with_place = public.loc[located].assign(distance_km=kilometres)
    approximate = (with_place["location_approximate"].astype("boolean").fillna(False)
                   .astype(bool) if "location_approximate" in with_place.columns
                   else pd.Series(False, index=with_place.index))
    groups = (
        ("place", with_place.assign(
            place_note=np.where(approximate, "approximate (town level)", "")
        ).sort_values(["distance_km", "name"], kind="stable")),
        ("remote", public.loc[~located].assign(distance_km=np.nan, place_note="phone or online")
         .sort_values("name", kind="stable")),
        ("confidential", hidden[[c for c in hidden.columns if c != "geometry"]].assign(
            distance_km=np.nan, place_note="location confidential"
        ).sort_values("name", kind="stable")),
    )
    for group, frame in groups:
        for _, row in _rows(frame, day, minute).iterrows():
            rows.append({"group": group, **row.to_dict()})
    if not rows:
        rows.extend(
            {
                "group": "national line", "name": line.name, "category": "National line",
                "phone": line.phone, "opening_hours": "24/7", "open_until": "24/7",
                "distance_km": np.nan, "serves": line.serves, "place_note": "national line",
                "eligibility": "", "website": "", "service_id": "",
            }
            for line in national_lines
        )
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "order"])
    table.insert(0, "order", np.arange(1, len(table) + 1, dtype="int64"))
    return table.astype({"distance_km": float})


def _rows(frame: pd.DataFrame, day: date, minute: int) -> pd.DataFrame:
    """Return the listed columns of one group of open services (no location among them)."""
    return pd.DataFrame(
        {
            "name": _text(frame, "name"),
            "category": frame["category"].map(lambda c: SERVICE_CATEGORIES.get(c, str(c))),
            "phone": _text(frame, "phone"),
            "opening_hours": _text(frame, "opening_hours"),
            "open_until": [_open_until(str(text), day, minute)
                           for text in frame["opening_hours"]],
            "distance_km": frame["distance_km"].astype(float),
            "serves": frame["coverage"].map(_serves_words),
            "place_note": frame["place_note"],
            "eligibility": _text(frame, "eligibility"),
            "website": _text(frame, "website"),
            "service_id": _text(frame, "service_id"),
        },
        index=frame.index,
    )


def bank_holiday_name(day: date) -> str | None:
    """Return the name of the England and Wales bank holiday on ``day``, or None."""
    return bank_holidays(day, day).get(day)

