"""Is the hot spot test calibrated, and does it find small clusters? Print the figures.

Two tables, both on reports scattered at random (nothing here is real data):

1. **Calibration.** Reports scattered uniformly over a study area (Watford, North
   Hertfordshire, the whole county) at each volume, several seeds each. With no cluster at
   all every hot hexagon is a false alarm; the target is at most 1% of hexagons marked hot
   in every combination. The same data are also judged by the normal approximation of
   Gi* that the product used before (two-sided p from the z-score, the same
   Benjamini-Hochberg correction), to show what the exact test mends.
2. **Detection.** A small cluster (6, 8 or 12 reports within 150 m of a random point at
   least 300 m inside the area) over a background scattered at random; found when the
   hexagon holding the cluster's centre, or one of its six neighbours, is marked hot. The
   aim: at least 90% for 8 reports over a 300-report background.

Both use the hexagon size the product chooses from the data (``choose_resolution``).

Run::

    .venv/bin/python bench/calibration.py --out docs/benchmarks.md

``--out`` replaces the text between ``<!-- calibration:begin -->`` and
``<!-- calibration:end -->`` in that file (appending the markers when absent).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geodata import load_county, load_districts  # noqa: E402
from safetymap.analysis.hotspots import (  # noqa: E402
    _neighbourhoods,
    area_counts,
    benjamini_hochberg,
    choose_resolution,
    classify,
)

AREAS = {"Watford": "E07000103", "North Hertfordshire": "E07000099", "County": None}
VOLUMES = (20, 50, 100, 300, 1_000, 10_000, 100_000)
CLUSTERS = (6, 8, 12)
BEGIN, END = "<!-- calibration:begin -->", "<!-- calibration:end -->"


def study_areas(names: Iterable[str]) -> dict[str, shapely.Geometry]:
    """Return each named study area as a polygon in EPSG:27700."""
    districts = load_districts().set_index("code")
    return {
        name: load_county().geometry.iloc[0] if AREAS[name] is None
        else districts.loc[AREAS[name], "geometry"]
        for name in names
    }


def uniform_xy(area: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``n`` points (x, y in EPSG:27700) uniformly at random inside ``area``."""
    minx, miny, maxx, maxy = area.bounds
    shapely.prepare(area)
    found: list[np.ndarray] = []
    held = 0
    while held < n:
        batch = max(2 * (n - held), 64)
        xy = np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)])
        inside = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        found.append(inside[: n - held])
        held += len(found[-1])
    return np.vstack(found)


def cells_of(xy: np.ndarray, resolution: int) -> pd.DataFrame:
    """Return ``cell`` and ``reports``: the points counted per H3 cell."""
    points = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")
    wgs = points.to_crs("EPSG:4326")
    cells = [h3.latlng_to_cell(lat, lon, resolution)
             for lon, lat in zip(wgs.x.to_numpy(), wgs.y.to_numpy(), strict=True)]
    counted = pd.Series(cells).value_counts()
    return pd.DataFrame({"cell": counted.index.to_numpy(dtype=object),
                         "reports": counted.to_numpy(dtype=np.int64)})


def test_cells(xy: np.ndarray, area: shapely.Geometry) -> tuple[pd.DataFrame, int]:
    """Run the product's test on the points at the size it chooses; return cells, size."""
    resolution = choose_resolution(len(xy), area).resolution
    counts = area_counts(cells_of(xy, resolution), resolution=resolution, area=area)
    return classify(counts, resolution=resolution).cells, resolution


def hot_share(cells: pd.DataFrame) -> float:
    """Return the share of the study area's hexagons marked hot."""
    inside = cells[cells["in_area"]]
    return float(inside["hotspot"].str.startswith("hot_").mean())


def normal_hot_share(cells: pd.DataFrame) -> float:
    """Return the share marked hot at 90% by the normal approximation used before."""
    z = cells["gi_z"].to_numpy(dtype=float)
    p = np.where(np.isnan(z), np.nan, 2.0 * _normal_sf(np.abs(z)))
    q = benjamini_hochberg(p)
    hot = (q <= 0.10) & (z > 0)
    return float(hot[cells["in_area"].to_numpy(dtype=bool)].mean())


def _normal_sf(z: np.ndarray) -> np.ndarray:
    from scipy import stats  # noqa: PLC0415 - only here

    return np.asarray(stats.norm.sf(z), dtype=float)


def _say(message: str) -> None:
    sys.stderr.write(f"[calibration {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def calibration(areas: dict[str, shapely.Geometry], volumes: Iterable[int], seeds: int,
                ) -> list[dict[str, object]]:
    """Return one row per area and volume: hot shares over the seeds, both ways."""
    rows = []
    for name, area in areas.items():
        for volume in volumes:
            started = time.perf_counter()
            shares, normal, any_hot, sizes = [], [], 0, set()
            for seed in range(seeds):
                rng = np.random.default_rng([volume, seed, len(name)])
                cells, resolution = test_cells(uniform_xy(area, volume, rng), area)
                sizes.add(resolution)
                shares.append(hot_share(cells))
                normal.append(normal_hot_share(cells))
                any_hot += bool(shares[-1] > 0)
            rows.append({
                "area": name, "reports": volume, "resolution": sorted(sizes),
                "max_share": max(shares), "mean_share": float(np.mean(shares)),
                "seeds_with_hot": any_hot, "seeds": seeds,
                "normal_max_share": max(normal), "seconds": time.perf_counter() - started,
            })
            _say(f"calibration {name} {volume:,}: max {100 * max(shares):.3f}% "
                 f"(normal approximation {100 * max(normal):.2f}%)")
    return rows


def detection(areas: dict[str, shapely.Geometry], background: int, sizes: Iterable[int],
              trials: int) -> list[dict[str, object]]:
    """Return one row per area and cluster size: how often the cluster is found."""
    rows = []
    for name, area in areas.items():
        inner = area.buffer(-300.0)
        for size in sizes:
            found, busiest = 0, []
            for trial in range(trials):
                rng = np.random.default_rng([size, trial, background, len(name)])
                centre = uniform_xy(inner, 1, rng)[0]
                angle = rng.uniform(0, 2 * math.pi, size)
                radius = 150.0 * np.sqrt(rng.uniform(0, 1, size))
                cluster = centre + np.column_stack([radius * np.cos(angle),
                                                    radius * np.sin(angle)])
                xy = np.vstack([uniform_xy(area, background, rng), cluster])
                cells, resolution = test_cells(xy, area)
                lon_lat = gpd.GeoSeries(gpd.points_from_xy([centre[0]], [centre[1]]),
                                        crs="EPSG:27700").to_crs("EPSG:4326").iloc[0]
                near = set(h3.grid_disk(h3.latlng_to_cell(lon_lat.y, lon_lat.x, resolution), 1))
                hot = cells.loc[cells["hotspot"].str.startswith("hot_"), "cell_id"]
                found += bool(near & set(hot))
                busiest.append(int(cells.loc[cells["cell_id"].isin(near),
                                             "neighbourhood_reports"].max()))
            rows.append({"area": name, "cluster": size, "background": background,
                         "resolution": resolution, "found": found, "trials": trials,
                         "busiest": busiest})
            _say(f"detection {name} {size} over {background}: {found}/{trials}")
    return rows


def busiest_by_chance(areas: dict[str, shapely.Geometry], reports: int, counts: Iterable[int],
                      draws: int, seed: int = 11) -> list[dict[str, object]]:
    """Return how often reports spread at random put ``k`` or more in some neighbourhood.

    ``reports`` fall independently over each study area (each hexagon weighted by its
    share inside it, as the test weighs it), ``draws`` times, at the hexagon size the
    product chooses; each draw's busiest neighbourhood (a hexagon and its six around it)
    is kept. Any test that marks a neighbourhood of ``k`` reports hot is fooled at least
    that often by chance alone: a bound on how small a cluster can be found, whatever the
    method.
    """
    rows = []
    rng = np.random.default_rng(seed)
    for name, area in areas.items():
        resolution = choose_resolution(reports, area).resolution
        cells = area_counts(cells_of(uniform_xy(area, reports, rng), resolution),
                            resolution=resolution, area=area)
        weight = cells["area_share"].to_numpy(dtype=float)
        neighbourhoods = _neighbourhoods(tuple(cells["cell_id"].astype(str)))
        spread = rng.multinomial(reports, weight / weight.sum(), size=draws)
        busiest = np.asarray((neighbourhoods @ spread.T).max(axis=0)).ravel()
        expected = reports * float(np.median(neighbourhoods @ weight)) / weight.sum()
        for k in counts:
            rows.append({"area": name, "reports": reports, "resolution": resolution,
                         "expected": expected, "count": k,
                         "share": float((busiest >= k).mean()), "draws": draws})
        _say(f"busiest by chance {name} {reports}: done")
    return rows


SIZE_NAMES = {8: "920 m", 9: "350 m", 10: "130 m"}


def report(calibrated: list[dict[str, object]], detected: list[dict[str, object]],
           *, seeds: int, trials: int) -> str:
    """Return both tables as Markdown, with the targets judged."""
    lines = [
        "### Hot spot calibration: reports scattered at random",
        "",
        (f"Share of the study area's hexagons marked hot (any level) with no cluster at "
         f"all, over {seeds} seeds; target at most 1% in every row. The last column judges "
         "the same data by the normal approximation of Gi* used before this change."),
        "",
        ("| study area | reports | hexagons | largest share hot | mean | seeds with any hot "
         "| target | normal approximation, largest share |"),
        "|---|---:|---|---:|---:|---:|---|---:|",
    ]
    for row in calibrated:
        ok = float(row["max_share"]) <= 0.01  # type: ignore[arg-type]
        sizes = ", ".join(SIZE_NAMES.get(r, str(r)) for r in row["resolution"])  # type: ignore[attr-defined]
        lines.append(
            f"| {row['area']} | {row['reports']:,} | {sizes} | "
            f"{100 * float(row['max_share']):.3f}% | {100 * float(row['mean_share']):.4f}% | "  # type: ignore[arg-type]
            f"{row['seeds_with_hot']}/{row['seeds']} | {'PASS' if ok else 'MISS'} | "
            f"{100 * float(row['normal_max_share']):.2f}% |"  # type: ignore[arg-type]
        )
    lines += [
        "",
        "### Hot spot detection: small clusters over a sparse background",
        "",
        (f"A cluster of reports within 150 m of a random point, over a background scattered "
         f"at random; found when its hexagon or a neighbour is marked hot; {trials} trials "
         "each. Aim: at least 90% for 8 reports over 300."),
        "",
        ("| study area | cluster | background | hexagons | found | aim "
         "| busiest neighbourhood at the cluster: median (least to most) |"),
        "|---|---:|---:|---|---:|---|---|",
    ]
    for row in detected:
        rate = int(row["found"]) / int(row["trials"])  # type: ignore[call-overload]
        aim = ("PASS" if rate >= 0.9 else "MISS") if row["cluster"] == 8 else ""
        lines.append(
            f"| {row['area']} | {row['cluster']} | {row['background']:,} | "
            f"{SIZE_NAMES.get(int(row['resolution']), row['resolution'])} | "  # type: ignore[call-overload]
            f"{100 * rate:.0f}% ({row['found']}/{row['trials']}) | {aim} | "
            f"{_spread(row['busiest'])} |"  # type: ignore[arg-type]
        )
    return "\n".join(lines) + "\n"


def _spread(values: list[int]) -> str:
    """Return "median (least to most)" of counts, e.g. "9 (7 to 12)"."""
    if not values:
        return "-"
    return f"{float(np.median(values)):g} ({min(values)} to {max(values)})"


def chance_report(rows: list[dict[str, object]]) -> str:
    """Return the busiest-neighbourhood-by-chance table as Markdown."""
    if not rows:
        return ""
    lines = [
        "",
        "### How busy is the busiest neighbourhood by chance alone?",
        "",
        (f"{rows[0]['reports']:,} reports scattered at random, {rows[0]['draws']:,} times: "
         "the share of maps in which some neighbourhood (a hexagon and its six around it) "
         "holds at least k reports. A cluster that puts only k reports in one "
         "neighbourhood cannot be told from chance more often than this allows."),
        "",
        ("| study area | hexagons | expected in a neighbourhood | k "
         "| maps with k or more somewhere |"),
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['area']} | {SIZE_NAMES.get(int(row['resolution']), row['resolution'])} | "  # type: ignore[call-overload]
            f"{float(row['expected']):.2f} | {row['count']} | "  # type: ignore[arg-type]
            f"{100 * float(row['share']):.1f}% |"  # type: ignore[arg-type]
        )
    return "\n".join(lines) + "\n"


def write_between_markers(path: Path, text: str) -> None:
    """Replace the text between the calibration markers in ``path`` (or append them)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{BEGIN}\n{text}{END}"
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run both tables and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--areas", nargs="+", choices=list(AREAS), default=list(AREAS))
    parser.add_argument("--volumes", nargs="+", type=int, default=list(VOLUMES))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--clusters", nargs="+", type=int, default=list(CLUSTERS))
    parser.add_argument("--background", type=int, default=300)
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--draws", type=int, default=4000,
                        help="random maps for the busiest-by-chance table (0: none)")
    parser.add_argument("--out", type=Path, help="Markdown file to write the tables into")
    args = parser.parse_args(argv)
    areas = study_areas(args.areas)
    started = time.perf_counter()
    calibrated = calibration(areas, args.volumes, args.seeds)
    detected = detection(areas, args.background, args.clusters, args.trials)
    chance = busiest_by_chance(
        {name: area for name, area in areas.items() if name == "Watford"},
        args.background + 8, range(6, 11), args.draws,
    ) if args.draws else []
    text = report(calibrated, detected, seeds=args.seeds, trials=args.trials)
    text += chance_report(chance)
    text += f"\nRun took {time.perf_counter() - started:.0f} s on this machine.\n"
    sys.stdout.write(text)
    if args.out is not None:
        write_between_markers(args.out, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
