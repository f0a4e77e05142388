"""Find the exports of a data folder and load them as one :class:`Dataset`.

The pages only ever see a ``Dataset``; where it came from (a folder of exports, the
generated demo data, later a database) stays behind the :class:`DataSource` protocol.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from loaders.kinds import KINDS, OUTREACH
from loaders.pipeline import LoadResult, empty_frame, load_kind
from loaders.reading import SUPPORTED_SUFFIXES

KIND_NAMES = {
    "streetsafe": "StreetSafe reports",
    "survey": "survey responses",
    "services": "support services",
    "outreach": "outreach points",
}


class SourceError(ValueError):
    """A data source cannot be opened at all (no folder, bad header mapping)."""


def no_outreach() -> LoadResult:
    """Return the load result of a source that has no outreach points."""
    return LoadResult(OUTREACH.kind, empty_frame(OUTREACH))


@dataclass
class Dataset:
    """The inputs, validated, with what a user must be told about them.

    ``reports_in_store`` is True when the StreetSafe reports were left in a store to be
    counted there: ``streetsafe.frame`` is then empty, and ``streetsafe``'s files and
    problems are what was ingested and refused.
    """

    streetsafe: LoadResult
    survey: LoadResult
    services: LoadResult
    synthetic: bool
    origin: str
    notices: list[str] = field(default_factory=list)
    reports_in_store: bool = False
    #: outreach points (posters, leaflet points, drop-ins); empty when none were given
    outreach: LoadResult = field(default_factory=no_outreach)

    def results(self) -> list[LoadResult]:
        """Return the load results in contract order."""
        return [self.streetsafe, self.survey, self.services, self.outreach]


#: Every identifier in the safety map's synthetic demo data begins with this.
DEMO_ID_PREFIX = "DEMO-"
#: The identifier field of each kind.
ID_FIELDS = {"streetsafe": "report_id", "survey": "response_id", "services": "service_id",
             "outreach": "point_id"}


def demo_origin(origin: str) -> str:
    """Return a source's origin with the warning that it holds synthetic demo records."""
    return (f"{origin}. It holds the safety map's synthetic demo records (identifiers "
            f"beginning {DEMO_ID_PREFIX}): not real reports, not real people.")


def holds_demo_records(results: Mapping[str, LoadResult]) -> bool:
    """Return whether any loaded record has a demo identifier (see :data:`DEMO_ID_PREFIX`)."""
    return any(
        result.frame[ID_FIELDS[kind]].astype(str).str.startswith(DEMO_ID_PREFIX).any()
        for kind, result in results.items() if ID_FIELDS[kind] in result.frame.columns
    )


class DataSource(Protocol):
    """Anything that can produce a :class:`Dataset`."""

    def load(self) -> Dataset:
        """Load and validate every input."""
        ...


def files_by_kind(data_dir: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """Return the export files of each kind in a folder, and notices about the rest.

    A file's kind is the start of its name (``streetsafe*``, ``survey*``, ``services*``,
    ``outreach*``);
    only ``.csv`` and ``.xlsx`` are read. Files are taken in name order.
    """
    if not data_dir.is_dir():
        raise SourceError(f"Data folder {data_dir} does not exist or is not a folder.")
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    notices: list[str] = []
    for path in sorted(data_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        kind = next((k for k in KINDS if path.name.lower().startswith(k)), None)
        if kind is None or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            notices.append(
                f"Ignored {path.name}: not a streetsafe*, survey*, services* or outreach* "
                ".csv or .xlsx file."
            )
            continue
        found[kind].append(path)
    for kind, paths in found.items():
        if not paths:
            notices.append(f"No {KIND_NAMES[kind]} in {data_dir} ({kind}*.csv or .xlsx).")
    return found, notices


def read_header_map(path: Path | None) -> dict[str, dict[str, str]]:
    """Read a deployment's extra header aliases: ``{kind: {file header: field}}``."""
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SourceError(
            f"Header map {path}: expected a readable JSON file, found {error}."
        ) from None
    if not isinstance(mapping, dict) or not all(
        kind in KINDS and isinstance(headers, dict) for kind, headers in mapping.items()
    ):
        raise SourceError(
            f"Header map {path}: expected an object such as "
            '{"streetsafe": {"Ref No": "report_id"}} with kinds streetsafe, survey, services, '
            "outreach."
        )
    return {kind: {str(k): str(v) for k, v in headers.items()} for kind, headers in mapping.items()}


@dataclass(frozen=True)
class FolderSource:
    """A folder of exports, as named by ``--data`` or ``SAFETYMAP_DATA``."""

    data_dir: Path
    header_map: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)
    synthetic: bool = False
    origin: str = ""

    def load(self) -> Dataset:
        """Load every export in the folder."""
        files, notices = files_by_kind(self.data_dir)
        results = {
            kind: load_kind(spec, files[kind], header_map=self.header_map.get(kind))
            for kind, spec in KINDS.items()
        }
        for result in results.values():
            notices += result.notices
        origin = self.origin or f"Exports in {self.data_dir}"
        demo = not self.synthetic and holds_demo_records(results)
        return Dataset(
            streetsafe=results["streetsafe"],
            survey=results["survey"],
            services=results["services"],
            outreach=results["outreach"],
            synthetic=self.synthetic or demo,
            origin=demo_origin(origin) if demo else origin,
            notices=notices,
        )
