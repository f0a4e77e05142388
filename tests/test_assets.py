"""Tests of the map asset policy and of installing Leaflet from (a fake) npm."""

from __future__ import annotations

import copy
import io
import json
import re
import sys
import tarfile
from pathlib import Path
from typing import ClassVar

import branca.colormap
import folium
import folium.folium
import pytest
from folium.elements import JSCSSMixin
from folium.plugins import FastMarkerCluster, Fullscreen, HeatMap, MarkerCluster

from safetymap.maps.assets import (
    SELF_HOSTED_ATTRIBUTION,
    AssetsError,
    apply_assets,
    assets_installed,
    install_assets,
    resolve_mode,
    tiles_for,
)

# Every file the browser needs, as installed under vendor/; written out by hand.
VENDOR_FILES = {
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "leaflet/images/layers.png",
    "leaflet/images/layers-2x.png",
    "leaflet/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png",
    "leaflet.markercluster/leaflet.markercluster.js",
    "leaflet.markercluster/MarkerCluster.css",
    "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet.heat/leaflet-heat.js",
}
SPECS = ("leaflet@1.9.4", "leaflet.markercluster@1.5.3", "leaflet.heat@0.2.0")


def urls_in(html: str) -> list[str]:
    """Return every src= and href= value in ``html``, in order."""
    return re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html)


def clustered_heat_map(*, fast: bool = False) -> folium.Map:
    m = folium.Map(location=[51.8, -0.24], zoom_start=10, tiles=None)
    if fast:
        FastMarkerCluster([[51.80, -0.24], [51.81, -0.25]]).add_to(m)
    else:
        cluster = MarkerCluster().add_to(m)
        folium.Marker([51.80, -0.24], tooltip="Welwyn").add_to(cluster)
    HeatMap([[51.80, -0.24, 1.0], [51.75, -0.34, 2.0]]).add_to(m)
    return m


# ----------------------------------------------------------------------------- apply_assets


LOCAL_URLS = [
    "/app/static/vendor/leaflet/leaflet.js",
    "/app/static/vendor/leaflet/leaflet.css",
    "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
    "/app/static/vendor/leaflet.markercluster/MarkerCluster.css",
    "/app/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "/app/static/vendor/leaflet.heat/leaflet-heat.js",
]
CDN_URLS = [
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css",
    "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/leaflet.markercluster.js",
    "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/MarkerCluster.css",
    "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/MarkerCluster.Default.css",
    "https://cdn.jsdelivr.net/npm/leaflet.heat@0.2.0/dist/leaflet-heat.js",
]


@pytest.mark.parametrize("fast", [False, True])
def test_local_mode_loads_only_our_files_from_static(fast: bool) -> None:
    html = apply_assets(clustered_heat_map(fast=fast), mode="local").get_root().render()

    assert urls_in(html) == LOCAL_URLS
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in html
    assert not [url for url in urls_in(html) if "//" in url]


def test_local_mode_uses_the_given_static_url() -> None:
    m = folium.Map(tiles=None)
    html = apply_assets(m, mode="local", static_url="/safety/app/static/").get_root().render()

    assert urls_in(html) == [
        "/safety/app/static/vendor/leaflet/leaflet.js",
        "/safety/app/static/vendor/leaflet/leaflet.css",
    ]


def test_cdn_mode_loads_pinned_jsdelivr_files_and_nothing_else() -> None:
    html = apply_assets(clustered_heat_map(), mode="cdn").get_root().render()

    assert urls_in(html) == CDN_URLS
    for dropped in ("jquery", "bootstrap", "fontawesome", "awesome-markers", "glyphicons"):
        assert dropped not in html.lower()


def test_links_rendered_before_the_policy_are_replaced() -> None:
    m = clustered_heat_map()
    first = m.get_root().render()
    assert "https://code.jquery.com/jquery-3.7.1.min.js" in urls_in(first)

    html = apply_assets(m, mode="local").get_root().render()

    assert urls_in(html) == LOCAL_URLS


def test_applying_twice_or_switching_mode_gives_the_last_mode() -> None:
    m = apply_assets(apply_assets(clustered_heat_map(), mode="local"), mode="cdn")

    assert urls_in(m.get_root().render()) == CDN_URLS


@pytest.mark.parametrize(
    ("mode", "image_path"),
    [
        ("local", "/app/static/vendor/leaflet/images/"),
        ("cdn", "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/images/"),
    ],
)
def test_leaflet_is_told_where_its_marker_images_are_before_any_marker(mode, image_path):
    m = apply_assets(apply_assets(clustered_heat_map(), mode=mode), mode=mode)
    html = m.get_root().render()

    assignment = f'L.Icon.Default.imagePath = "{image_path}";'
    assert html.count("L.Icon.Default.imagePath") == 1
    assert assignment in html
    assert html.index(assignment) < html.index("L.marker(")


@pytest.mark.parametrize(
    ("make_map", "max_zoom"),
    [
        (lambda: folium.Map(tiles=None), 18),
        (lambda: folium.Map(tiles=None, maxZoom=12), 12),
        (lambda: folium.Map(tiles="OpenStreetMap"), None),
        (lambda: folium.Map(tiles=SELF_HOSTED, attr="self-hosted"), None),
    ],
)
def test_maps_without_tiles_get_the_max_zoom_marker_clusters_need(make_map, max_zoom):
    html = apply_assets(make_map(), mode="local").get_root().render()
    map_options = html[html.index("L.map(") : html.index(");", html.index("L.map("))]

    found = re.findall(r'"maxZoom": (\d+)', map_options)
    assert found == ([] if max_zoom is None else [str(max_zoom)])


def test_class_level_lists_are_left_alone() -> None:
    classes = (folium.Map, MarkerCluster, FastMarkerCluster, HeatMap)
    before = {cls: copy.deepcopy((cls.default_js, cls.default_css)) for cls in classes}

    apply_assets(clustered_heat_map(), mode="local")
    apply_assets(clustered_heat_map(fast=True), mode="cdn")

    assert {cls: (cls.default_js, cls.default_css) for cls in classes} == before
    assert folium.Map.default_js is folium.folium._default_js
    untouched = urls_in(clustered_heat_map().get_root().render())
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in untouched


class _MysteryPlugin(JSCSSMixin):
    default_js: ClassVar = [
        ("leaflet.mystery", "https://unpkg.com/leaflet.mystery/dist/mystery.js")
    ]


def test_unknown_plugins_raise_and_every_problem_is_listed() -> None:
    m = folium.Map(tiles=None)
    Fullscreen().add_to(m)
    _MysteryPlugin().add_to(m)
    folium.Marker([51.8, -0.2], popup="Stevenage").add_to(m)

    with pytest.raises(AssetsError) as caught:
        apply_assets(m, mode="local")

    message = str(caught.value)
    assert message.startswith("This map cannot be drawn with local map assets:\n- ")
    assert "Fullscreen loads 'Control.Fullscreen.js' from https://" in message
    assert "_MysteryPlugin loads 'leaflet.mystery' from https://unpkg.com/" in message
    assert "folium.Popup builds its content with jQuery" in message
    assert message.count("\n- ") == 4  # Fullscreen's JS and CSS, the mystery plugin, the popup
    assert "default_js" not in vars(m)  # nothing is changed when the map is refused


DISTRICTS_FILE = "districts.geojson"


@pytest.mark.parametrize(
    ("add_element", "expected"),
    [
        (lambda m: folium.Marker([51.8, -0.2], icon=folium.Icon()).add_to(m), "awesome-markers"),
        (lambda m: folium.Marker([51.8, -0.2], popup="Hitchin").add_to(m), "jQuery"),
        (lambda m: folium.GeoJson(DISTRICTS_FILE, embed=False).add_to(m), "embed=True"),
        (lambda m: folium.CircleMarker([51.8, -0.2]).add_to(m), None),
        (lambda m: folium.Marker([51.8, -0.2], tooltip="Hitchin").add_to(m), None),
    ],
)
def test_elements_needing_dropped_libraries_raise_in_both_modes(
    add_element, expected, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(DISTRICTS_FILE).write_text('{"type": "FeatureCollection", "features": []}')
    for mode in ("local", "cdn"):
        m = folium.Map(tiles=None)
        add_element(m)
        if expected is None:
            apply_assets(m, mode=mode)
        else:
            with pytest.raises(AssetsError, match=expected):
                apply_assets(m, mode=mode)


def test_colour_scale_legends_need_the_cdn() -> None:
    def map_with_legend() -> folium.Map:
        m = folium.Map(tiles=None)
        branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=10).add_to(m)
        return m

    with pytest.raises(AssetsError, match="loads d3 from cdnjs"):
        apply_assets(map_with_legend(), mode="local")
    apply_assets(map_with_legend(), mode="cdn")


# ------------------------------------------------------------------ resolve_mode, tiles_for


@pytest.mark.parametrize(
    ("setting", "installed", "expected"),
    [
        ("auto", True, "local"),
        ("auto", False, "cdn"),
        ("local", True, "local"),
        ("cdn", True, "cdn"),
        ("cdn", False, "cdn"),
    ],
)
def test_resolve_mode(setting, installed, expected, tmp_path, fake_npm) -> None:
    if installed:
        install_assets(tmp_path, npm=str(fake_npm))

    assert resolve_mode(setting, tmp_path) == expected


def test_local_mode_without_the_files_says_how_to_install_them(tmp_path) -> None:
    with pytest.raises(AssetsError, match="Run `safetymap assets`"):
        resolve_mode("local", tmp_path)
    with pytest.raises(ValueError, match="got 'offline'"):
        resolve_mode("offline", tmp_path)


SELF_HOSTED = "https://tiles.example.police.uk/{z}/{x}/{y}.png"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("osm", ("OpenStreetMap", None)),
        ("auto", ("OpenStreetMap", None)),  # the old default still means tiles
        ("none", (None, None)),
        (SELF_HOSTED, (SELF_HOSTED, "Map tiles: self-hosted")),
    ],
)
def test_tiles_for(setting, expected) -> None:
    assert tiles_for(setting) == expected


@pytest.mark.parametrize(
    ("setting", "tile_url", "attribution"),
    [
        ("none", None, None),
        ("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
         '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
         "contributors"),
        (SELF_HOSTED, SELF_HOSTED, SELF_HOSTED_ATTRIBUTION),
    ],
)
def test_tiles_for_gives_arguments_folium_draws(setting, tile_url, attribution) -> None:
    tiles, attr = tiles_for(setting)
    html = folium.Map(tiles=tiles, attr=attr).get_root().render()

    assert len(re.findall(r"L\.tileLayer\(", html)) == (0 if tile_url is None else 1)
    if tile_url is not None:
        assert json.dumps(tile_url) in html
        # the tile layer's attribution is shown (folium writes <, > and & as \u escapes)
        unescaped = re.sub(r"\\u00(26|3c|3e)", lambda m: chr(int(m[1], 16)), html)
        assert json.dumps(attribution) in unescaped


def test_tiles_for_rejects_other_values() -> None:
    with pytest.raises(ValueError, match="got 'mapbox'"):
        tiles_for("mapbox")


# --------------------------------------------------------------------------- install_assets


def _tarball(members: dict[str, bytes | Path], *, top: str = "package") -> bytes:
    """Build an npm-style .tgz; a Path value makes the member a symlink to that path."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(f"{top}/{name}" if not name.startswith("../") else name)
            if isinstance(content, Path):
                info.type = tarfile.SYMTYPE
                info.linkname = str(content)
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _registry(folder: Path) -> Path:
    """Write the three pinned packages, each with files we must not copy, as npm tarballs."""
    folder.mkdir()
    for spec in SPECS:
        name, version = spec.rsplit("@", 1)
        members: dict[str, bytes | Path] = {
            "package.json": json.dumps({"name": name, "version": version}).encode(),
            "dist/unused-src.js": b"// not needed by the browser",
        }
        for path in VENDOR_FILES:
            package, file = path.split("/", 1)
            if package == name:
                members[f"dist/{file}"] = f"{spec} {file}".encode()
        (folder / f"{name}-{version}.tgz").write_bytes(_tarball(members))
    return folder


def _write_fake_npm(path: Path, registry: Path, log: Path, *, fail: str = "") -> Path:
    """Write an executable that answers `npm pack SPEC... --pack-destination DIR` from disk."""
    path.write_text(
        f"#!{sys.executable}\n"
        "import json, shutil, sys\n"
        "from pathlib import Path\n"
        f"with open({str(log)!r}, 'a') as log:\n"
        "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"if {fail!r}:\n"
        f"    sys.stderr.write({fail!r})\n"
        "    sys.exit(1)\n"
        "args = sys.argv[1:]\n"
        "destination = Path(args[args.index('--pack-destination') + 1])\n"
        "for spec in args[1:args.index('--pack-destination')]:\n"
        "    name, version = spec.rsplit('@', 1)\n"
        f"    shutil.copy(Path({str(registry)!r}) / f'{{name}}-{{version}}.tgz', destination)\n"
        "    print(f'{name}-{version}.tgz')\n"
    )
    path.chmod(0o755)
    return path


def _calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.fixture
def fake_npm(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("npm")
    return _write_fake_npm(folder / "npm", _registry(folder / "registry"), folder / "calls.log")


def _installed_files(vendor: Path) -> set[str]:
    return {
        path.relative_to(vendor).as_posix()
        for path in vendor.rglob("*")
        if path.is_file() and path.name != ".npm-version"
    }


def test_install_copies_only_the_needed_files(tmp_path, fake_npm) -> None:
    vendor = tmp_path / "static" / "vendor"

    written = install_assets(vendor, npm=str(fake_npm))

    assert {path.relative_to(vendor).as_posix() for path in written} == VENDOR_FILES
    assert _installed_files(vendor) == VENDOR_FILES
    assert (vendor / "leaflet/leaflet.js").read_text() == "leaflet@1.9.4 leaflet.js"
    assert (vendor / "leaflet/images/marker-icon.png").read_text() == (
        "leaflet@1.9.4 images/marker-icon.png"
    )
    assert (vendor / "leaflet.heat/.npm-version").read_text() == "leaflet.heat@0.2.0\n"
    assert [call[:4] for call in _calls(fake_npm.parent / "calls.log")] == [["pack", *SPECS]]
    assert assets_installed(vendor)
    assert not list(vendor.glob(".*"))  # no staging folders left behind


def test_install_again_skips_complete_packages_and_repairs_broken_ones(tmp_path, fake_npm):
    log = fake_npm.parent / "calls.log"
    install_assets(tmp_path, npm=str(fake_npm))

    assert install_assets(tmp_path, npm=str(fake_npm)) == []
    assert len(_calls(log)) == 1

    (tmp_path / "leaflet.heat/leaflet-heat.js").unlink()
    (tmp_path / "leaflet/.npm-version").write_text("leaflet@1.9.3\n")
    assert not assets_installed(tmp_path)

    written = install_assets(tmp_path, npm=str(fake_npm))

    assert _calls(log)[1][:3] == ["pack", "leaflet@1.9.4", "leaflet.heat@0.2.0"]
    assert len(written) == 8  # leaflet's 7 files and leaflet-heat.js
    assert _installed_files(tmp_path) == VENDOR_FILES
    assert assets_installed(tmp_path)


def test_install_without_npm_says_what_to_do(tmp_path) -> None:
    with pytest.raises(AssetsError) as caught:
        install_assets(tmp_path / "vendor", npm=str(tmp_path / "no-such-npm"))

    message = str(caught.value)
    assert message.startswith("npm was not found (looked for ")
    assert "apt-get install npm" in message
    assert "Traceback" not in message
    assert not (tmp_path / "vendor").exists()


def test_install_reports_npm_errors_without_its_warnings(tmp_path) -> None:
    npm = _write_fake_npm(
        tmp_path / "npm",
        tmp_path,
        tmp_path / "calls.log",
        fail=(
            'npm warn Unknown user config "nodedir".\n'
            "npm error code E404\n"
            "npm error 404 Not Found - GET https://registry.npmjs.org/leaflet - Not found\n"
        ),
    )

    with pytest.raises(AssetsError) as caught:
        install_assets(tmp_path / "vendor", npm=str(npm))

    message = str(caught.value)
    assert message.startswith(
        "`npm pack leaflet@1.9.4 leaflet.markercluster@1.5.3 leaflet.heat@0.2.0` failed with "
        "exit code 1:\nnpm error code E404\nnpm error 404 Not Found"
    )
    assert "nodedir" not in message
    assert "npm config get registry" in message


def test_install_refuses_links_and_never_writes_outside_vendor(tmp_path) -> None:
    registry = _registry(tmp_path / "registry")
    hostile: dict[str, bytes | Path] = {
        "dist/leaflet.js": Path("/etc/passwd"),
        "../../escaped.txt": b"should never be written",
    }
    (registry / "leaflet-1.9.4.tgz").write_bytes(_tarball(hostile))
    npm = _write_fake_npm(tmp_path / "npm", registry, tmp_path / "calls.log")
    vendor = tmp_path / "a" / "b" / "vendor"

    with pytest.raises(AssetsError, match=r"dist/leaflet\.js but has a link or folder"):
        install_assets(vendor, npm=str(npm))

    assert not (vendor / "leaflet").exists()
    assert not list(vendor.glob(".*"))
    assert not list(tmp_path.rglob("escaped.txt"))
