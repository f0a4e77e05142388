"""Choose where the dashboard's data comes from: the store, a folder of exports, or demo data."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from loaders.counts import ReportCounts, Slot
from loaders.source import Dataset, DataSource, FolderSource, read_header_map
from loaders.store import Store, open_store
from loaders.store.base import Selection
from safetymap.analysis.counts import FrameCounts
from safetymap.demo import GENERATOR_VERSION, write_demo_data
from safetymap.settings import Settings

SYNTHETIC_LABEL = "Synthetic demo data"
_COMPLETE = ".complete"


@dataclass(frozen=True)
class DemoSource:
    """Demo data generated once into the cache folder, then loaded like any export."""

    cache_dir: Path
    reports: int
    responses: int
    seed: int

    def folder(self) -> Path:
        """Return the folder this demo data lives in (the generator's version in its name)."""
        return self.cache_dir / (
            f"demo-v{GENERATOR_VERSION}-seed{self.seed}-r{self.reports}-s{self.responses}"
        )

    def ensure_written(self) -> Path:
        """Write the demo files unless a complete copy is there; return the folder.

        The files are written to a temporary folder and moved into place, so a process
        stopped half-way never leaves a partial copy that looks complete.
        """
        target = self.folder()
        if (target / _COMPLETE).exists():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="demo-", dir=self.cache_dir))
        try:
            write_demo_data(
                staging, reports=self.reports, responses=self.responses, seed=self.seed
            )
            (staging / _COMPLETE).write_text("ok\n", encoding="utf-8")
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def load(self) -> Dataset:
        """Generate (once) and load the demo data through the ordinary loaders."""
        folder = self.ensure_written()
        origin = (
            f"{self.reports:,} StreetSafe reports and {self.responses:,} "
            f"survey responses generated with seed {self.seed} around real towns: "
            "not real reports, not real people."
        )
        return FolderSource(folder, synthetic=True, origin=origin).load()


@dataclass(frozen=True)
class StoreSource:
    """The shared store, at the revision it had when the source was made.

    The dashboard caches a loaded dataset per source; because ``revision`` changes with
    every ingest, an ingest by any process (the command line, another dashboard server)
    makes each dashboard process load the store again on its next run.
    """

    store: Store
    revision: int
    notices: tuple[str, ...] = ()

    def load(self) -> Dataset:
        """Load the survey, the services and what was ingested; not the reports themselves.

        StreetSafe reports stay in the store and are counted there (:class:`StoreReports`):
        the dataset's report frame is empty, its files and refusals are the store's.
        """
        dataset = self.store.load(reports=False)
        dataset.notices = [*self.notices, *dataset.notices]
        return dataset


@dataclass(frozen=True)
class StoreReports:
    """The store's StreetSafe reports at one revision, counted in the store."""

    store: Store
    revision: int

    @property
    def key(self) -> str:
        """Return the store and its revision: an ingest changes it."""
        return f"{self.store.description}@{self.revision}"

    def count(
        self,
        filters: Selection,
        by: tuple[str, ...] = (),
        *,
        resolution: int = 9,
        slot: Slot | None = None,
    ) -> pd.DataFrame:
        """Return the selected reports counted by ``by``, counted in the store."""
        return self.store.count(filters, by, resolution=resolution, slot=slot)

    def span(self, filters: Selection) -> tuple[date, date] | None:
        """Return the first and last local day of the selection, from the store."""
        return self.store.span(filters)

    def rows(
        self, filters: Selection, *, slot: Slot | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """Return the selected reports (the first ``limit``), read from the store."""
        return self.store.rows(filters, slot=slot, limit=limit)


def report_counts(source: DataSource, dataset: Dataset) -> ReportCounts:
    """Return where a source's reports are counted: in the store, or in the loaded frame."""
    if isinstance(source, StoreSource):
        return StoreReports(source.store, source.revision)
    return FrameCounts(dataset.streetsafe.frame, key=f"{id(dataset)}:{dataset.origin}")


def source_from_settings(
    settings: Settings, *, opener: Callable[[str], Store] = open_store
) -> DataSource:
    """Return the data source the settings name: the store, the data folder, or demo data.

    ``opener`` opens the store (``loaders.store.open_store``); the dashboard passes one that
    opens each store once per server, so that a page run asks only for its revision.

    Raises
    ------
    loaders.store.StoreUnavailable
        A store is named and cannot be opened; the message says which and why.
    """
    if settings.store is not None:
        store = opener(settings.store)
        ignored = () if settings.data_dir is None else (
            (f"SAFETYMAP_DATA ({settings.data_dir}) is not read while SAFETYMAP_STORE is set; "
             "add its files to the store with `safetymap ingest`."),
        )
        return StoreSource(store, store.revision(), ignored)
    if settings.data_dir is not None:
        return FolderSource(settings.data_dir, header_map=read_header_map(settings.header_map))
    return DemoSource(
        cache_dir=settings.cache_dir,
        reports=settings.demo_reports,
        responses=settings.demo_responses,
        seed=settings.demo_seed,
    )
