"""``safetymap open-now``: the support services open at a place and time, nearest first."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from safetymap.commands import (
    EXIT_OK,
    UsageError,
    add_data_option,
    add_output_options,
    add_role_option,
    load_dataset,
    say,
    write_table,
)

if TYPE_CHECKING:
    from safetymap.analysis.open_now import Place

#: Decimals of the distance written: 10 m.
DECIMALS = {"distance_km": 2}
_EXPECTED_TIME = "a date and time YYYY-MM-DD HH:MM (or DD/MM/YYYY HH:MM), Europe/London"


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``open-now`` command."""
    parser = commands.add_parser(
        "open-now",
        help="the support services open at a place and time, nearest first",
        description=(
            "List the support services that serve a place and are open at a day and time "
            "(England and Wales bank holidays applied): places to go nearest first, with "
            "the straight-line km; then services reached by phone or online; then "
            "confidential services (refuges, the SARC) by phone and the area they serve "
            "only, never their location. When nothing local is open, the national 24-hour "
            "lines. The list holds no report figure, so it is the same for every role."
        ),
    )
    parser.add_argument(
        "--place", metavar="NAME",
        help="a town (Watford), a district (Three Rivers, E07000102) or a 2011 LSOA "
             "(Watford 001A); or give --lat and --lon",
    )
    parser.add_argument("--lat", type=float, metavar="DEGREES", help="latitude of a point")
    parser.add_argument("--lon", type=float, metavar="DEGREES", help="longitude of a point")
    parser.add_argument(
        "--at", metavar="'YYYY-MM-DD HH:MM'",
        help="day and time, Europe/London (default: now)",
    )
    add_data_option(parser)
    add_role_option(parser)
    add_output_options(parser, ("csv", "json"))
    parser.set_defaults(run=run)


def _place(args: argparse.Namespace) -> Place:
    """Return the place of ``--place`` or ``--lat``/``--lon``, or say what is expected."""
    from safetymap.analysis.open_now import find_place, place_at

    point = (args.lat, args.lon)
    if args.place is not None and point != (None, None):
        raise UsageError(f"give --place or --lat and --lon, not both; found --place "
                         f"{args.place!r} and --lat/--lon")
    try:
        if args.place is not None:
            return find_place(args.place, argument="--place")
        if None in point:
            given = "--lat" if args.lat is not None else "--lon" if args.lon is not None else ""
            found = f"only {given}" if given else "neither"
            raise UsageError(f"expected --place NAME, or --lat and --lon together; found {found}")
        return place_at(args.lat, args.lon, argument="--lat/--lon")
    except ValueError as error:
        raise UsageError(str(error)) from None


def _when(text: str | None) -> datetime:
    """Return ``--at`` as a Europe/London time (now when not given), or say what is expected."""
    import pandas as pd

    from loaders.fields import parse_datetime
    from safetymap.analysis.open_now import LONDON

    if text is None:
        return datetime.now(LONDON)
    parsed, bad = parse_datetime(pd.Series([text], dtype=object))
    if bad.iloc[0] or pd.isna(parsed.iloc[0]):
        raise UsageError(f"--at {text!r}: expected {_EXPECTED_TIME}; found {text!r}")
    stamp: datetime = parsed.iloc[0].to_pydatetime()
    return stamp


def run(args: argparse.Namespace) -> int:
    """Write the open services as CSV or JSON to ``--out`` or stdout; say where and when."""
    from safetymap.analysis.open_now import bank_holiday_name, local_minute, open_near

    place = _place(args)
    when = _when(args.at)
    dataset = load_dataset(args.data)
    services = dataset.services.frame
    if services.empty:
        say(f"notice: no support services are loaded from {dataset.origin}; only the national "
            "lines are listed.", err=True)
    table = open_near(services, place, when).round(DECIMALS)
    day, minute = local_minute(when)
    holiday = bank_holiday_name(day)
    on_holiday = f" (bank holiday: {holiday})" if holiday else ""
    local = int(table["group"].ne("national line").sum())
    found = (f"{local} service(s) open" if local
             else "no local service open: the national 24-hour lines")
    say(f"{place.describe()}, {day:%a} {day.day} {day:%b %Y} "
        f"{minute // 60:02d}:{minute % 60:02d}{on_holiday}: {found}.", err=True)
    write_table(table, fmt=args.format, out=args.out)
    return EXIT_OK
