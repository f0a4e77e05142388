"""Text from an input never runs as a template when a map is written on the server.

branca renders each map element, then compiles the output as a Jinja template once more
(:mod:`safetymap.maps.literal`). A label reading ``{{ 11*11 }}`` was written as ``121``,
and Jinja reaches Python from there. Each test puts template syntax in every text of an
input that a map shows and checks that it is written as the text it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from branca.element import MacroElement

from geodata import load_districts
from safetymap.maps.base import MapStyle
from safetymap.maps.hotspots import hotspot_layer, hotspot_map
from safetymap.maps.literal import BRANCA_RENDER, install, installed
from safetymap.maps.outreach import outreach_map
from safetymap.maps.services import services_map

OFFLINE = MapStyle(assets="local", tiles=None)
#: Evaluated, this would write 123454321 and x; as text it stays as it is.
EXPRESSION = "{{ 11111*11111 }}"
EVALUATED = "123454321"
STATEMENT = "{% if 1 %}x{% endif %}"
PAYLOAD = f"{EXPRESSION} and {STATEMENT}"
WATFORD_XY = (510900.0, 196500.0)


def hotspot_html() -> str:
    """A hotspot map with a report dot whose location label is the payload."""
    cells = pd.DataFrame({"cell_id": ["89195da49a3ffff"], "reports": [3], "hotspot": ["none"]})
    profiles = pd.DataFrame({"cell_id": ["89195da49a3ffff"], "main_reasons": [""],
                             "peak_day": [""], "peak_time": [""]})
    layer = hotspot_layer(cells, profiles, role="police", reliable=False)
    dots = pd.DataFrame({"latitude": [51.6553], "longitude": [-0.3960],
                         "location_label": [PAYLOAD]})
    return hotspot_map(layer, load_districts(), style=OFFLINE, role="police",
                       reliable=False, report_points=dots).get_root().render()


def services_html() -> str:
    """A services map whose public service has the payload in its name and hours."""
    services = gpd.GeoDataFrame(
        {"service_id": ["S1"], "name": [PAYLOAD], "category": ["outreach"],
         "confidential": [False], "coverage": ["county"], "opening_hours": ["24/7"],
         "phone": [EXPRESSION], "eligibility": [STATEMENT], "location_approximate": [False]},
        geometry=[shapely.Point(*WATFORD_XY)], crs="EPSG:27700",
    )
    return services_map(services, load_districts(), style=OFFLINE).get_root().render()


def outreach_html() -> str:
    """An outreach map whose point has the payload as organisation and name."""
    points = gpd.GeoDataFrame(
        {"kind": ["qr_poster"], "organisation": [PAYLOAD], "name": [EXPRESSION],
         "notes": [STATEMENT], "in_place_from": pd.to_datetime(["2026-03-01"]),
         "in_place_to": [pd.NaT]},
        geometry=[shapely.Point(*WATFORD_XY)], crs="EPSG:27700",
    )
    hot_spots = gpd.GeoDataFrame({"reports": [6.0]},
                                 geometry=[shapely.Point(*WATFORD_XY).buffer(300)],
                                 crs="EPSG:27700")
    return outreach_map(points, hot_spots, [True], load_districts(), style=OFFLINE,
                        partner=False).get_root().render()


@pytest.fixture
def branca_as_shipped() -> Iterator[None]:
    """Render with branca's own ``MacroElement.render`` for one test, then restore ours."""
    MacroElement.render = BRANCA_RENDER  # type: ignore[method-assign]
    try:
        yield
    finally:
        install()


@pytest.mark.parametrize("make", [hotspot_html, services_html, outreach_html])
def test_template_syntax_in_input_is_written_as_text(make: object) -> None:
    assert installed()
    html = make()  # type: ignore[operator]
    assert EVALUATED not in html
    assert EXPRESSION in html
    assert STATEMENT in html


def test_without_the_fix_the_same_input_would_run_on_the_server(
    branca_as_shipped: None,
) -> None:
    # The attack this file guards against, shown working on the library as shipped: the
    # check above can fail.
    assert not installed()
    html = hotspot_html()
    assert EVALUATED in html
    assert EXPRESSION not in html


def test_maps_are_written_the_same_apart_from_that() -> None:
    # Text with no template syntax is written identically either way.
    ours = services_map(gpd.GeoDataFrame(
        {"service_id": ["S1"], "name": ["Herts Outreach"], "category": ["outreach"],
         "confidential": [False], "coverage": ["county"], "opening_hours": ["24/7"],
         "phone": ["0300"], "eligibility": [""], "location_approximate": [False]},
        geometry=[shapely.Point(*WATFORD_XY)], crs="EPSG:27700",
    ), load_districts(), style=OFFLINE)
    def without_ids(text: str) -> str:
        return re.sub(r"_[0-9a-f]{32}", "_ID", text)

    first = without_ids(ours.get_root().render())
    MacroElement.render = BRANCA_RENDER  # type: ignore[method-assign]
    try:
        again = services_map(gpd.GeoDataFrame(
            {"service_id": ["S1"], "name": ["Herts Outreach"], "category": ["outreach"],
             "confidential": [False], "coverage": ["county"], "opening_hours": ["24/7"],
             "phone": ["0300"], "eligibility": [""], "location_approximate": [False]},
            geometry=[shapely.Point(*WATFORD_XY)], crs="EPSG:27700",
        ), load_districts(), style=OFFLINE)
        second = without_ids(again.get_root().render())
    finally:
        install()
    assert first == second
