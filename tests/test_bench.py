"""The benchmark script runs end to end and prints its tables; no speed is asserted here.

Speed is measured by ``bench/run.py`` and judged in ``docs/benchmarks.md``, never in a timed
test. This smoke test only proves that the script still works: ``--quick --no-browser``
(no Streamlit, no Chromium) on one small size, so that it stays cheap (about 20 s).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "# Benchmarks\n\nWritten by hand.\n\n<!-- bench:begin -->\n"
AFTER = "<!-- bench:end -->\n\nWhy a target is missed, written by hand.\n"


def test_quick_run_prints_its_tables_and_keeps_the_text_around_them(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(BEFORE + "the table of an earlier run\n" + AFTER, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--no-browser",
            "--sizes", "2000", "--work-dir", str(tmp_path / "work"), "--out", str(out),
        ],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    for heading in (
        "### Ours against naive",
        "| measure | reports | ours | naive | naive/ours | target | result |",
        "### One-off warm-ups",
        "| one-off warm-up (paid once per server process) | reports | first | warm | first/warm |",
        "### Where our time goes",
    ):
        assert heading in done.stdout
    # One row per measure at the one size, with the payload target judged.
    payload = [line for line in done.stdout.splitlines() if line.startswith("| Map payload")]
    assert len(payload) == 1
    assert "| 2,000 |" in payload[0]
    assert payload[0].endswith(("| PASS |", "| MISS |"))
    written = out.read_text(encoding="utf-8")
    assert written.startswith(BEFORE)
    assert written.endswith(AFTER)
    assert "the table of an earlier run" not in written
    assert "### Ours against naive" in written
    assert (tmp_path / "work" / "results.json").is_file()


def test_the_store_benchmark_runs_on_a_small_geopackage(tmp_path: Path) -> None:
    """``bench/store.py`` end to end on 2,000 demo reports, without the browser."""
    data = tmp_path / "data"
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "store.py"), "--size", "2000", "--store",
            "gpkg", "--no-browser", "--repeats", "1", "--data", str(data),
            "--out", str(tmp_path / "out"),
        ],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for heading in ("### Ingest and size", "### Counting: store against FrameCounts in memory",
                    "### Where analyse_hotspots spends its time in the store (first call)"):
        assert heading in done.stdout
    ingest = next(line for line in done.stdout.splitlines() if line.startswith("| streetsafe"))
    assert "| 2,000 |" in ingest  # every demo report added
    assert (tmp_path / "out" / "store-gpkg-r2000.json").is_file()


def test_the_calibration_benchmark_prints_both_tables(tmp_path: Path) -> None:
    """``bench/calibration.py`` on one area, two volumes, one seed and one trial."""
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nWritten by hand.\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "calibration.py"), "--areas", "Watford",
            "--volumes", "20", "1000", "--seeds", "1", "--clusters", "12", "--trials", "1",
            "--draws", "200", "--out", str(out),
        ],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| Watford |")]
    # Two calibration rows (20 and 1,000 reports), one detection row (12 reports), and
    # five rows of the busiest neighbourhood by chance (k = 6 to 10, over 308 reports).
    assert len(rows) == 8
    assert rows[0].startswith("| Watford | 20 | 130 m |")
    assert rows[1].startswith("| Watford | 1,000 | 130 m |")
    assert rows[0].endswith("% |")
    assert rows[2].startswith("| Watford | 12 | 300 | 130 m |")
    assert re.search(r"\| \d+(\.5)? \(\d+ to \d+\) \|$", rows[2])
    chance = [row.split(" | ") for row in rows[3:]]
    assert [int(cells[3]) for cells in chance] == [6, 7, 8, 9, 10]
    # 308 reports over Watford's 130 m hexagons: about 1.4 expected in a neighbourhood
    expected = float(chance[0][2])
    assert 1.2 < expected < 1.6
    shares = [float(cells[4].rstrip(" |%")) for cells in chance]
    assert shares == sorted(shares, reverse=True)  # k or more: never commoner for larger k
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# Benchmarks\n\nWritten by hand.\n")
    assert "<!-- calibration:begin -->\n### Hot spot calibration" in written
    assert written.rstrip().endswith("<!-- calibration:end -->")
