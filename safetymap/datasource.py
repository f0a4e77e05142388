"""Choose where the dashboard's data comes from: a folder of exports or the demo data."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from loaders.source import Dataset, DataSource, FolderSource, read_header_map
from safetymap.demo import write_demo_data
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
        """Return the folder this demo data lives in."""
        return self.cache_dir / f"demo-seed{self.seed}-r{self.reports}-s{self.responses}"

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


def source_from_settings(settings: Settings) -> DataSource:
    """Return the data source the settings name: the data folder, else the demo data."""
    if settings.data_dir is not None:
        return FolderSource(settings.data_dir, header_map=read_header_map(settings.header_map))
    return DemoSource(
        cache_dir=settings.cache_dir,
        reports=settings.demo_reports,
        responses=settings.demo_responses,
        seed=settings.demo_seed,
    )
