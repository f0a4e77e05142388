"""Start every map the same way: assets, tiles, bounds and a legend control."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from geodata import MAP_CRS
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
        tiles, attribution = tiles_for(settings.tiles, mode)
        return cls(assets=mode, tiles=tiles, tiles_attribution=attribution)


def new_map(bounds_of: gpd.GeoDataFrame, style: MapStyle) -> folium.Map:
    """Return an empty map fitted to the bounds of ``bounds_of`` (any CRS)."""
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
    if style.tiles is None:
        _PlainBackground().add_to(m)
    return m


class _PlainBackground(MacroElement):
    """Paint a map with no tiles off-white, so grey "not selected" areas stand out."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().style.background = "#fbfbf8";
        {% endmacro %}
        """
    )


def finish_map(m: folium.Map, style: MapStyle) -> folium.Map:
    """Point the finished map's scripts at the configured assets."""
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
