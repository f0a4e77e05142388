"""Write SYNTHETIC demo exports in the formats of the data contract.

Everything this module writes is made up. No row is a real StreetSafe report, survey
response or person; the identifiers all begin with ``DEMO-`` so that a demo file can never
be mistaken for, or merged with, a real export. The files exist so that the dashboard can
be shown, tested and timed without any personal data.

What is real and what is not
----------------------------
- Real: the geography (towns, districts and county outline from :mod:`geodata`), and the
  public facts about support services in ``CONTRACT.md`` section 6 (names, phone numbers,
  the helpline's, IDVA's, Safer Places', Beacon's and the SARC's opening hours, the five
  Community Outreach areas, the Chrysalis eligibility).
- Illustrative, not sourced: the Herts Area Rape Crisis hours (``Mo-Th 10:00-16:00; PH off``),
  the Chrysalis, Community Outreach (``PH off``) and police front counter (``PH 10:00-14:00``)
  hours, and every eligibility text other than Chrysalis'. The services whose hours are
  public facts keep them as published, without a bank holiday rule the facts do not give.
  Websites are left blank rather than guessed.
- Synthetic: every report, response, comment and demographic value, every outreach point
  (place, kind, organisation, dates) and every service
  location. Services are placed at town points (``location_approximate`` true); the refuge
  and the SARC get made-up points inside the county, flagged confidential, so that the
  product's confidentiality handling has something to hide. They are not their real sites.

Shape of the synthetic data
---------------------------
- StreetSafe reports cluster around the towns of :func:`geodata.load_towns`, in proportion
  to population: tight town-centre clusters (group verbal abuse, intimidation, drink and
  drugs), park and footpath clusters a little way out (poor lighting, isolated, no CCTV),
  and a thin background across the county. Every point lies at least 60 m inside the
  county outline. Most reports fall in the evening and at night, more on Fridays and
  Saturdays, with weekday school-run and commute peaks. Every report of a cluster in
  ``RISING_TOWNS`` is drawn from a density that grows through the year (twice as likely
  at its end as at its middle), and in ``FALLING_TOWNS`` one that shrinks, so that even
  at the default volume the districts those towns make up (Stevenage, Welwyn Hatfield,
  Broxbourne rising; North Hertfordshire falling) show it half-year against half-year.
- Volume: by default :data:`DEMO_REPORTS` (1,000) reports, about what the county gets in
  a year (nationally 22,939 StreetSafe reports from 2 September 2021 to 1 December 2022,
  Home Office written answer of 22 December 2022; Hertfordshire holds about 2% of the
  population of England and Wales): about 100 a district, two a week. At that volume
  every district has reports and the busiest town centres hold a handful of repeat
  places; ``reports=`` makes denser data for scale work.
- Survey responses come in two waves (spring and autumn 2026), every district in
  proportion to its population (:func:`geodata.load_population`; at least 150 each when
  there are 1,500 or more); people feel clearly less safe after dark than by day, by an
  amount that varies by district, and after dark gets worse between the waves in the
  districts of the rising towns.
- Outreach points (:data:`DEMO_OUTREACH_TOWNS` largest towns, two each): a QR-code poster
  on a housing estate 400 m to 1.2 km from the town centre, and a leaflet point or a
  drop-in within 500 m of it, placed on days of the demo year, a few since taken down.
  Their names say "(synthetic)" and their notes that they are not real sites.
- Times are naive local times within the 12 months ending on ``DEMO_LAST_DAY``, a fixed
  date (never today's), so the same seed always gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from geodata import (
    ANALYSIS_CRS,
    DISTRICTS,
    MAP_CRS,
    load_county,
    load_districts,
    load_population,
    load_towns,
)
from loaders.vocab import BEHAVIOUR, ENVIRONMENT

__all__ = [
    "BEHAVIOUR_CODES",
    "DEMO_LABELS",
    "DEMO_LAST_DAY",
    "DEMO_OUTREACH_TOWNS",
    "DEMO_REPORTS",
    "DEMO_RESPONSES",
    "ENVIRONMENT_CODES",
    "FALLING_TOWNS",
    "GENERATOR_VERSION",
    "RISING_TOWNS",
    "write_demo_data",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

#: Raised whenever the same arguments give other files, so a cache of old output is not read.
GENERATOR_VERSION = 3
#: Reports in the default demo: about a real county year (see the module docstring).
DEMO_REPORTS = 1_000
#: Survey responses in the default demo: two waves of a local Feelings of Safety survey.
DEMO_RESPONSES = 4_000

#: Last day of the demo's 12-month window; fixed so that output does not depend on today.
DEMO_LAST_DAY = np.datetime64("2026-10-31", "D")
_WINDOW_END = (DEMO_LAST_DAY + np.timedelta64(1, "D")).astype("datetime64[s]")
_WINDOW_DAYS = 365
_WINDOW_START = _WINDOW_END - np.timedelta64(_WINDOW_DAYS, "D")
# Naive local times that do not exist (clocks forward) or happen twice (clocks back) in
# Europe/London inside the window: the hour from 01:00 on these days is moved on an hour.
_DST_CHANGE_DAYS = np.array(["2026-03-29", "2026-10-25"], dtype="datetime64[D]")

#: Where reports rise over the year, and where they fall (names in ``towns.csv``).
RISING_TOWNS: tuple[str, ...] = (
    "Stevenage", "Hatfield", "Welwyn Garden City", "Cheshunt", "Hoddesdon",
)
FALLING_TOWNS: tuple[str, ...] = ("Hitchin", "Letchworth Garden City", "Royston", "Baldock")

#: StreetSafe codes, in the order of the contract.
ENVIRONMENT_CODES: tuple[str, ...] = tuple(ENVIRONMENT)
BEHAVIOUR_CODES: tuple[str, ...] = tuple(BEHAVIOUR)
#: The human labels the demo writes instead of codes in a few rows → their code.
DEMO_LABELS: dict[str, str] = {
    "No CCTV": "no_cctv",
    "Badly lit": "poor_lighting",
    "Empty or isolated": "isolated",
    "Run down (graffiti, fly-tipping)": "rundown",
    "Followed": "followed",
    "Verbal abuse by a group": "verbal_abuse_group",
}

_BUFFER_M = 60.0  # keep points this far inside the county outline
_LABEL_ROW_SHARE = 0.05
_UK_TIME_SHARE = 0.10
_BACKGROUND_SHARE = 0.12

# Cluster kinds; each has its own mix of environment and behaviour.
_CENTRE, _PARK, _PATH, _BACKGROUND = 0, 1, 2, 3
_ENVIRONMENT_P = np.array(
    [  # cctv light isol layout visib rundown drugs other
        [0.12, 0.15, 0.05, 0.12, 0.08, 0.22, 0.50, 0.04],  # town centre
        [0.45, 0.60, 0.50, 0.06, 0.20, 0.15, 0.12, 0.04],  # park
        [0.50, 0.65, 0.55, 0.15, 0.30, 0.12, 0.06, 0.04],  # path or underpass
        [0.25, 0.35, 0.25, 0.10, 0.12, 0.12, 0.15, 0.06],  # background
    ]
)
_BEHAVIOUR_P = np.array(
    [  # vai vag followed intim harass other
        [0.20, 0.45, 0.08, 0.42, 0.12, 0.04],  # town centre
        [0.14, 0.12, 0.35, 0.22, 0.15, 0.05],  # park
        [0.10, 0.08, 0.45, 0.18, 0.12, 0.05],  # path or underpass
        [0.15, 0.15, 0.25, 0.20, 0.15, 0.06],  # background
    ]
)
_PARK_LABELS = ("{} park", "{} recreation ground", "{} playing fields", "{} common")
_PATH_LABELS = ("{} footpath", "{} station underpass", "{} cycle path", "{} alleyway")
_CENTRE_LABELS = ("near {} town centre", "{} high street", "near {} station")

# Hour-of-day weights, by kind of day: Monday-Thursday, Friday, Saturday-Sunday.
_HOUR_WEIGHTS = np.array(
    [
        # 00   01   02   03   04   05   06   07   08   09   10   11
        # 12   13   14   15   16   17   18   19   20   21   22   23
        [6.0, 4.0, 2.5, 1.5, 1.0, 1.0, 1.5, 3.0, 4.0, 2.5, 2.0, 2.0,
         2.5, 2.5, 2.5, 4.0, 4.5, 5.0, 6.0, 8.0, 9.0, 9.5, 9.0, 8.0],
        [6.0, 4.0, 2.5, 1.5, 1.0, 1.0, 1.5, 3.0, 4.0, 2.5, 2.0, 2.0,
         2.5, 2.5, 2.5, 4.0, 4.5, 5.0, 6.5, 8.5, 10.0, 11.0, 11.0, 10.0],
        [9.0, 8.0, 5.0, 3.0, 1.5, 1.0, 1.0, 1.0, 1.5, 2.0, 2.5, 3.0,
         3.5, 3.5, 3.5, 3.5, 4.0, 5.0, 6.0, 8.0, 10.0, 11.0, 11.0, 10.0],
    ]
)  # fmt: skip
_DAY_KIND = np.array([0, 0, 0, 0, 1, 2, 2])  # Monday = 0
_WEEKDAY_WEIGHTS = np.array([0.80, 0.80, 0.85, 0.95, 1.30, 1.40, 0.90])
# The contract's time_of_day band of each hour: night 22-06, morning 06-12, ...
_TIME_BANDS = np.array(
    ["night"] * 6 + ["morning"] * 6 + ["afternoon"] * 6 + ["evening"] * 4 + ["night"] * 2,
    dtype=object,
)

_AGE_BANDS = np.array(["", "16-24", "25-34", "35-44", "45-54", "55-64", "65+"], dtype=object)
_SEXES = np.array(["", "Female", "Male", "Other", "Prefer not to say"], dtype=object)

_SAFETY_LABELS = np.array(
    ["Very unsafe", "Fairly unsafe", "Neither safe nor unsafe", "Fairly safe", "Very safe"],
    dtype=object,
)
# Latent score cut points between the five answers (1 = Very unsafe ... 5 = Very safe).
_SAFETY_CUTS = np.array([-1.9, -1.0, -0.35, 0.85])
#: Mean latent feeling of safety after dark per district (by day it is 1.0 + 0.3 x this).
_AFTER_DARK_MEAN: dict[str, float] = {
    "E07000095": -0.45,  # Broxbourne
    "E07000096": -0.20,  # Dacorum
    "E07000242": 0.10,  # East Hertfordshire
    "E07000098": -0.30,  # Hertsmere
    "E07000099": -0.10,  # North Hertfordshire
    "E07000240": 0.05,  # St Albans
    "E07000243": -0.50,  # Stevenage
    "E07000102": -0.05,  # Three Rivers
    "E07000103": -0.55,  # Watford
    "E07000241": -0.40,  # Welwyn Hatfield
}
_SHORT_DISTRICT_NAMES: dict[str, str] = {"E07000242": "East Herts", "E07000099": "North Herts"}
_WAVES = (  # first day, number of days
    (np.datetime64("2026-03-02", "D"), 56),
    (np.datetime64("2026-09-14", "D"), 48),
)
_MIN_RESPONSES_PER_DISTRICT = 150
_COMMENTS = np.array(
    [
        "More street lighting on the walk from the station would help.",
        "Feels fine in the day, less so after dark.",
        "Would like to see more patrols in the town centre at weekends.",
        "The underpass is the only place I avoid.",
        "Generally a safe area.",
        "Groups gather near the shops in the evening.",
        "The park path is very dark in winter.",
        "Nothing to add.",
        "Better CCTV coverage near the bus station please.",
        "I feel safer than I did a year ago.",
        "Cut back the bushes along the footpath.",
        "Late buses would make getting home easier.",
    ],
    dtype=object,
)

_OUTREACH_AREAS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("East Herts & Broxbourne", ("E07000242", "E07000095")),
    ("North Herts & Stevenage", ("E07000099", "E07000243")),
    ("St Albans & Dacorum", ("E07000240", "E07000096")),
    ("Watford & Three Rivers", ("E07000103", "E07000102")),
    ("Welwyn Hatfield & Hertsmere", ("E07000241", "E07000098")),
)
_POLICE_COUNTERS = ("Stevenage", "Watford", "Hatfield")

_REPORT_COLUMNS = [
    "report_id", "submitted_at", "latitude", "longitude", "occurred_at", "time_of_day",
    "environment", "behaviour", "location_label", "age_band", "sex",
]  # fmt: skip
_SURVEY_COLUMNS = [
    "response_id", "completed_at", "district", "safe_day", "safe_after_dark",
    "concern_latitude", "concern_longitude", "concern_reasons", "comment", "age_band", "sex",
    "weight",
]  # fmt: skip
_OUTREACH_COLUMNS = [
    "point_id", "kind", "organisation", "latitude", "longitude", "in_place_from",
    "in_place_to", "name", "service_id", "notes",
]  # fmt: skip
#: The largest towns each get two synthetic outreach points.
DEMO_OUTREACH_TOWNS = 10
_SERVICE_COLUMNS = [
    "service_id", "name", "category", "latitude", "longitude", "confidential", "coverage",
    "opening_hours", "phone", "website", "eligibility", "location_approximate",
]  # fmt: skip


@dataclass(frozen=True)
class _Layout:
    """Where the synthetic reports cluster: one row per cluster, plus the county."""

    county: shapely.Geometry  # county outline shrunk by _BUFFER_M, prepared
    town_name: ObjectArray
    town_x: FloatArray
    town_y: FloatArray
    town_population: FloatArray
    town_district: ObjectArray
    x: FloatArray
    y: FloatArray
    sigma_major: FloatArray
    sigma_minor: FloatArray
    angle: FloatArray
    kind: IntArray
    town: IntArray
    weight: FloatArray
    trend: IntArray  # 0 flat, 1 rising, -1 falling
    label: ObjectArray


def write_demo_data(
    out_dir: Path,
    *,
    reports: int = DEMO_REPORTS,
    responses: int = DEMO_RESPONSES,
    seed: int = 2026,
) -> list[Path]:
    """Write synthetic StreetSafe, survey, services and outreach exports into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write into; created if missing. Existing demo files are overwritten.
    reports
        Number of StreetSafe reports; the default is about a real county year, more makes
        dense data for scale work.
    responses
        Number of survey responses.
    seed
        Random seed; the same seed (and the same geodata) gives byte-identical files.

    Returns
    -------
    list of Path
        ``streetsafe_demo.csv``, ``survey_demo.csv``, ``services_demo.csv`` and
        ``outreach_demo.csv`` in ``out_dir``.
    """
    problems = [
        f"`{name}` must be a whole number of zero or more, got {value!r}."
        for name, value in (("reports", reports), ("responses", responses))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0
    ]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"`seed` must be a whole number of zero or more, got {seed!r}.")
    if problems:
        raise ValueError(" ".join(problems))

    # Independent streams: the count of one file never changes the content of another.
    # A fifth stream for outreach points: spawning five leaves the first four as they were.
    layout_seed, reports_seed, survey_seed, services_seed, outreach_seed = (
        np.random.SeedSequence(seed).spawn(5))
    layout = _build_layout(np.random.default_rng(layout_seed))
    frames = {
        "streetsafe_demo.csv": _reports_frame(np.random.default_rng(reports_seed), layout, reports),
        "survey_demo.csv": _survey_frame(np.random.default_rng(survey_seed), layout, responses),
        "services_demo.csv": _services_frame(np.random.default_rng(services_seed), layout),
        "outreach_demo.csv": _outreach_frame(np.random.default_rng(outreach_seed), layout),
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        path = out_dir / name
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


# --- geography -------------------------------------------------------------------------


def _to_grid(longitude: FloatArray, latitude: FloatArray) -> tuple[FloatArray, FloatArray]:
    transformer = Transformer.from_crs(MAP_CRS, ANALYSIS_CRS, always_xy=True)
    x, y = transformer.transform(longitude, latitude)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _to_latlon(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return latitude and longitude rounded to 6 decimals (about 0.1 m); NaN stays NaN."""
    transformer = Transformer.from_crs(ANALYSIS_CRS, MAP_CRS, always_xy=True)
    longitude, latitude = transformer.transform(x, y)
    blank = np.isnan(x) | np.isnan(y)
    return (
        np.where(blank, np.nan, np.round(np.asarray(latitude, float), 6)),
        np.where(blank, np.nan, np.round(np.asarray(longitude, float), 6)),
    )


def _uniform_in(
    rng: np.random.Generator, area: shapely.Geometry, n: int
) -> tuple[FloatArray, FloatArray]:
    """Return ``n`` points spread uniformly over a prepared polygon, by rejection."""
    min_x, min_y, max_x, max_y = shapely.bounds(area)
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    found = 0
    while found < n:
        batch = max(64, int((n - found) * 2.5))
        x = rng.uniform(min_x, max_x, batch)
        y = rng.uniform(min_y, max_y, batch)
        inside = shapely.contains_xy(area, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        found += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _build_layout(rng: np.random.Generator) -> _Layout:
    county = shapely.buffer(load_county().geometry.union_all(), -_BUFFER_M)
    shapely.prepare(county)
    towns = load_towns().sort_values("name", kind="stable").reset_index(drop=True)
    town_x, town_y = _to_grid(towns["longitude"].to_numpy(float), towns["latitude"].to_numpy(float))
    keep = shapely.contains_xy(county, town_x, town_y)
    towns = towns[keep].reset_index(drop=True)
    town_x, town_y = town_x[keep], town_y[keep]
    names = towns["name"].to_numpy(dtype=object)
    population = towns["population"].to_numpy(float)

    rows: list[tuple[int, int, float, float, float, float, float, float, int, str]] = []
    for town, (name, people) in enumerate(zip(names, population, strict=True)):
        trend = 1 if name in RISING_TOWNS else -1 if name in FALLING_TOWNS else 0
        centres = 1 + int(people >= 40_000) + int(people >= 90_000)
        outskirts = 2 + int(people >= 30_000) + int(people >= 60_000)
        shares = rng.dirichlet(np.full(centres + outskirts, 4.0))
        shares[:centres] *= 0.55 / shares[:centres].sum()
        shares[centres:] *= 0.45 / shares[centres:].sum()
        for number in range(centres + outskirts):
            if number < centres:
                kind = _CENTRE
                label = _CENTRE_LABELS[number % len(_CENTRE_LABELS)].format(name)
                spread = 120.0 if number == 0 else 350.0
                sigma = rng.uniform(110.0, 220.0)
                sigma_major, sigma_minor = sigma, sigma
            else:
                kind = _PARK if rng.random() < 0.55 else _PATH
                labels = _PARK_LABELS if kind == _PARK else _PATH_LABELS
                label = labels[int(rng.integers(len(labels)))].format(name)
                spread = 0.0
                if kind == _PARK:
                    sigma_major = rng.uniform(150.0, 280.0)
                    sigma_minor = sigma_major * rng.uniform(0.6, 1.0)
                else:
                    sigma_major = rng.uniform(300.0, 500.0)
                    sigma_minor = rng.uniform(50.0, 90.0)
            for _attempt in range(100):
                if kind == _CENTRE:
                    dx, dy = rng.normal(0.0, spread, 2)
                else:
                    radius = rng.uniform(700.0, 2200.0)
                    bearing = rng.uniform(0.0, 2 * np.pi)
                    dx, dy = radius * np.cos(bearing), radius * np.sin(bearing)
                x, y = town_x[town] + dx, town_y[town] + dy
                if shapely.contains_xy(county, x, y):
                    break
            else:  # the town point itself is inside
                x, y = town_x[town], town_y[town]
            angle = rng.uniform(0.0, np.pi)
            weight = people * shares[number]
            rows.append((town, kind, x, y, sigma_major, sigma_minor, angle, weight, trend, label))

    columns = list(zip(*rows, strict=True))
    weight = np.array(columns[7], float)
    return _Layout(
        county=county,
        town_name=names,
        town_x=town_x,
        town_y=town_y,
        town_population=population,
        town_district=towns["district_code"].to_numpy(dtype=object),
        town=np.array(columns[0], np.int64),
        kind=np.array(columns[1], np.int64),
        x=np.array(columns[2], float),
        y=np.array(columns[3], float),
        sigma_major=np.array(columns[4], float),
        sigma_minor=np.array(columns[5], float),
        angle=np.array(columns[6], float),
        weight=weight / weight.sum(),
        trend=np.array(columns[8], np.int64),
        label=np.array(columns[9], dtype=object),
    )


def _cluster_points(
    rng: np.random.Generator, layout: _Layout, cluster: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Return one point per entry of ``cluster``, drawn around it and inside the county."""
    x = np.empty(len(cluster))
    y = np.empty(len(cluster))
    todo = np.arange(len(cluster))
    for _attempt in range(50):
        if len(todo) == 0:
            break
        which = cluster[todo]
        major = rng.normal(0.0, 1.0, len(todo)) * layout.sigma_major[which]
        minor = rng.normal(0.0, 1.0, len(todo)) * layout.sigma_minor[which]
        cos, sin = np.cos(layout.angle[which]), np.sin(layout.angle[which])
        x[todo] = layout.x[which] + major * cos - minor * sin
        y[todo] = layout.y[which] + major * sin + minor * cos
        todo = todo[~shapely.contains_xy(layout.county, x[todo], y[todo])]
    if len(todo):  # a cluster hard against the boundary: its centre is inside
        x[todo], y[todo] = layout.x[cluster[todo]], layout.y[cluster[todo]]
    return x, y


# --- shared column builders ------------------------------------------------------------


def _lookup_table(codes: Sequence[str], labels: Mapping[str, str] | None = None) -> ObjectArray:
    """Return the ';'-joined text of every subset of ``codes``, indexed by bit mask."""
    table = np.empty(1 << len(codes), dtype=object)
    for mask in range(1 << len(codes)):
        chosen = [code for bit, code in enumerate(codes) if mask >> bit & 1]
        table[mask] = ";".join(labels.get(code, code) if labels else code for code in chosen)
    return table


def _multi_select(
    rng: np.random.Generator,
    probabilities: FloatArray,
    codes: Sequence[str],
    use_labels: BoolArray | None = None,
) -> ObjectArray:
    """Return one ';'-list per row of ``probabilities`` (n rows x one column per code)."""
    picked = rng.random(probabilities.shape) < probabilities
    masks = picked @ (1 << np.arange(len(codes)))
    text: ObjectArray = _lookup_table(codes)[masks]
    if use_labels is not None:
        code_of = {code: label for label, code in DEMO_LABELS.items()}
        labelled = _lookup_table(codes, code_of)[masks]
        text = np.where(use_labels, labelled, text)
    return text


def _format_times(times: npt.NDArray[np.datetime64], uk_order: BoolArray) -> ObjectArray:
    """Return ISO ``YYYY-MM-DDTHH:MM:SS`` text, or ``DD/MM/YYYY HH:MM`` where ``uk_order``."""
    iso = np.datetime_as_string(times.astype("datetime64[s]"), unit="s").astype(object)
    if uk_order.any():
        part = pd.Series(iso[uk_order], dtype=str)
        uk = (
            part.str.slice(8, 10) + "/" + part.str.slice(5, 7) + "/"
            + part.str.slice(0, 4) + " " + part.str.slice(11, 16)
        )  # fmt: skip
        iso[uk_order] = uk.to_numpy(dtype=object)
    return iso


def _pick(
    rng: np.random.Generator, values: ObjectArray, weights: Sequence[float], n: int
) -> ObjectArray:
    probabilities = np.asarray(weights, float)
    return values[rng.choice(len(values), size=n, p=probabilities / probabilities.sum())]


def _demographics(rng: np.random.Generator, n: int) -> tuple[ObjectArray, ObjectArray]:
    age = _pick(rng, _AGE_BANDS, [35, 14, 15, 13, 10, 8, 5], n)
    sex = _pick(rng, _SEXES, [30, 47, 18, 1.5, 3.5], n)
    return age, sex


def _ids(prefix: str, n: int) -> pd.Series:
    width = max(6, len(str(n)))
    return prefix + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)


def _shift_dst_hour(times: npt.NDArray[np.datetime64]) -> npt.NDArray[np.datetime64]:
    """Move naive times in 01:00-01:59 on a clock-change day an hour on (a valid local time)."""
    day = times.astype("datetime64[D]")
    hour = (times - day).astype("timedelta64[h]").astype(np.int64)
    bad = np.isin(day, _DST_CHANGE_DAYS) & (hour == 1)
    return np.where(bad, times + np.timedelta64(1, "h"), times)


# --- StreetSafe reports ----------------------------------------------------------------


def _report_times(
    rng: np.random.Generator, trend: IntArray
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
    """Return (occurred_at, submitted_at) for reports whose cluster has ``trend``."""
    n = len(trend)
    # Position t in the year; a rising cluster has density 2t, a falling one 2(1 - t): three
    # times as many reports in the second half as the first (or a third as many), strong
    # enough to show in a district of about 100 reports a year, not only in dense data.
    position = rng.random(n)
    root = np.sqrt(rng.random(n))
    position = np.where(trend == 1, root, position)
    position = np.where(trend == -1, 1.0 - root, position)
    day = np.minimum((position * _WINDOW_DAYS).astype(np.int64), _WINDOW_DAYS - 1)
    # Move each report back to the nearest day of a weekday drawn with Friday/Saturday peaks.
    first_weekday = (int(_WINDOW_START.astype("datetime64[D]").astype(np.int64)) + 3) % 7
    weekday = rng.choice(7, size=n, p=_WEEKDAY_WEIGHTS / _WEEKDAY_WEIGHTS.sum())
    day -= (first_weekday + day - weekday) % 7
    day = np.where(day < 0, day + 7, day)
    hour = np.empty(n, np.int64)
    for kind, weights in enumerate(_HOUR_WEIGHTS):
        rows = np.flatnonzero(_DAY_KIND[weekday] == kind)
        hour[rows] = rng.choice(24, size=len(rows), p=weights / weights.sum())
    seconds = day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, n)
    occurred = _WINDOW_START + seconds.astype("timedelta64[s]")
    # Reported minutes to two days later, most within a few hours.
    delay = np.exp(rng.uniform(np.log(300.0), np.log(172_800.0), n)).astype(np.int64)
    submitted = occurred + delay.astype("timedelta64[s]")
    late = submitted >= _WINDOW_END
    week = np.timedelta64(7, "D")
    occurred = np.where(late, occurred - week, occurred)
    occurred = _shift_dst_hour(occurred)
    submitted = _shift_dst_hour(occurred + delay.astype("timedelta64[s]"))
    return occurred, submitted


def _reports_frame(rng: np.random.Generator, layout: _Layout, n: int) -> pd.DataFrame:
    background = rng.random(n) < _BACKGROUND_SHARE
    cluster = rng.choice(len(layout.weight), size=n, p=layout.weight)
    x, y = _cluster_points(rng, layout, cluster)
    bx, by = _uniform_in(rng, layout.county, int(background.sum()))
    x[background], y[background] = bx, by
    kind = np.where(background, _BACKGROUND, layout.kind[cluster])
    trend = np.where(background, 0, layout.trend[cluster])
    label = np.where(background | (rng.random(n) < 0.1), "", layout.label[cluster])

    occurred, submitted = _report_times(rng, trend)
    order = np.argsort(submitted, kind="stable")
    occurred, submitted = occurred[order], submitted[order]
    x, y, kind, label = x[order], y[order], kind[order], label[order]

    hour = (occurred - occurred.astype("datetime64[D]")).astype("timedelta64[h]").astype(np.int64)
    band = rng.random(n)
    no_occurred = band < 0.13
    time_of_day = np.where(band < 0.10, _TIME_BANDS[hour], "")
    uk_order = rng.random(n) < _UK_TIME_SHARE
    occurred_text = np.where(no_occurred, "", _format_times(occurred, uk_order))
    use_labels = rng.random(n) < _LABEL_ROW_SHARE
    environment = _multi_select(rng, _ENVIRONMENT_P[kind], ENVIRONMENT_CODES, use_labels)
    behaviour = _multi_select(rng, _BEHAVIOUR_P[kind], BEHAVIOUR_CODES, use_labels)
    age, sex = _demographics(rng, n)
    latitude, longitude = _to_latlon(x, y)
    return pd.DataFrame(
        {
            "report_id": _ids("DEMO-SS-", n),
            "submitted_at": _format_times(submitted, uk_order),
            "latitude": latitude,
            "longitude": longitude,
            "occurred_at": occurred_text,
            "time_of_day": time_of_day,
            "environment": environment,
            "behaviour": behaviour,
            "location_label": label,
            "age_band": age,
            "sex": sex,
        },
        columns=_REPORT_COLUMNS,
    )


# --- survey responses ------------------------------------------------------------------


def _district_counts(n: int, population: FloatArray) -> IntArray:
    """Share ``n`` out in proportion to ``population``, with a floor per district."""
    floor = _MIN_RESPONSES_PER_DISTRICT if n >= 10 * _MIN_RESPONSES_PER_DISTRICT else 0
    rest = n - floor * len(population)
    exact = rest * population / population.sum()
    counts = np.floor(exact).astype(np.int64)
    # Largest remainders get the leftover; ties go to the earlier district.
    leftover = rest - int(counts.sum())
    counts[np.argsort(-(exact - counts), kind="stable")[:leftover]] += 1
    return counts + floor


def _district_population() -> FloatArray:
    """Return usual residents per district, in ``DISTRICTS`` order."""
    population = load_population().set_index("code")["population"]
    missing = [code for code in DISTRICTS if code not in population.index]
    if missing:
        raise ValueError(f"population.csv has no row for {', '.join(missing)}.")
    return population.reindex(list(DISTRICTS)).to_numpy(float)


def _survey_frame(rng: np.random.Generator, layout: _Layout, n: int) -> pd.DataFrame:
    codes = np.array(list(DISTRICTS), dtype=object)
    district = np.repeat(np.arange(len(codes)), _district_counts(n, _district_population()))
    rng.shuffle(district)

    wave = (rng.random(n) < 0.5).astype(np.int64)
    first_day = np.array([start for start, _ in _WAVES])
    length = np.array([days for _, days in _WAVES])
    day_offset = (rng.random(n) * length[wave]).astype(np.int64)
    seconds = rng.integers(9 * 3_600, 21 * 3_600, n)
    since_start = (day_offset * 86_400 + seconds).astype("timedelta64[s]")
    completed = first_day[wave].astype("datetime64[s]") + since_start
    order = np.argsort(completed, kind="stable")
    completed, district, wave = completed[order], district[order], wave[order]

    age, sex = _demographics(rng, n)
    after_dark_mean = np.array([_AFTER_DARK_MEAN[code] for code in codes])[district]
    day_mean = 1.0 + 0.3 * after_dark_mean
    district_code = codes[district]
    rising_districts = np.unique(layout.town_district[np.isin(layout.town_name, RISING_TOWNS)])
    getting_worse = np.isin(district_code, rising_districts) & (wave == 1)
    after_dark_mean = after_dark_mean - 0.25 * getting_worse + 0.05 * (wave == 1)
    after_dark_mean = after_dark_mean - 0.25 * (sex == "Female")
    by_day = rng.normal(0.0, 1.0, n)
    after_dark = 0.55 * by_day + 0.835 * rng.normal(0.0, 1.0, n)
    day_answer = np.searchsorted(_SAFETY_CUTS, day_mean + by_day)
    dark_answer = np.searchsorted(_SAFETY_CUTS, after_dark_mean + after_dark)

    numeric = rng.random(n) < 0.15

    def answer_text(answer: IntArray, dont_know: float) -> ObjectArray:
        text = np.where(numeric, (answer + 1).astype(str).astype(object), _SAFETY_LABELS[answer])
        unknown = rng.random(n)
        text = np.where(unknown < dont_know, np.where(numeric, "", "Don't know"), text)
        return np.where(unknown > 0.995, "", text)

    short = np.array([_SHORT_DISTRICT_NAMES.get(code, DISTRICTS[code]) for code in codes])
    names = np.array([DISTRICTS[code] for code in codes])
    spelling = rng.random(n)
    district_text = np.where(
        spelling < 0.6, names[district], np.where(spelling < 0.8, short[district], district_code)
    )

    concern_latitude, concern_longitude, concern_reasons = _concerns(rng, layout, district_code)
    comment = np.where(rng.random(n) < 0.45, _COMMENTS[rng.integers(len(_COMMENTS), size=n)], "")
    return pd.DataFrame(
        {
            "response_id": _ids("DEMO-FS-", n),
            "completed_at": _format_times(completed, rng.random(n) < _UK_TIME_SHARE),
            "district": district_text,
            "safe_day": answer_text(day_answer, 0.015),
            "safe_after_dark": answer_text(dark_answer, 0.04),
            "concern_latitude": concern_latitude,
            "concern_longitude": concern_longitude,
            "concern_reasons": concern_reasons,
            "comment": comment,
            "age_band": age,
            "sex": sex,
            "weight": np.round(rng.uniform(0.5, 2.0, n), 3),
        },
        columns=_SURVEY_COLUMNS,
    )


def _concerns(
    rng: np.random.Generator, layout: _Layout, district_code: ObjectArray
) -> tuple[FloatArray, FloatArray, ObjectArray]:
    """Return a concern point and reasons for about 40% of respondents, blank for the rest."""
    n = len(district_code)
    has_concern = rng.random(n) < 0.4
    cluster = np.zeros(n, np.int64)
    cluster_district = layout.town_district[layout.town]
    no_clusters = np.zeros(n, bool)
    for code in DISTRICTS:
        rows = np.flatnonzero(has_concern & (district_code == code))
        own = np.flatnonzero(cluster_district == code)
        if len(own) == 0:
            no_clusters[rows] = True
            continue
        weights = layout.weight[own]
        cluster[rows] = own[rng.choice(len(own), size=len(rows), p=weights / weights.sum())]
    x, y = _cluster_points(rng, layout, cluster)
    if no_clusters.any():  # a district without a town in towns.csv: anywhere inside it
        districts = load_districts().set_index("code").geometry
        for code in DISTRICTS:
            rows = np.flatnonzero(no_clusters & (district_code == code))
            if len(rows):
                area = shapely.intersection(districts[code], layout.county)
                shapely.prepare(area)
                x[rows], y[rows] = _uniform_in(rng, area, len(rows))
    latitude, longitude = _to_latlon(x, y)
    kind = np.where(no_clusters, _BACKGROUND, layout.kind[cluster])
    probabilities = np.hstack([_ENVIRONMENT_P[kind], _BEHAVIOUR_P[kind]])
    codes = list(ENVIRONMENT_CODES) + [code for code in BEHAVIOUR_CODES if code != "other"]
    reasons = _multi_select(rng, 0.6 * probabilities[:, : len(codes)], codes)
    return (
        np.where(has_concern, latitude, np.nan),
        np.where(has_concern, longitude, np.nan),
        np.where(has_concern, reasons, ""),
    )


# --- support services ------------------------------------------------------------------


@dataclass(frozen=True)
class _Service:
    name: str
    category: str
    coverage: str
    opening_hours: str
    x: float = np.nan
    y: float = np.nan
    confidential: bool = False
    approximate: bool = False
    phone: str = ""
    eligibility: str = ""


def _secret_point(rng: np.random.Generator, layout: _Layout) -> tuple[float, float]:
    """Return a made-up point 1-3 km from a random town, inside the county."""
    while True:
        town = int(rng.integers(len(layout.town_name)))
        radius, bearing = rng.uniform(1_000.0, 3_000.0), rng.uniform(0.0, 2 * np.pi)
        x = layout.town_x[town] + radius * np.cos(bearing)
        y = layout.town_y[town] + radius * np.sin(bearing)
        if shapely.contains_xy(layout.county, x, y):
            return float(x), float(y)


def _largest_town(layout: _Layout, codes: Sequence[str]) -> int:
    rows = np.flatnonzero(np.isin(layout.town_district, list(codes)))
    if len(rows) == 0:
        raise ValueError(f"towns.csv has no town in {', '.join(codes)}; the demo needs one.")
    return int(rows[np.argmax(layout.town_population[rows])])


def _services_frame(rng: np.random.Generator, layout: _Layout) -> pd.DataFrame:
    refuge_x, refuge_y = _secret_point(rng, layout)
    sarc_x, sarc_y = _secret_point(rng, layout)
    services = [
        _Service(
            name="Herts Domestic Abuse Helpline",
            category="helpline",
            coverage="county",
            opening_hours="Mo-Fr 09:00-21:00; Sa,Su 09:00-16:00",
            phone="08 088 088 088",
            eligibility="anyone affected by domestic abuse in Hertfordshire",
        ),
        _Service(
            name="Herts IDVA Service",
            category="idva",
            coverage="county",
            opening_hours="Mo-Fr 09:00-17:00",
            phone="0300 790 6772",
            eligibility="victims of domestic abuse at high risk of harm",
        ),
        _Service(
            name="Safer Places refuge and outreach",
            category="refuge",
            coverage="county",
            opening_hours="24/7",
            x=refuge_x,
            y=refuge_y,
            confidential=True,
            phone="0330 102 5811",
            eligibility="people fleeing domestic abuse",
        ),
        _Service(
            name="Beacon victim care",
            category="victim_hub",
            coverage="county",
            opening_hours="Mo-Fr 08:00-18:00; We 08:00-20:00",
            phone="0300 0115 555 option 3",
            eligibility="victims of crime in Hertfordshire",
        ),
        _Service(
            name="Hertfordshire SARC",
            category="sarc",
            coverage="county",
            opening_hours="24/7",
            x=sarc_x,
            y=sarc_y,
            confidential=True,
            phone="0808 178 4448",
            eligibility="anyone who has been raped or sexually assaulted",
        ),
        _Service(
            name="Herts Area Rape Crisis and Sexual Abuse Centre",
            category="rape_crisis",
            coverage="county",
            opening_hours="Mo-Th 10:00-16:00; PH off",
            phone="01707 276512",
            eligibility="anyone affected by sexual violence",
        ),
        _Service(
            name="Chrysalis Centre perpetrator programme",
            category="perpetrator_programme",
            coverage="county",
            opening_hours="Mo-Fr 09:00-17:00",
            eligibility="aged 10+, living in Hertfordshire",
        ),
    ]
    for area, codes in _OUTREACH_AREAS:
        town = _largest_town(layout, codes)
        services.append(
            _Service(
                name=f"Community Outreach Service ({area})",
                category="outreach",
                coverage=";".join(DISTRICTS[code] for code in codes),
                opening_hours="Mo-Fr 09:00-17:00; PH off",
                x=float(layout.town_x[town]),
                y=float(layout.town_y[town]),
                approximate=True,
                eligibility="adults experiencing domestic abuse",
            )
        )
    for name in _POLICE_COUNTERS:
        matches = np.flatnonzero(layout.town_name == name)
        if len(matches) == 0:
            raise ValueError(f"towns.csv has no town named {name!r}; the demo services need it.")
        town = int(matches[0])
        services.append(
            _Service(
                name=f"{name} Police Station front counter",
                category="police",
                coverage=str(layout.town_district[town]),
                opening_hours="Mo-Fr 08:00-20:00; Sa 09:00-17:00; PH 10:00-14:00",
                x=float(layout.town_x[town]),
                y=float(layout.town_y[town]),
                approximate=True,
                phone="101",
            )
        )

    latitude, longitude = _to_latlon(
        np.array([service.x for service in services]), np.array([service.y for service in services])
    )
    return pd.DataFrame(
        {
            "service_id": [f"DEMO-SVC-{number:02d}" for number in range(1, len(services) + 1)],
            "name": [service.name for service in services],
            "category": [service.category for service in services],
            "latitude": latitude,
            "longitude": longitude,
            "confidential": [str(service.confidential).lower() for service in services],
            "coverage": [service.coverage for service in services],
            "opening_hours": [service.opening_hours for service in services],
            "phone": [service.phone for service in services],
            "website": "",
            "eligibility": [service.eligibility for service in services],
            "location_approximate": [str(service.approximate).lower() for service in services],
        },
        columns=_SERVICE_COLUMNS,
    )


# --- outreach points -------------------------------------------------------------------


def _near_town(
    rng: np.random.Generator, layout: _Layout, town: int, near_m: float, far_m: float
) -> tuple[float, float]:
    """Return a point ``near_m`` to ``far_m`` from a town's centre, inside the county."""
    for _attempt in range(100):
        radius = rng.uniform(near_m, far_m)
        bearing = rng.uniform(0.0, 2 * np.pi)
        x = float(layout.town_x[town] + radius * np.cos(bearing))
        y = float(layout.town_y[town] + radius * np.sin(bearing))
        if shapely.contains_xy(layout.county, x, y):
            return x, y
    return float(layout.town_x[town]), float(layout.town_y[town])


def _outreach_frame(rng: np.random.Generator, layout: _Layout) -> pd.DataFrame:
    """Return SYNTHETIC outreach points: two in each of the largest towns."""
    towns = np.argsort(-layout.town_population, kind="stable")[:DEMO_OUTREACH_TOWNS]
    rows: list[tuple[str, str, float, float, str]] = []
    for number, town in enumerate(towns):
        name = str(layout.town_name[town])
        x, y = _near_town(rng, layout, int(town), 400.0, 1200.0)
        rows.append(("qr_poster", "Clarion Housing", x, y,
                     f"{name} housing estate poster (synthetic)"))
        x, y = _near_town(rng, layout, int(town), 50.0, 500.0)
        if number % 2:
            rows.append(("drop_in", "Community Outreach Service", x, y,
                         f"{name} community centre drop-in (synthetic)"))
        else:
            rows.append(("leaflet_point", "Herts Domestic Abuse Helpline", x, y,
                         f"{name} library leaflet stand (synthetic)"))
    first_day = DEMO_LAST_DAY - np.timedelta64(_WINDOW_DAYS - 1, "D")
    placed = first_day + rng.integers(0, _WINDOW_DAYS - 60, len(rows)).astype("timedelta64[D]")
    taken_down = rng.random(len(rows)) < 0.15
    removed = placed + rng.integers(30, 60, len(rows)).astype("timedelta64[D]")
    latitude, longitude = _to_latlon(np.array([row[2] for row in rows]),
                                     np.array([row[3] for row in rows]))
    return pd.DataFrame(
        {
            "point_id": [f"DEMO-OUT-{number:02d}" for number in range(1, len(rows) + 1)],
            "kind": [row[0] for row in rows],
            "organisation": [row[1] for row in rows],
            "latitude": latitude,
            "longitude": longitude,
            "in_place_from": [str(day) for day in placed],
            "in_place_to": [str(day) if down else ""
                            for day, down in zip(removed, taken_down, strict=True)],
            "name": [row[4] for row in rows],
            "service_id": "",
            "notes": "SYNTHETIC demo point: not a real site",
        },
        columns=_OUTREACH_COLUMNS,
    )
