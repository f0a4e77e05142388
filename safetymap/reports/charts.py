"""Draw the static map and charts of the printable reports, as PNG bytes.

Every function builds its own :class:`matplotlib.figure.Figure` on an explicit Agg canvas:
no pyplot, no global backend switch, no display, nothing shared between calls, so the
functions are safe in a web server and give the same bytes for the same input. Text from
the data is cleaned with :func:`safetymap.reports.printable` before it is drawn.

Meaning is never carried by colour alone: hot spot classes have words in the legend and
numbers on the map, cold spots are dotted as well as blue, the when-matrix prints its
counts, and bars carry their values.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from geodata import ANALYSIS_CRS, MAP_CRS
from safetymap.analysis.hotspots import WEEKDAYS
from safetymap.disclosure import is_shown
from safetymap.maps.base import BOUNDARY_ATTRIBUTION
from safetymap.maps.hotspots import COUNT_FILL, HOTSPOT_STYLE
from safetymap.reports import period_text, printable

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from safetymap.analysis.patrol import HotspotAnalysis

__all__ = [
    "DPI",
    "MAP_ATTRIBUTION",
    "bar_png",
    "hotspot_map_png",
    "trend_png",
    "when_matrix_png",
]

#: Resolution of every PNG: sharp when printed 18 cm wide.
DPI = 200
#: Attribution printed on every map (the boundaries are ONS's, from OS data).
MAP_ATTRIBUTION = BOUNDARY_ATTRIBUTION
#: Sequential, colour-blind-safe and monotonic in lightness (prints as a grey ramp);
#: reversed so that more reports are darker, as on the Hotspots page.
WHEN_COLORMAP = "viridis_r"
#: One colour for bars and lines: the values are read from the axis and the labels.
BAR_COLOUR = "#35608d"
#: Cells with reports but no significant class: very light, so hot spots stand out.
QUIET_FILL = HOTSPOT_STYLE["none"][0]
QUIET_EDGE = "#c8c8c8"

_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "svg.hashsalt": "safetymap",
}
_HOT = ("hot_99", "hot_95", "hot_90")
_COLD = ("cold_90", "cold_95", "cold_99")


def _png(figure: Figure) -> bytes:
    """Render a figure with the Agg canvas and return PNG bytes (no timestamp)."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white",
                   metadata={"Software": None})
    return buffer.getvalue()


# ---------------------------------------------------------------------------- the map
def _fill_limits(
    bounds: tuple[float, float, float, float], aspect: float, *, pad: float = 0.04
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return x and y limits around ``bounds`` with width / height equal to ``aspect``."""
    minx, miny, maxx, maxy = bounds
    width, height = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    width, height = width * (1 + 2 * pad), height * (1 + 2 * pad)
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return (cx - width / 2, cx + width / 2), (cy - height / 2, cy + height / 2)


def _nice_length(span_m: float) -> float:
    """Return a round scale-bar length near a fifth of the map's width, in metres."""
    target = span_m / 5
    for length in (250, 500, 1000, 2000, 5000, 10_000, 20_000):
        if length >= target * 0.7:
            return float(length)
    return 50_000.0


def _scale_bar(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    length = _nice_length(xlim[1] - xlim[0])
    x0 = xlim[0] + (xlim[1] - xlim[0]) * 0.03
    y0 = ylim[0] + (ylim[1] - ylim[0]) * 0.04
    height = (ylim[1] - ylim[0]) * 0.012
    for part in range(2):  # two halves, black and white, like a printed map's bar
        ax.add_patch(Rectangle((x0 + part * length / 2, y0), length / 2, height,
                               facecolor="black" if part == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=6))
    words = f"{length / 1000:g} km"
    ax.text(x0 + length / 2, y0 + height * 1.8, words, ha="center", va="bottom",
            fontsize=6.5, zorder=6,
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.8})


def _north_arrow(ax: Axes) -> None:
    # British National Grid north is within a degree of true north in Hertfordshire.
    ax.annotate(
        "N", xy=(0.965, 0.955), xytext=(0.965, 0.87), xycoords="axes fraction",
        ha="center", va="center", fontsize=8, fontweight="bold", zorder=6,
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.0},
        bbox={"boxstyle": "circle,pad=0.15", "facecolor": "white", "edgecolor": "none"},
    )


def _label_positions(
    ax: Axes, points: np.ndarray, radius_px: float
) -> list[tuple[float, float]]:
    """Place one round label per point, nudging a label off any earlier one it would hide.

    Labels are placed in rank order; each tries its own point first, then rings of eight
    directions further out, and takes the first spot clear of the labels already placed.
    """
    placed: list[np.ndarray] = []
    result: list[tuple[float, float]] = []
    inverse = ax.transData.inverted()
    directions = [(math.cos(a), math.sin(a)) for a in np.linspace(0, 2 * math.pi, 9)[:-1]]
    for point in ax.transData.transform(points) if len(points) else []:
        candidates = [point] + [
            point + np.array(d) * radius_px * ring for ring in (2.2, 3.4, 4.6)
            for d in directions
        ]
        chosen = next(
            (c for c in candidates
             if all(np.hypot(*(c - other)) >= 2.1 * radius_px for other in placed)),
            candidates[-1],
        )
        placed.append(np.asarray(chosen))
        x, y = inverse.transform(chosen)
        result.append((float(x), float(y)))
    return result


#: A close-up panel is drawn when the top places fit in this share of the main map's width.
CLOSE_UP_SHARE = 0.4


def _draw_panel(
    ax: Axes,
    outlines: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    focus: str | None,
    reliable: bool,
    view: tuple[tuple[float, float], tuple[float, float]],
    names: bool,
) -> None:
    """Draw districts and cells in ``ax``, limited to ``view`` (x limits, y limits).

    ``names`` writes the names of the other districts in view.
    """
    xlim, ylim = view
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                           edgecolor="#444444", linewidth=0.6, zorder=7))
    focus_shape = outlines[outlines["code"] == focus]
    others = outlines[outlines["code"] != focus]
    # Around the district briefed, the others are greyed so that it stands out.
    others.plot(ax=ax, facecolor="#eeeeee" if focus is not None else "white",
                edgecolor="none", zorder=1)
    focus_shape.plot(ax=ax, facecolor="white", edgecolor="none", zorder=1)
    if reliable:
        quiet = cells[~cells["hotspot"].isin((*_HOT, *_COLD))]
        quiet.plot(ax=ax, facecolor=QUIET_FILL, edgecolor=QUIET_EDGE, linewidth=0.25,
                   zorder=2)
        for name in (*_COLD, *reversed(_HOT)):
            chosen = cells[cells["hotspot"] == name]
            if len(chosen):
                chosen.plot(ax=ax, facecolor=HOTSPOT_STYLE[name][0], edgecolor="#333333",
                            linewidth=0.35, hatch="...." if name in _COLD else None, zorder=3)
    else:
        cells.plot(ax=ax, facecolor=COUNT_FILL, edgecolor="#8a8a8a", linewidth=0.25, zorder=2)
    outlines.plot(ax=ax, facecolor="none", edgecolor="#8a8a8a", linewidth=0.6, zorder=4)
    if focus is not None:
        focus_shape.plot(ax=ax, facecolor="none", edgecolor="black", linewidth=1.8, zorder=5)
    frame = shapely.box(xlim[0], ylim[0], xlim[1], ylim[1])
    for code, name, shape in zip(outlines["code"], outlines["name"], outlines.geometry,
                                 strict=True):
        if code == focus or not names:
            continue
        inside = shape.intersection(frame)
        if inside.is_empty or inside.area < 0.04 * frame.area:
            continue
        anchor = inside.representative_point()
        ax.text(anchor.x, anchor.y, printable(name), ha="center", va="center", fontsize=7,
                color="#555555", fontstyle="italic", zorder=4)
    _scale_bar(ax, xlim, ylim)


def _draw_places(ax: Axes, figure: Figure, places: pd.DataFrame) -> None:
    """Write each top place's rank in a circle at its hexagon, nudged clear of the others."""
    grid = gpd.GeoSeries(
        gpd.points_from_xy(places["longitude"], places["latitude"]), crs=MAP_CRS
    ).to_crs(ANALYSIS_CRS)
    points = np.column_stack([grid.x.to_numpy(), grid.y.to_numpy()])
    FigureCanvasAgg(figure)  # data-to-pixel transforms need the final figure size
    spots = _label_positions(ax, points, 6.0 * DPI / 72)
    for (x, y), (px, py), rank in zip(spots, points, places["rank"], strict=True):
        if (x, y) != (px, py):
            ax.plot([px, x], [py, y], color="black", linewidth=0.7, zorder=8)
            ax.plot([px], [py], marker="o", markersize=1.8, color="black", zorder=8)
        ax.text(x, y, str(int(rank)), ha="center", va="center", fontsize=7,
                fontweight="bold", zorder=9,
                bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white",
                      "edgecolor": "black", "linewidth": 0.8})


def _close_up_bounds(
    cells: gpd.GeoDataFrame, places: pd.DataFrame
) -> tuple[float, float, float, float] | None:
    """Return the bounds of the top places' centres and a hexagon around them, or None."""
    if places.empty or cells.empty:
        return None
    centres = gpd.GeoSeries(
        gpd.points_from_xy(places["longitude"], places["latitude"]), crs=MAP_CRS
    ).to_crs(cells.crs)
    minx, miny, maxx, maxy = (float(v) for v in centres.total_bounds)
    width = float(np.sqrt(cells.geometry.area.mean()))  # about one hexagon
    return minx - width, miny - width, maxx + width, maxy + width


def hotspot_map_png(
    analysis: HotspotAnalysis,
    districts: gpd.GeoDataFrame,
    *,
    focus: str | None = None,
    title: str | None = None,
    width_in: float = 7.2,
    height_in: float = 5.0,
) -> bytes:
    """Draw the hot spots of an analysis on district outlines, with the top places numbered.

    When the top places sit close together (within :data:`CLOSE_UP_SHARE` of the map's
    width), a close-up of them is drawn beside the whole area, its extent outlined on the
    whole-area panel, and the numbers go on the close-up.

    Parameters
    ----------
    analysis
        :func:`safetymap.analysis.patrol.analyse_hotspots` output.
    districts
        District outlines with ``code`` and ``name`` (any CRS; drawn in EPSG:27700).
    focus
        Code of a district to draw bold and zoom to; the whole of ``districts`` when None.
    title
        Title above the map; by default says what and when.
    width_in, height_in
        Size of the picture in inches.

    Returns
    -------
    bytes
        A PNG: hot (and dotted cold) spot hexagons in :data:`HOTSPOT_STYLE` colours, the
        top places as numbered circles (``analysis.places["rank"]``), a legend in words,
        scale bars, a north arrow and the boundary attribution.
    """
    outlines = districts.to_crs(ANALYSIS_CRS)
    if focus is not None and focus not in set(outlines["code"]):
        raise ValueError(
            f"`focus` must be the code of one of `districts` "
            f"({', '.join(outlines['code'])}), got {focus!r}."
        )
    cells = analysis.cells_with_polygons().to_crs(ANALYSIS_CRS)
    reliable = analysis.result.reliable
    places = analysis.places
    area = outlines[outlines["code"] == focus] if focus is not None else outlines
    bottom, top = 0.14, 0.90  # legend below, title above
    with rc_context(_RC):
        figure = Figure(figsize=(width_in, height_in))
        minx, miny, maxx, maxy = (float(v) for v in area.total_bounds)
        whole = (minx, miny, maxx, maxy)
        close = _close_up_bounds(cells, places)
        panels = [((0.005, 0.99), whole)]
        if close is not None and max(close[2] - close[0], close[3] - close[1]) < (
            CLOSE_UP_SHARE * max(maxx - minx, maxy - miny)
        ):
            panels = [((0.005, 0.54), whole), ((0.555, 0.44), close)]
        split = len(panels) == 2
        axes = []
        for (left, width), bounds in panels:
            ax = figure.add_axes((left, bottom, width, top - bottom))
            aspect = (width * width_in) / ((top - bottom) * height_in)
            view = _fill_limits(bounds, aspect, pad=0.04 if bounds is whole else 0.0)
            _draw_panel(ax, outlines, cells, focus=focus, reliable=reliable, view=view,
                        names=bounds is whole)
            axes.append((ax, view))
        main_ax = axes[0][0]
        if split:
            close_ax, ((x0, x1), (y0, y1)) = axes[1]
            main_ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False,
                                        edgecolor="black", linewidth=1.0, linestyle="--",
                                        zorder=6))
            close_ax.set_title("Close-up of the top places (dashed box on the left)",
                               fontsize=8, loc="left", fontweight="normal")
            main_ax.set_title("Whole district" if focus is not None else "Whole area",
                              fontsize=8, loc="left", fontweight="normal")
            label_ax = close_ax
        else:
            label_ax = main_ax
        if not reliable:
            # Under the title, not on the map, where it would hide the area.
            figure.text(0.5, 0.94, "Too few reports (under 5) to test for hot spots: "
                        "hexagons with reports are shown in grey, untested",
                        ha="center", va="top", fontsize=7.5, fontstyle="italic")
        if len(places):
            _draw_places(label_ax, figure, places)
        _north_arrow(main_ax)
        last_ax = axes[-1][0]
        last_ax.text(0.995, 0.008, printable(MAP_ATTRIBUTION), transform=last_ax.transAxes,
                     ha="right", va="bottom", fontsize=4.5, color="#333333", zorder=8,
                     bbox={"boxstyle": "square,pad=0.2", "facecolor": "white",
                           "edgecolor": "none", "alpha": 0.85})

        handles: list[Patch | Line2D] = []
        if reliable:
            handles += [Patch(facecolor=HOTSPOT_STYLE[n][0], edgecolor="#333333",
                              label=HOTSPOT_STYLE[n][1]) for n in _HOT]
            handles += [Patch(facecolor=HOTSPOT_STYLE[n][0], edgecolor="#333333", hatch="....",
                              label=HOTSPOT_STYLE[n][1])
                        for n in _COLD if (cells["hotspot"] == n).any()]
            handles.append(Patch(facecolor=QUIET_FILL, edgecolor=QUIET_EDGE,
                                 label="Hexagon with reports, not a hot or cold spot"))
        else:
            handles.append(Patch(facecolor=COUNT_FILL, edgecolor="#8a8a8a",
                                 label="Hexagon with reports (not tested)"))
        if len(places):
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=8,
                                  markerfacecolor="white", markeredgecolor="black",
                                  label="Numbered circle: top place, as numbered in the list"))
        if focus is not None:
            handles.append(Line2D([], [], color="black", linewidth=1.8,
                                  label="Boundary of the district briefed"))
        figure.legend(handles=handles, loc="lower center", ncols=2, frameon=False,
                      bbox_to_anchor=(0.5, 0.0), handlelength=1.6, columnspacing=1.5,
                      borderaxespad=0.2)
        heading = title or "Hot spots of StreetSafe reports, " + period_text(analysis.period)
        figure.text(0.5, 0.99, printable(heading), ha="center", va="top", fontsize=10,
                    fontweight="bold")
        return _png(figure)


# ---------------------------------------------------------------------------- charts
def when_matrix_png(when: pd.DataFrame, *, title: str | None = None) -> bytes:
    """Draw the day-by-hour matrix of report counts as a heat map with the counts printed.

    Parameters
    ----------
    when
        :func:`safetymap.analysis.hotspots.when_matrix` output: 7 weekdays by 24 hours.
    title
        Title above the chart; by default says what it shows.
    """
    if when.shape != (7, 24):
        raise ValueError(f"`when` must be 7 days by 24 hours, got shape {when.shape}.")
    counts = when.to_numpy(dtype=float)
    top = counts.max() if counts.size else 0.0
    with rc_context(_RC):
        figure = Figure(figsize=(7.2, 2.9), layout="constrained")
        ax = figure.add_subplot()
        # Empty slots are white, not the lightest colour: "none" reads apart from "few".
        colormap = colormaps[WHEN_COLORMAP].with_extremes(bad="white")
        image = ax.imshow(np.ma.masked_equal(counts, 0), cmap=colormap, vmin=0,
                          vmax=max(top, 1.0), aspect="auto", interpolation="nearest")
        ax.set_xticks(np.arange(-0.5, 24), minor=True)
        ax.set_yticks(np.arange(-0.5, 7), minor=True)
        ax.grid(which="minor", color="#d0d0d0", linewidth=0.4)
        ax.tick_params(which="minor", length=0)
        ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
        ax.set_yticks(range(7), [printable(day) for day in WEEKDAYS])
        ax.set_xlabel("Hour of the day (local time; 21 = 21:00 to 21:59)")
        ax.tick_params(length=0)
        for row in range(7):
            for column in range(24):
                value = counts[row, column]
                if value == 0:
                    continue
                red, green, blue, _ = colormap(value / max(top, 1.0))
                light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
                ax.text(column, row, f"{int(value):,}", ha="center", va="center",
                        fontsize=5.5 if value < 1000 else 4.5,
                        color="black" if light else "white")
        colorbar = figure.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
        colorbar.set_label("Reports (white: none)")
        ax.set_title(printable(
            title or "When: reports by day of the week and hour of the day (darker = more)"
        ), loc="left")
        if top == 0:
            ax.text(11.5, 3, "No report with a time of the incident in this period",
                    ha="center", va="center", fontsize=9,
                    bbox={"facecolor": "white", "edgecolor": "black"})
        return _png(figure)


def _shown_values(
    values: Sequence[float], shown: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    """Return the values to draw (NaN where the text hides the number) and their texts."""
    numbers = np.asarray(values, dtype=float)
    if shown is None:
        texts = ["" if np.isnan(v) else f"{v:,.0f}" for v in numbers]
        return numbers, texts
    if len(shown) != len(numbers):
        raise ValueError(
            f"`shown` must give one text per value ({len(numbers)}), got {len(shown)}."
        )
    texts = [printable(text) for text in shown]
    hidden = np.array([not is_shown(text) for text in texts])
    return np.where(hidden, np.nan, numbers), texts


def trend_png(
    monthly: pd.DataFrame,
    *,
    shown: Sequence[str] | None = None,
    title: str = "StreetSafe reports per month",
) -> bytes:
    """Draw reports per month as a line with the count at each point.

    Parameters
    ----------
    monthly
        ``month`` (first day of each month) and ``reports``, as
        :func:`safetymap.reports.board_pack.monthly_trend` returns.
    shown
        The text of each month's count as the reader may see it (e.g. "<5"); a month whose
        text is not a number is left out of the line and its text printed at the foot.
    title
        Title above the chart.
    """
    values, texts = _shown_values(monthly["reports"].tolist(), shown)
    months = pd.to_datetime(monthly["month"])
    with rc_context(_RC):
        figure = Figure(figsize=(7.2, 2.6), layout="constrained")
        ax = figure.add_subplot()
        positions = np.arange(len(values))
        ax.plot(positions, values, color=BAR_COLOUR, linewidth=1.6, marker="o",
                markersize=3.5)
        top = np.nanmax(values) if np.isfinite(values).any() else 1.0
        ax.set_ylim(0, max(top, 1.0) * 1.22)
        for x, value, text in zip(positions.tolist(), values, texts, strict=True):
            if np.isnan(value):
                ax.text(x, max(top, 1.0) * 0.03, text, ha="center", va="bottom",
                        fontsize=6.5, fontstyle="italic")
            elif len(values) <= 24:
                ax.annotate(text, (x, value), xytext=(0, 4), textcoords="offset points",
                            ha="center", va="bottom", fontsize=6.5)
        step = max(1, math.ceil(len(values) / 18))
        ax.set_xticks(positions[::step],
                      [f"{m:%b}\n{m:%Y}" for m in months.iloc[::step]])
        ax.set_xlim(-0.6, max(len(values) - 0.4, 0.6))
        ax.set_ylabel("Reports")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(printable(title), loc="left")
        if not len(values):
            ax.text(0.5, 0.5, "No reports in this selection", transform=ax.transAxes,
                    ha="center", va="center")
        return _png(figure)


def bar_png(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    shown: Sequence[str] | None = None,
) -> bytes:
    """Draw horizontal bars, first label at the top, each bar with its value written.

    Parameters
    ----------
    labels
        Bar labels, in the order to read them (top first).
    values
        Bar lengths.
    title
        Title above the chart: what the bars show.
    xlabel
        What the length measures, with its unit.
    shown
        The text written beside each bar (e.g. "4.21", "<5", "hidden"); a bar whose text
        is not a number is not drawn, and the text is written in its place.
    """
    if len(labels) != len(values):
        raise ValueError(
            f"`labels` and `values` must be as long as each other, got {len(labels)} "
            f"and {len(values)}."
        )
    numbers, texts = _shown_values(values, shown)
    if shown is None:
        texts = [f"{v:,.2f}" if not np.isnan(v) and v != int(v) else t
                 for v, t in zip(numbers, texts, strict=True)]
    with rc_context(_RC):
        figure = Figure(figsize=(7.2, 0.7 + 0.2 * max(len(labels), 1)), layout="constrained")
        ax = figure.add_subplot()
        positions = np.arange(len(labels))
        ax.barh(positions, np.nan_to_num(numbers), color=BAR_COLOUR, height=0.65)
        top = np.nanmax(numbers) if np.isfinite(numbers).any() else 1.0
        ax.set_xlim(0, max(top, 1e-9) * 1.15)
        for y, value, text in zip(positions.tolist(), numbers, texts, strict=True):
            x = 0.0 if np.isnan(value) else value
            ax.text(x + max(top, 1e-9) * 0.01, y, text, va="center", fontsize=6.5,
                    fontstyle="italic" if np.isnan(value) else "normal")
        ax.set_yticks(positions, [printable(label) for label in labels])
        ax.invert_yaxis()
        ax.set_xlabel(printable(xlabel))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(printable(title), loc="left")
        return _png(figure)
