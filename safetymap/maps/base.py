"""Start every map the same way: assets, tiles, bounds, place names and a legend control."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geodata import MAP_CRS, load_towns
from safetymap.maps.assets import AssetMode, apply_assets, resolve_mode, tiles_for
from safetymap.settings import Settings

#: Attribution shown on every map that draws the shipped boundaries.
BOUNDARY_ATTRIBUTION = (
    "Boundaries: ONS, OGL v3. Contains OS data © Crown copyright and database right 2021"
)


@dataclass(frozen=True)
class MapStyle:
    """Where a map loads its assets and tiles from; built once from the settings."""

    assets: AssetMode = "cdn"
    tiles: str | None = "OpenStreetMap"
    tiles_attribution: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MapStyle:
        """Return the style the settings ask for."""
        mode = resolve_mode(settings.map_assets)
        tiles, attribution = tiles_for(settings.tiles)
        return cls(assets=mode, tiles=tiles, tiles_attribution=attribution)


def new_map(
    bounds_of: gpd.GeoDataFrame,
    style: MapStyle,
    *,
    place_names: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Return an empty map fitted to the bounds of ``bounds_of`` (any CRS).

    Parameters
    ----------
    bounds_of
        The area the map opens on: the chosen districts, or all of them.
    style
        Where the map loads its assets and tiles from.
    place_names
        Districts (``code``, ``name``, ``geometry``) whose names, and the names of the towns
        in and around them, are drawn on the map (:func:`add_place_names`), so that it
        orients without tiles; None draws no names.
    """
    west, south, east, north = bounds_of.to_crs(MAP_CRS).total_bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=10,
        control_scale=True,
        tiles=style.tiles,
        attr=style.tiles_attribution,
        # fractional zoom lets the county fill the frame instead of the next whole level
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    m.fit_bounds([[south, west], [north, east]])
    # Painted under the tiles too: where the browser cannot reach the tile server, the map
    # looks the same as one drawn without tiles, not a grey void.
    _PlainBackground().add_to(m)
    # A long attribution wraps upwards within the right-hand part of the map instead of
    # running over the scale bar in the bottom-left corner.
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(_ATTRIBUTION_CSS), name="safetymap_css")
    if place_names is not None:
        add_place_names(m, place_label_points(place_names, bounds_of))
    return m


_ATTRIBUTION_CSS = (
    "<style>.leaflet-control-attribution{max-width:calc(100vw - 140px);"
    "white-space:normal;text-align:right;line-height:1.3}</style>"
)


#: Decimal places of longitude and latitude drawn on maps: 6 is about 0.1 m, far finer than
#: any shape drawn, and a third of the page a full double takes.
COORDINATE_DECIMALS = 6


def feature_collection(frame: gpd.GeoDataFrame, fields: Sequence[str]) -> dict[str, object]:
    """Return ``frame`` as a GeoJSON FeatureCollection in WGS84, for a ``folium.GeoJson``.

    Only ``fields`` go into each feature's properties, coordinates rounded to
    :data:`COORDINATE_DECIMALS`. Made column by column (shapely writes the geometries in
    one call), not row by row as ``GeoDataFrame.__geo_interface__`` does, which folium
    also writes and reads back once more: at 2,000 hexagons that took a third of a second
    of each filter change.

    Parameters
    ----------
    frame
        Shapes in any CRS, none missing.
    fields
        Columns to carry as properties (values turned into plain Python by numpy).
    """
    if frame.crs is None:
        raise ValueError("`frame` must have a CRS to be drawn on a map, got none")
    shapes = shapely.transform(
        frame.to_crs(MAP_CRS).geometry.to_numpy(),
        lambda xy: xy.round(COORDINATE_DECIMALS),
    )
    if shapely.is_missing(shapes).any():
        raise ValueError("`frame` has a row with no shape; every row needs one to be drawn")
    geometries = [json.loads(text) for text in shapely.to_geojson(shapes).tolist()]
    columns = [frame[field].to_numpy(dtype=object).tolist() for field in fields]
    features = [
        {"type": "Feature", "id": str(number), "geometry": geometry,
         "properties": dict(zip(fields, values, strict=True))}
        for number, (geometry, *values) in enumerate(zip(geometries, *columns, strict=True))
    ]
    return {"type": "FeatureCollection", "features": features}


class _PlainBackground(MacroElement):
    """Paint the map's background off-white, so grey "not selected" areas stand out."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().style.background = "#fbfbf8";
        {% endmacro %}
        """
    )


#: The frame a map is usually drawn in (pixels), to judge which names fit side by side.
_FRAME_PX = (720, 560)
#: Towns named when the map shows more than this many square kilometres (about two
#: districts), and the smallest town named then; closer in, smaller towns are named too.
_WIDE_VIEW_KM2 = 400.0
_WIDE_VIEW_MIN_POPULATION = 15_000
_CLOSE_VIEW_MIN_POPULATION = 5_000
#: Rough size of a letter of a place name, in pixels (13 px bold, 12 px plain).
_LETTER_PX = {"district": 8.0, "town": 6.5}
_LINE_PX = 18.0
#: Towns of this many people or more are named before the districts, so a district's name
#: moves aside for them.
_MAIN_TOWN_POPULATION = 40_000


def _spots_inside(shape: shapely.Geometry) -> list[tuple[float, float]]:
    """Return points inside ``shape`` to put its name at, the most central first."""
    centre = shape.representative_point()
    west, south, east, north = shape.bounds
    grid = [
        shapely.Point(west + (east - west) * i / 8, south + (north - south) * j / 8)
        for i in range(1, 8) for j in range(1, 8)
    ]
    inner = shape.buffer(-min(east - west, north - south) / 10)
    inside = sorted((p for p in grid if inner.contains(p)), key=centre.distance)
    return [(centre.x, centre.y)] + [(p.x, p.y) for p in inside]


def place_label_points(
    districts: gpd.GeoDataFrame,
    view: gpd.GeoDataFrame,
    towns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Choose the district and town names to draw, and where, so that they do not overlap.

    Towns of 40,000 people or more are named first; then every district, at the most
    central point inside it where its name overlaps none already placed (at its centre if
    there is no such point); then the smaller towns, largest first, each only where its name
    overlaps none already placed. Overlap is judged at the scale the map opens at (``view``
    fitted to a frame of about 720 by 560 pixels). A town that shares its
    district's name (Watford, Stevenage) is named once, as the district. A view wider than
    about two districts names towns of 15,000 people or more; a closer one, of 5,000 or more.

    Parameters
    ----------
    districts
        ``code``, ``name`` and ``geometry`` of the districts to name (any CRS).
    view
        The area the map opens on (any CRS).
    towns
        ``name``, ``latitude``, ``longitude``, ``population`` of towns;
        :func:`geodata.load_towns` when None.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``kind`` (``district`` or ``town``), ``latitude``, ``longitude``, in the
        order placed.
    """
    metric = districts.to_crs("EPSG:27700")
    west, south, east, north = view.to_crs("EPSG:27700").total_bounds
    metres_per_px = max((east - west) / _FRAME_PX[0], (north - south) / _FRAME_PX[1], 1.0)
    wide = (east - west) * (north - south) / 1e6 > _WIDE_VIEW_KM2
    towns = load_towns() if towns is None else towns
    smallest = _WIDE_VIEW_MIN_POPULATION if wide else _CLOSE_VIEW_MIN_POPULATION
    district_names = {str(name).casefold() for name in metric["name"]}
    chosen_towns = towns[
        (towns["population"] >= smallest)
        & ~towns["name"].astype(str).str.casefold().isin(district_names)
    ].sort_values("population", ascending=False, kind="stable")
    town_points = gpd.GeoSeries(
        gpd.points_from_xy(chosen_towns["longitude"], chosen_towns["latitude"]), crs=MAP_CRS
    ).to_crs("EPSG:27700")

    def box_of(name: str, kind: str, x: float, y: float) -> tuple[float, float, float, float]:
        half_width = len(name) * _LETTER_PX[kind] * metres_per_px / 2
        half_height = _LINE_PX * metres_per_px / 2
        return (x - half_width, y - half_height, x + half_width, y + half_height)

    placed: list[tuple[str, str, float, float]] = []
    boxes: list[tuple[float, float, float, float]] = []

    def clear(box: tuple[float, float, float, float]) -> bool:
        return not any(
            box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
            for other in boxes
        )

    def place_town(name: str, x: float, y: float) -> None:
        box = box_of(name, "town", x, y)
        if clear(box):
            placed.append((name, "town", x, y))
            boxes.append(box)

    towns_xy = list(zip(chosen_towns["name"].astype(str), chosen_towns["population"],
                        town_points.x, town_points.y, strict=True))
    # The big towns first, as a sergeant knows them; then each district's name at the first
    # point inside it clear of them; then the smaller towns where there is room.
    for name, population, x, y in towns_xy:
        if population >= _MAIN_TOWN_POPULATION:
            place_town(name, x, y)
    for name, shape in zip(metric["name"].astype(str), metric.geometry, strict=True):
        spots = _spots_inside(shape)
        chosen = next(
            (spot for spot in spots if clear(box_of(name, "district", *spot))), spots[0]
        )
        placed.append((name, "district", *chosen))
        boxes.append(box_of(name, "district", *chosen))
    for name, population, x, y in towns_xy:
        if population < _MAIN_TOWN_POPULATION:
            place_town(name, x, y)
    frame = pd.DataFrame(placed, columns=["name", "kind", "x", "y"])
    points = gpd.GeoSeries(
        gpd.points_from_xy(frame["x"], frame["y"]), crs="EPSG:27700"
    ).to_crs(MAP_CRS)
    return pd.DataFrame({
        "name": frame["name"],
        "kind": frame["kind"],
        "latitude": points.y.round(5).to_numpy(),
        "longitude": points.x.round(5).to_numpy(),
    })


def add_place_names(m: folium.Map, labels: pd.DataFrame) -> folium.Map:
    """Draw place names on ``m`` as plain text, above the shading and below the markers.

    The names are handed to the browser as JSON and set as each label's text, never as
    markup, so a name cannot inject anything; they take no clicks and no keyboard focus.

    Parameters
    ----------
    m
        The map.
    labels
        :func:`place_label_points` output.
    """
    _PlaceNames(
        [
            [str(name), str(kind), float(lat), float(lon)]
            for name, kind, lat, lon in labels[
                ["name", "kind", "latitude", "longitude"]
            ].itertuples(index=False)
        ]
    ).add_to(m)
    return m


class _PlaceNames(MacroElement):
    """District and town names as text labels in a pane of their own."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane("safetymapPlaces");
            pane.style.zIndex = 550;
            pane.style.pointerEvents = "none";
            {{ this.names_json }}.forEach(function (place) {
                var text = document.createElement("div");
                text.className = "safetymap-place safetymap-place-" + place[1];
                text.textContent = place[0];
                text.style.cssText = "position:absolute;transform:translate(-50%,-50%);"
                    + "white-space:nowrap;color:#1a1a1a;pointer-events:none;"
                    + "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff;"
                    + (place[1] === "district"
                       ? "font:bold 13px/1.2 sans-serif;letter-spacing:0.02em"
                       : "font:12px/1.2 sans-serif;color:#333");
                new L.Marker([place[2], place[3]], {
                    icon: L.divIcon({html: text, className: "", iconSize: [0, 0]}),
                    interactive: false, keyboard: false, pane: "safetymapPlaces",
                }).addTo(map);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, names: list[list[str | float]]) -> None:
        super().__init__()
        self._name = "PlaceNames"
        # As \u escapes, "<", ">" and "&" can never close the script element or read as
        # markup, whatever a name holds.
        self.names_json = (
            json.dumps(names, ensure_ascii=False)
            .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        )


class MapAccess(MacroElement):
    """Name the map's frame and keep its shapes out of the keyboard's way.

    The frame a map is drawn in gets ``title`` (a screen reader announces it; the
    component's own name, "streamlit_folium.st_folium", says nothing), and every shape and
    marker is taken out of the tab order (``tabindex=-1``): one Tab reaches the map, whose
    arrow keys pan and +/- zoom (Leaflet's keyboard control), and the next leaves it. The
    shapes' figures are in the table beside every map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            try {
                if (window.frameElement) {
                    window.frameElement.setAttribute("title", {{ this.title_json }});
                }
            } catch (error) {}  // a frame of another origin: nothing to name
            function untab() {
                var found = map.getContainer().querySelectorAll(
                    ".leaflet-interactive, .leaflet-marker-icon");
                for (var i = 0; i < found.length; i++) {
                    found[i].setAttribute("tabindex", "-1");
                    found[i].setAttribute("focusable", "false");
                }
            }
            map.whenReady(untab);
            map.on("layeradd", function () { setTimeout(untab, 0); });
            setTimeout(untab, 0);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "MapAccess"
        self.title_json = json.dumps(title, ensure_ascii=False).replace("</", "<\\/")


def finish_map(m: folium.Map, style: MapStyle, *, title: str = "Interactive map") -> folium.Map:
    """Point the finished map's scripts at the configured assets; name its frame ``title``
    and keep its shapes out of the tab order (:class:`MapAccess`)."""
    MapAccess(title).add_to(m)
    return apply_assets(m, mode=style.assets)


class Legend(MacroElement):
    """A legend drawn as a Leaflet control; every text in it is escaped here."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "safetymap-legend");
                div.style.background = "white";
                div.style.padding = "6px 8px";
                div.style.maxWidth = "240px";
                div.style.font = "13px/1.4 sans-serif";
                div.style.boxShadow = "0 0 4px rgba(0,0,0,0.3)";
                div.innerHTML = {{ this.html_json }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
            {% if this.attribution_json %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution(
                {{ this.attribution_json }});
            {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, title: str, rows: list[tuple[str, str]], note: str = "", *,
        position: str = "topright", attribution: str = "",
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.attribution_json = (
            json.dumps(html.escape(attribution), ensure_ascii=False).replace("</", "<\\/")
            if attribution else ""
        )
        parts = [f"<strong>{html.escape(title)}</strong>"]
        for colour, label in rows:
            swatch = (
                f'<span style="display:inline-block;width:14px;height:14px;'
                f'background:{html.escape(colour)};border:1px solid #555;'
                f'margin-right:6px;vertical-align:middle"></span>'
            )
            parts.append(f"<div>{swatch}{html.escape(label)}</div>")
        if note:
            parts.append(f'<div style="margin-top:4px;color:#444">{html.escape(note)}</div>')
        # "<\/" keeps the markup from ever closing the surrounding script element.
        self.html_json = json.dumps("".join(parts), ensure_ascii=False).replace("</", "<\\/")
