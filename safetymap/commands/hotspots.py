"""``safetymap hotspots`` and ``safetymap map``: the hotspot cells as data, or as a page."""

from __future__ import annotations

import argparse
import html
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from safetymap.commands import (
    EXIT_OK,
    UsageError,
    add_data_option,
    add_output_options,
    add_role_option,
    add_selection_options,
    filters_from_args,
    load_data,
    write_table,
)

if TYPE_CHECKING:
    import pandas as pd

    from loaders.counts import ReportCounts
    from safetymap.analysis.filters import Filters
    from safetymap.analysis.patrol import HotspotAnalysis
    from safetymap.roles import Role

#: Columns written by ``safetymap hotspots``, in order.
COLUMNS = ("cell_id", "district_code", "reports", "gi_z", "gi_p", "gi_q", "hotspot",
           "change", "latitude", "longitude")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``hotspots`` and ``map`` commands."""
    cells = commands.add_parser(
        "hotspots", help="hot and cold spots of the reports, per hexagon (exact test)"
    )
    add_data_option(cells)
    add_selection_options(cells)
    cells.add_argument("--resolution", type=int, default=None, choices=range(6, 12),
                       metavar="6-11", help="H3 resolution of the hexagons (8 ~920 m, 9 ~350 m, "
                       "10 ~130 m); chosen from the density of the reports when not given")
    cells.add_argument("--all-cells", action="store_true",
                       help="also write the empty, insignificant hexagons of the study area "
                       "(not for partners)")
    add_role_option(cells)
    add_output_options(cells, ("geojson", "csv"))
    cells.set_defaults(run=run_hotspots)

    page = commands.add_parser("map", help="write the hotspot map as one HTML page")
    add_data_option(page)
    add_selection_options(page)
    page.add_argument("--resolution", type=int, default=None, choices=range(6, 12),
                      metavar="6-11", help="as for hotspots: chosen from the data when not given")
    add_role_option(page)
    page.add_argument("--out", type=Path, required=True, help="the .html file to write")
    page.set_defaults(run=run_map)


def run_hotspots(args: argparse.Namespace) -> int:
    """Write the cells with ``cell_id``, ``district_code``, ``reports``, Gi* and class."""
    import h3

    from safetymap.analysis.exports import to_geojson_bytes
    from safetymap.analysis.hotspots import cell_polygons
    from safetymap.analysis.patrol import analyse_hotspots
    from safetymap.roles import SMALL_COUNT

    filters = filters_from_args(args)
    if args.role == "partner" and args.all_cells:
        raise UsageError("--all-cells: partners get the hot spots only (each with at least "
                           f"{SMALL_COUNT} reports around it), not every hexagon")
    _, reports = load_data(args.data)
    if args.role == "partner":
        return _partner_areas(args, reports, filters)
    analysis = analyse_hotspots(reports, filters, resolution=args.resolution)
    cells = analysis.result.cells
    if not analysis.result.reliable:
        print(f"notice: {analysis.result.message}", file=sys.stderr)
    print(f"notice: {analysis.scale.reason}", file=sys.stderr)
    print(f"notice: {analysis.comparison_note or _prediction(analysis, filters, args.role)}",
          file=sys.stderr)
    if not args.all_cells:
        cells = cells[(cells["reports"] > 0) | (cells["hotspot"] != "none")]
    cells = cells.merge(analysis.changes[["cell_id", "change"]], on="cell_id", how="left")
    cells["change"] = cells["change"].fillna("")
    centres = [h3.cell_to_latlng(cell) for cell in cells["cell_id"]]
    cells["latitude"] = [lat for lat, _ in centres]
    cells["longitude"] = [lon for _, lon in centres]
    table = cells[list(COLUMNS)]
    if filters.districts:
        print(f"notice: {_edge_note(table, filters.districts)}", file=sys.stderr)
    if args.format == "geojson":
        _write_geojson(to_geojson_bytes(cell_polygons(table)), args.out, f"{len(table):,} cells")
    else:
        write_table(table, fmt="csv", out=args.out)
    return EXIT_OK


def _write_geojson(data: bytes, out: Path | None, what: str) -> None:
    """Write GeoJSON to ``out``, or to standard output when None, saying what was written."""
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        out.write_bytes(data)
        print(f"Wrote {what} (geojson) to {out}.", file=sys.stderr)


#: Columns written by ``safetymap hotspots --role partner``: hot spot areas, not hexagons.
PARTNER_COLUMNS = ("area", "quarter", "reports", "area_km2", "latitude", "longitude")


def _partner_quarter(reports: ReportCounts, filters: Filters) -> tuple[date, date] | None:
    """Return the quarter partners get hot spots for, saying so (and that districts do
    not narrow the test) on standard error."""
    from safetymap.disclosure import partner_quarter, quarter_words

    quarter = partner_quarter(reports, filters.end)
    if quarter is not None:
        print(f"notice: partners get hot spot areas by calendar quarter, tested over the "
              f"whole county: {quarter_words(quarter)}"
              + (" (--district does not narrow it)." if filters.districts else "."),
              file=sys.stderr)
    return quarter


def _partner_areas(args: argparse.Namespace, reports: ReportCounts, filters: Filters) -> int:
    """Write the hot spot areas of a quarter, county-wide, as partners may see them."""
    import pandas as pd

    from safetymap.analysis.exports import to_geojson_bytes
    from safetymap.analysis.hotspots import PARTNER_RESOLUTION, hot_areas
    from safetymap.analysis.patrol import analyse_hotspots
    from safetymap.disclosure import partner_hotspot_filters, quarter_words
    from safetymap.roles import SMALL_COUNT

    quarter = _partner_quarter(reports, filters)
    analysis = analyse_hotspots(reports, partner_hotspot_filters(quarter),
                                resolution=PARTNER_RESOLUTION)
    cells = analysis.result.cells
    areas = hot_areas(cells if analysis.result.reliable else cells[:0])
    areas = areas.assign(
        quarter=quarter_words(quarter) if quarter else "",
        reports=f"{SMALL_COUNT} or more",
        area_km2=areas["area_km2"].round(1),
        latitude=areas["latitude"].round(4),
        longitude=areas["longitude"].round(4),
    )[[*PARTNER_COLUMNS, "geometry"]]
    print(f"notice: {len(areas)} hot spot area(s); each is hot hexagons with the six around "
          f"each, joined up, and holds {SMALL_COUNT} or more reports.", file=sys.stderr)
    if args.format == "geojson":
        _write_geojson(to_geojson_bytes(areas), args.out, f"{len(areas):,} areas")
    else:
        write_table(pd.DataFrame(areas.drop(columns="geometry")), fmt="csv", out=args.out)
    return EXIT_OK


def _map_title(filters: Filters, span: tuple[date, date] | None) -> str:
    """Return the map page's title: what, where and when ("... Watford, 1 Mar to 31 Mar 2026")."""
    from safetymap.analysis.patrol import area_name

    start = filters.start or (span[0] if span else None)
    end = filters.end or (span[1] if span else None)
    when = (
        f"{start:%-d %b %Y} to {end:%-d %b %Y}" if start and end
        else "no reports in the selection"
    )
    return f"Hot spots of StreetSafe reports: {area_name(filters.districts)}, {when}"


def _edge_note(table: pd.DataFrame, codes: tuple[str, ...]) -> str:
    """Say whether hexagons centred in a neighbouring district are among those written."""
    from geodata import DISTRICTS

    chosen = " and ".join(DISTRICTS[code] for code in codes)
    edge = int((~table["district_code"].isin(codes)).sum())
    if edge == 0:
        return (
            f"Every hexagon written has its centre in {chosen}: hexagons on its edge whose "
            "centre is in a neighbouring district are left out."
        )
    return (
        f"{edge:,} of the {len(table):,} hexagons written straddle the edge of {chosen} and "
        "have their centre in a neighbouring district (their district_code says which): "
        "they are kept, as part of the area tested. Keep the rows whose district_code is "
        f"{', '.join(codes)} to leave them out."
    )


def _prediction(analysis: HotspotAnalysis, filters: Filters, role: Role) -> str:
    """Say how well the previous period's hot spots caught this period's reports."""
    from safetymap.analysis.patrol import area_name, prediction_words

    if analysis.prediction is None:
        return "There is no period to compare with."
    return prediction_words(analysis.prediction, area_name(filters.districts), role)


def run_map(args: argparse.Namespace) -> int:
    """Write the hotspot map as a standalone HTML page."""
    from geodata import load_districts
    from safetymap.analysis.hotspots import PARTNER_RESOLUTION
    from safetymap.analysis.patrol import analyse_hotspots
    from safetymap.maps.assets import tiles_for
    from safetymap.maps.base import MapStyle
    from safetymap.maps.hotspots import hotspot_layer, hotspot_map
    from safetymap.maps.standalone import standalone_html
    from safetymap.settings import load_settings

    if args.out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out {args.out}: expected a file ending in .html")
    filters = filters_from_args(args)
    dataset, reports = load_data(args.data)
    resolution = args.resolution
    focus = filters.districts
    if args.role == "partner":  # by quarter, county-wide: as on the page and in `hotspots`
        from safetymap.disclosure import partner_hotspot_filters

        filters = partner_hotspot_filters(_partner_quarter(reports, filters))
        resolution = PARTNER_RESOLUTION
    analysis = analyse_hotspots(reports, filters, resolution=resolution)
    layer = hotspot_layer(analysis.result.cells, analysis.profiles, role=args.role,
                          reliable=analysis.result.reliable)
    tiles, attribution = tiles_for(load_settings().tiles)
    # The page's assets are chosen by standalone_html; its tiles follow SAFETYMAP_TILES.
    style = MapStyle(assets="cdn", tiles=tiles, tiles_attribution=attribution)
    m = hotspot_map(layer, load_districts(), style=style, role=args.role,
                    reliable=analysis.result.reliable, focus=focus)
    page, inline = standalone_html(m)
    title = _map_title(filters, reports.span(filters))
    heading = html.escape(title) + (
        " <strong>Synthetic demo data: not real reports</strong>" if dataset.synthetic else ""
    )
    page = page.replace("<head>", f"<head><title>{html.escape(title)}</title>", 1)
    page = page.replace("<body>", '<body><div style="position:fixed;top:0;left:50px;'
                        'right:50px;z-index:1000;background:#ffffff;padding:4px 8px;'
                        f'font:15px sans-serif;opacity:0.92">{heading}</div>', 1)
    args.out.write_text(page, encoding="utf-8")
    where = "inside the page" if inline else "from the jsDelivr CDN (run `safetymap assets`)"
    print(f"Wrote {args.out} ({len(page) / 1e6:.1f} MB); Leaflet loads {where}.",
          file=sys.stderr)
    return EXIT_OK
