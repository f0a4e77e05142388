"""``safetymap coverage``: which support reaches each district, how far away and when."""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from safetymap.commands import EXIT_OK, CommandError, add_data_option, add_output_options

if TYPE_CHECKING:
    import pandas as pd

    from loaders.source import Dataset

#: Columns written, in order: the issue's seven first, then the rest of the table.
COLUMNS = (
    "district_code",
    "category",
    "covered",
    "services",
    "nearest_km_median",
    "hours_open_per_week",
    "reports_when_closed_pct",
    "district_name",
    "report_nearest_km_median",
    "latest_close",
    "reports_with_time",
)
#: Decimals written for each figure: 10 m, under a minute, a tenth of a percent.
DECIMALS = {
    "nearest_km_median": 2,
    "report_nearest_km_median": 2,
    "hours_open_per_week": 2,
    "reports_when_closed_pct": 1,
}
#: Starts of a cell that a spreadsheet would run as a formula (CONTRACT §5).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``coverage`` command."""
    parser = commands.add_parser(
        "coverage",
        help="support coverage, distance and opening hours per district and category",
        description=(
            "One row per district and service category: whether a service covers it, how "
            "many, the median straight-line km from LSOA points and from reports to the "
            "nearest non-confidential place, hours open per week and the % of reports with "
            "a time that fall when none is open."
        ),
    )
    add_data_option(parser)
    add_output_options(parser, ("csv", "json"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the coverage table as CSV or JSON to ``--out`` or stdout."""
    from safetymap.analysis.coverage import coverage_table

    dataset = _load(args.data)
    for notice in dataset.notices:
        print(f"notice: {notice}", file=sys.stderr)
    for result in dataset.results():
        if result.problems:
            print(
                f"notice: {len(result.problems):,} row(s) or file(s) refused; "
                "`safetymap validate` lists them.",
                file=sys.stderr,
            )
            break
    services = dataset.services.frame
    if services.empty:
        refused = len(dataset.services.problems)
        hint = (
            f"all {refused:,} service row(s) were refused (run `safetymap validate --kind "
            "services FILE` to see why)"
            if refused
            else "add a services*.csv or services*.xlsx export (CONTRACT §3)"
        )
        message = f"No support services to measure coverage against in {dataset.origin}: {hint}."
        raise CommandError(message)
    table = coverage_table(dataset.streetsafe.frame, services)[list(COLUMNS)]
    text = _to_json(table) if args.format == "json" else _to_csv(table)
    out: Path | None = args.out
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        print(f"Wrote {len(table):,} rows ({args.format}) to {out}.")
    return EXIT_OK


def _load(data: Path | None) -> Dataset:
    """Load the folder named by ``--data``, else the source the settings name."""
    if data is not None:
        from loaders.source import FolderSource

        return FolderSource(data).load()
    from safetymap.datasource import source_from_settings
    from safetymap.settings import load_settings

    return source_from_settings(load_settings()).load()


def _neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


def _to_csv(table: pd.DataFrame) -> str:
    """Return the table as CSV: true/false, rounded figures, empty for missing."""
    shown = table.round(DECIMALS).astype({"covered": object})
    shown["covered"] = table["covered"].map({True: "true", False: "false"})
    for column in shown.columns:
        if shown[column].dtype == object or str(shown[column].dtype) in {"str", "string"}:
            shown[column] = shown[column].map(_neutralise)
    buffer = io.StringIO()
    shown.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _to_json(table: pd.DataFrame) -> str:
    """Return the table as a JSON list of objects; missing figures are null."""
    records = []
    for row in table.round(DECIMALS).to_dict(orient="records"):
        record: dict[str, object] = {}
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                record[str(key)] = None
            elif hasattr(value, "item"):  # numpy scalars
                record[str(key)] = value.item()
            else:
                record[str(key)] = value
        records.append(record)
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
