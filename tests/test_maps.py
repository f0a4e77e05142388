"""The county map as a pure function: features, colours, tooltip text, legend, escaping."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from geodata import load_districts
from safetymap.analysis.rates import district_rates
from safetymap.maps.base import MapStyle
from safetymap.maps.districts import (
    FIGURES_HIDDEN,
    HIDDEN_ROW,
    NOT_SELECTED,
    RATE_COLOURS,
    district_rate_map,
)

OFFLINE = MapStyle(assets="local", tiles=None)
PAYLOAD = "<img src=x onerror=alert(1)>"


def geojson_features(html: str) -> list[dict]:
    """Return the features of the GeoJSON layer in a rendered folium page."""
    start = html.index('{"bbox"') if '{"bbox"' in html else html.index('{"features"')
    data, _ = json.JSONDecoder().raw_decode(html[start:])
    return data["features"]


def legend_texts(html: str) -> list[str]:
    """Return the words of each legend row (after its colour swatch), top to bottom."""
    start = html.index("div.innerHTML = ") + len("div.innerHTML = ")
    markup, _ = json.JSONDecoder().raw_decode(html[start:])
    return re.findall(r"</span>([^<]+)</div>", markup.replace("<\\/", "</"))


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
    # three distinct rates (0, 1, 5) → three classes, on the lightest, middle and darkest
    # colours: Watford (5.0) high, Dacorum (1.0) middle, the rest (0.0) low
    assert features["E07000103"]["fill"] == RATE_COLOURS[4]
    assert features["E07000096"]["fill"] == RATE_COLOURS[2]
    assert features["E07000240"]["fill"] == RATE_COLOURS[0]
    assert features["E07000103"]["reports_text"] == "5"
    assert features["E07000103"]["rate_text"] == "5.00"
    assert features["E07000103"]["label"] == "Watford"
    assert "High: 5.00" in html
    assert "Middle: 1.00" in html
    assert "Low: 0.00" in html
    assert "Contains OS data © Crown copyright" in html


def test_unselected_districts_are_grey(rates: pd.DataFrame) -> None:
    html = district_rate_map(
        load_districts(), rates, style=OFFLINE, selected=("E07000103", "E07000096")
    ).get_root().render()
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert features["E07000240"]["fill"] == NOT_SELECTED
    assert features["E07000240"]["rate_text"] == "not selected"
    assert features["E07000103"]["fill"] == RATE_COLOURS[4]
    assert features["E07000096"]["fill"] == RATE_COLOURS[0]
    assert "Higher: 5.00" in html
    assert "Lower: 1.00" in html
    assert "Not selected" in html


def test_one_district_chosen_has_a_legend_of_its_own_rate() -> None:
    population = pd.DataFrame({"code": load_districts()["code"], "population": 40_000})
    # Watford 9 reports in 40,000 residents → 0.225 per 1,000, shown as 0.23 (2 d.p.)
    rates = district_rates(pd.DataFrame({"district_code": ["E07000103"] * 9}), population)
    html = district_rate_map(
        load_districts(), rates, style=OFFLINE, selected=("E07000103",)
    ).get_root().render()
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert features["E07000103"]["fill"] == RATE_COLOURS[2]
    legend = legend_texts(html)
    assert legend == ["This district: 0.23", "Not selected"]
    assert "to 0.2" not in html


def test_a_partner_legend_leaves_out_rates_of_hidden_counts() -> None:
    population = pd.DataFrame({"code": load_districts()["code"], "population": 10_000})
    # Watford 3 reports ("<5"); Dacorum 8, hidden too as the smallest other count (else the
    # total gives Watford's away); St Albans 12. The legend must not give 0.30 or 0.80.
    reports = pd.DataFrame(
        {"district_code": ["E07000103"] * 3 + ["E07000096"] * 8 + ["E07000240"] * 12}
    )
    rates = district_rates(reports, population)
    html = district_rate_map(
        load_districts(), rates, style=OFFLINE,
        selected=("E07000103", "E07000096", "E07000240"), role="partner",
    ).get_root().render()
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert features["E07000103"]["fill"] == FIGURES_HIDDEN
    assert features["E07000096"]["fill"] == FIGURES_HIDDEN
    assert features["E07000240"]["fill"] == RATE_COLOURS[2]
    assert legend_texts(html) == [
        "This district: 1.20",
        "Figures not shown: under 5 reports, or would reveal one",
        "Not selected",
    ]
    assert not any("0.30" in text or "0.80" in text for text in legend_texts(html))
    assert features["E07000103"]["rate_text"] == "<5"


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
    # only (Dacorum 1.0, the eight others 0.0: two distinct values, so two classes,
    # "Higher: 1.00" on the darkest step and "Lower: 0.00" on the lightest), so no colour
    # or legend edge tells Watford's rate.
    texts = dict.fromkeys(load_districts()["code"], "0")
    texts.update({"E07000103": "hidden", "E07000096": "1"})
    html = district_rate_map(load_districts(), rates, style=OFFLINE, role="partner",
                             reports_text=texts).get_root().render()
    features = {f["properties"]["code"]: f["properties"] for f in geojson_features(html)}
    assert features["E07000103"]["fill"] == FIGURES_HIDDEN
    assert features["E07000103"]["reports_text"] == "hidden"
    assert features["E07000103"]["rate_text"] == "hidden"
    assert features["E07000096"]["fill"] == RATE_COLOURS[4]
    assert "Higher: 1.00" in html
    assert "Lower: 0.00" in html
    assert "5.00" not in html
    assert HIDDEN_ROW in html
