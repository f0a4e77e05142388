"""The county map as a pure function: features, colours, tooltip text, legend, escaping."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from geodata import load_districts
from safetymap.analysis.rates import district_rates
from safetymap.maps.base import MapStyle
from safetymap.maps.districts import HIDDEN_FILL, NOT_SELECTED, RATE_COLOURS, district_rate_map

OFFLINE = MapStyle(assets="local", tiles=None)
PAYLOAD = "<img src=x onerror=alert(1)>"


def geojson_features(html: str) -> list[dict]:
    """Return the features of the GeoJSON layer in a rendered folium page."""
    start = html.index('{"bbox"') if '{"bbox"' in html else html.index('{"features"')
    data, _ = json.JSONDecoder().raw_decode(html[start:])
    return data["features"]


@pytest.fixture
def rates() -> pd.DataFrame:
    population = pd.DataFrame({"code": load_districts()["code"], "population": 1000})
    # Watford 5 reports, Dacorum 1, the rest 0 → per 1,000: 5.0, 1.0, 0.0
    reports = pd.DataFrame({"district_code": ["E07000103"] * 5 + ["E07000096"]})
    return district_rates(reports, population)


def test_ten_districts_shaded_by_rate_with_tooltip_figures(rates: pd.DataFrame) -> None:
    html = district_rate_map(load_districts(), rates, style=OFFLINE).get_root().render()
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert len(features) == 10
    # top 5.0 → classes of width 1.0: Watford (5.0) highest, Dacorum (1.0) second, rest lowest
    assert features["E07000103"]["fill"] == RATE_COLOURS[4]
    assert features["E07000096"]["fill"] == RATE_COLOURS[1]
    assert features["E07000240"]["fill"] == RATE_COLOURS[0]
    assert features["E07000103"]["reports_text"] == "5"
    assert features["E07000103"]["rate_text"] == "5.00"
    assert features["E07000103"]["label"] == "Watford"
    assert "Highest: 4.0 to 5.0" in html
    assert "Lowest: 0.0 to 1.0" in html
    assert "Contains OS data © Crown copyright" in html


def test_unselected_districts_are_grey(rates: pd.DataFrame) -> None:
    html = district_rate_map(
        load_districts(), rates, style=OFFLINE, selected=("E07000103", "E07000096")
    ).get_root().render()
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert features["E07000240"]["fill"] == NOT_SELECTED
    assert features["E07000240"]["rate_text"] == "not selected"
    assert features["E07000103"]["fill"] == RATE_COLOURS[4]
    assert "Not selected" in html


def test_district_names_are_escaped(rates: pd.DataFrame) -> None:
    districts = load_districts()
    districts.loc[districts["code"] == "E07000103", "name"] = PAYLOAD
    html = district_rate_map(districts, rates, style=OFFLINE).get_root().render()
    assert PAYLOAD not in html
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert features["E07000103"]["label"] == "&lt;img src=x onerror=alert(1)&gt;"


def test_offline_map_loads_nothing_from_outside(rates: pd.DataFrame) -> None:
    html = district_rate_map(load_districts(), rates, style=OFFLINE).get_root().render()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls == ["/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/leaflet/leaflet.css"]
    assert "tile.openstreetmap" not in html


def test_a_hidden_district_gets_no_colour_and_does_not_set_the_legend(
    rates: pd.DataFrame,
) -> None:
    # Watford's 5 (rate 5.0) hidden from a partner: the classes come from the shown rates
    # only (Dacorum 1.0 is the top: classes of width 0.2), so no colour or legend edge
    # tells Watford's rate.
    texts = dict.fromkeys(load_districts()["code"], "0")
    texts.update({"E07000103": "hidden", "E07000096": "1"})
    html = district_rate_map(load_districts(), rates, style=OFFLINE, role="partner",
                             reports_text=texts).get_root().render()
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert features["E07000103"]["fill"] == HIDDEN_FILL
    assert features["E07000103"]["reports_text"] == "hidden"
    assert features["E07000103"]["rate_text"] == "hidden"
    assert features["E07000096"]["fill"] == RATE_COLOURS[4]
    assert "Highest: 0.8 to 1.0" in html
    assert "4.0 to 5.0" not in html
    assert "Hidden (small numbers)" in html
