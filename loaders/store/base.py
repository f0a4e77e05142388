"""Name what every store offers: the :class:`Store` protocol, its summaries and its errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import pandas as pd

from loaders.problems import Problem
from loaders.source import KIND_NAMES, Dataset, SourceError

if TYPE_CHECKING:  # loaders.counts imports this module; loaders.store.actions imports it
    from loaders.counts import Slot
    from loaders.store.actions import Action

#: H3 resolutions whose cell of each report is stored at ingest (large, medium, small).
HEX_RESOLUTIONS = (8, 9, 10)


class StoreError(SourceError):
    """The store cannot do what was asked; the message says why and what to do."""


class StoreUnavailable(StoreError):  # noqa: N818 - reads as the state the user is told about
    """The store cannot be reached or opened: a database that is down, a file that is not there.

    The message names the file, or the database's host, port and name, never a password.
    """


class Selection(Protocol):
    """What to count: ``safetymap.analysis.filters.Filters`` has this shape.

    Empty means "all"; ``start`` and ``end`` are inclusive local (Europe/London) dates of
    a report's ``event_at``; a report matches ``reasons`` when it gives any of them.
    """

    @property
    def districts(self) -> tuple[str, ...]:
        """Return the LAD codes to keep."""
        ...

    @property
    def start(self) -> date | None:
        """Return the first day to keep."""
        ...

    @property
    def end(self) -> date | None:
        """Return the last day to keep."""
        ...

    @property
    def times_of_day(self) -> tuple[str, ...]:
        """Return the time-of-day bands to keep."""
        ...

    @property
    def reasons(self) -> tuple[str, ...]:
        """Return the reason codes of which a report must give one."""
        ...


@dataclass(frozen=True)
class IngestProgress:
    """How far an ingest has got, for a progress bar.

    ``stage`` is ``validating`` (``done`` of ``total`` files checked) or ``writing``
    (``done`` of ``total`` valid rows of ``file`` written inside the transaction).
    """

    file: str
    stage: Literal["validating", "writing"]
    done: int
    total: int


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(frozen=True)
class FileSummary:
    """What one ingested file did to the store.

    For a file read for the first time ``added + already_present + refused == rows``.
    ``already_present`` counts rows whose id the store (or an earlier row of the same
    file) already held with identical content. ``refused`` rows went to quarantine.
    ``file_error`` is set when the whole file was refused; ``already_ingested`` when a file
    with the same checksum was ingested before, in which case nothing was read or added.
    """

    file: str
    checksum: str
    rows: int = 0
    added: int = 0
    already_present: int = 0
    refused: int = 0
    file_error: str | None = None
    already_ingested: datetime | None = None

    def line(self) -> str:
        """Return the file's one-line summary, as the command line prints it."""
        if self.already_ingested is not None:
            when = self.already_ingested.strftime("%d/%m/%Y %H:%M UTC")
            return (f"{self.file}: added 0, already present {self.already_present:,}, "
                    f"refused 0 (the same file was ingested on {when})")
        if self.file_error is not None:
            return f"{self.file}: refused as a whole (quarantined): {self.file_error}"
        return (f"{self.file}: added {self.added:,}, already present "
                f"{self.already_present:,}, refused {self.refused:,} (quarantined)")


@dataclass(frozen=True)
class IngestSummary:
    """What one ingest (one transaction, one or more files of a kind) did to the store."""

    kind: str
    store: str
    ingest_id: int
    files: tuple[FileSummary, ...]
    problems: tuple[Problem, ...]

    @property
    def added(self) -> int:
        """Return the rows added to the store."""
        return sum(f.added for f in self.files)

    @property
    def already_present(self) -> int:
        """Return the rows the store already held with identical content."""
        return sum(f.already_present for f in self.files)

    @property
    def refused(self) -> int:
        """Return the rows refused (quarantined); a whole refused file counts as one."""
        return sum(f.refused + (f.file_error is not None) for f in self.files)

    def total_line(self) -> str:
        """Return the one-line total, as the command line prints it."""
        return (f"total: added {self.added:,}, already present {self.already_present:,}, "
                f"refused {self.refused:,} (quarantined) {KIND_NAMES[self.kind]} in "
                f"{len(self.files)} file(s), into {self.store}")


@dataclass(frozen=True)
class StoreSummary:
    """What a store holds: records, files ingested and quarantined problems per kind."""

    store: str
    records: dict[str, int]
    files: dict[str, int]
    quarantined: dict[str, int]
    ingests: int
    last_ingest_at: datetime | None

    def lines(self) -> list[str]:
        """Return one line per kind and one about the last ingest."""
        lines = [
            f"{KIND_NAMES[kind]}: {self.records[kind]:,} in the store from "
            f"{self.files[kind]:,} file(s); {self.quarantined[kind]:,} problem(s) in quarantine"
            for kind in self.records
        ]
        when = (self.last_ingest_at.strftime("%d/%m/%Y %H:%M UTC")
                if self.last_ingest_at is not None else "never")
        lines.append(f"{self.ingests:,} ingest(s), the last {when}, in {self.store}")
        return lines


class Store(Protocol):
    """A shared store of validated records: a GeoPackage file or a PostGIS database.

    Every method opens its own connection, so a store can be shared by threads and
    pickled. Methods raise :class:`StoreUnavailable` when the store cannot be reached.
    """

    @property
    def description(self) -> str:
        """Return the store as a user may see it: a path, or a URL without password."""
        ...

    def ingest(
        self,
        kind: str,
        paths: Sequence[Path],
        *,
        header_map: dict[str, str] | None = None,
        progress: ProgressCallback | None = None,
        user: str = "",
        batch_size: int = 5_000,
    ) -> IngestSummary:
        """Validate files of one kind and add their new rows to the store, in one transaction."""
        ...

    def load(self, *, reports: bool = True) -> Dataset:
        """Return what the store holds, in the shapes the loaders give.

        With ``reports=False`` the StreetSafe reports stay in the store (to be counted
        there): their frame is empty and the dataset says ``reports_in_store``.
        """
        ...

    def summary(self) -> StoreSummary:
        """Return how many records, files and quarantined problems the store holds."""
        ...

    def revision(self) -> int:
        """Return a number that changes whenever anything is ingested."""
        ...

    def count(
        self,
        filters: Selection,
        by: tuple[str, ...] = (),
        *,
        resolution: int = 9,
        slot: Slot | None = None,
    ) -> pd.DataFrame:
        """Return the reports of a selection counted by dimensions, in the store.

        As ``loaders.counts.ReportCounts.count``; ``resolution`` must be one of
        :data:`HEX_RESOLUTIONS` when ``by`` holds ``cell``.
        """
        ...

    def span(self, filters: Selection) -> tuple[date, date] | None:
        """Return the first and last local day of ``event_at`` selected; None when none is."""
        ...

    def rows(
        self, filters: Selection, *, slot: Slot | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Return the selected StreetSafe reports (the first ``limit``), in store order."""
        ...

    def record_action(self, values: dict[str, object], *, user: str) -> Action:
        """Record an action at a place and its first history, in one transaction.

        Raises ``loaders.store.actions.ActionRefused`` (nothing written) for a bad field.
        """
        ...

    def update_action(
        self, action_id: int, changes: dict[str, object], *, user: str
    ) -> tuple[Action, dict[str, object]]:
        """Change an action's editable fields and record the change, in one transaction."""
        ...

    def actions(self) -> list[Action]:
        """Return every action of the problem-solving log, in the order recorded."""
        ...

    def action_history(self, action_id: int | None = None) -> pd.DataFrame:
        """Return the changes to one action (or to every action), oldest first."""
        ...
