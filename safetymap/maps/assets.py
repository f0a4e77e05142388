"""Serve Leaflet and its plugins from one place, on the internet or off it.

folium loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from four CDNs, so
its maps are blank on a network with no internet. Every map builder therefore passes its
finished map through :func:`apply_assets`, which keeps only what the dashboard uses (Leaflet
core, MarkerCluster and HeatMap) and points it either at the copies :func:`install_assets`
put under ``static/vendor`` (``local``) or at jsDelivr, at the same pinned versions (``cdn``).

Choosing a mode and tiles from the settings is :func:`resolve_mode` and :func:`tiles_for`.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import branca.colormap
import folium
from branca.element import Element, MacroElement
from folium.template import Template

from safetymap.settings import STATIC_URL, VENDOR_DIR

AssetMode = Literal["local", "cdn"]

#: Attribution shown with tiles from a URL template (``SAFETYMAP_TILES``).
SELF_HOSTED_ATTRIBUTION = "Map tiles: self-hosted"

_CDN_URL = "https://cdn.jsdelivr.net/npm"
_VERSION_FILE = ".npm-version"
_NPM_TIMEOUT_S = 300
_MAX_ZOOM_WITHOUT_TILES = 18  # folium's default for a tile layer


class AssetsError(RuntimeError):
    """Map assets cannot be installed or served; the message says what to do."""


@dataclass(frozen=True)
class _Package:
    """An npm package and the files of its ``dist/`` folder that the browser needs."""

    name: str
    version: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


_PACKAGES = (
    _Package(
        "leaflet",
        "1.9.4",
        (
            "leaflet.js",
            "leaflet.css",
            # leaflet.css refers to these by relative URL, so they sit next to it.
            "images/layers.png",
            "images/layers-2x.png",
            "images/marker-icon.png",
            "images/marker-icon-2x.png",
            "images/marker-shadow.png",
        ),
    ),
    _Package(
        "leaflet.markercluster",
        "1.5.3",
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
    _Package("leaflet.heat", "0.2.0", ("leaflet-heat.js",)),
)
_VERSIONS = {package.name: package.version for package in _PACKAGES}

#: folium's name for each link it adds → the (package, file) served instead, or None to drop.
_LINKS: dict[str, tuple[str, str] | None] = {
    # folium.Map
    "leaflet": ("leaflet", "leaflet.js"),
    "leaflet_css": ("leaflet", "leaflet.css"),
    "jquery": None,
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_css": None,
    "awesome_markers_font_css": None,
    "awesome_rotate_css": None,
    # folium.plugins.MarkerCluster and FastMarkerCluster
    "markerclusterjs": ("leaflet.markercluster", "leaflet.markercluster.js"),
    "markerclustercss": ("leaflet.markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet.markercluster", "MarkerCluster.Default.css"),
    # folium.plugins.HeatMap
    "leaflet-heat.js": ("leaflet.heat", "leaflet-heat.js"),
}


def assets_installed(vendor_dir: Path = VENDOR_DIR) -> bool:
    """Tell whether every pinned package is installed, complete, under ``vendor_dir``.

    Parameters
    ----------
    vendor_dir
        Folder holding one sub-folder per npm package.
    """
    return all(_is_installed(package, vendor_dir) for package in _PACKAGES)


def install_assets(vendor_dir: Path = VENDOR_DIR, *, npm: str = "npm") -> list[Path]:
    """Install Leaflet, MarkerCluster and HeatMap from the npm registry into ``vendor_dir``.

    Each package is fetched with ``npm pack`` at its pinned version and only the files the
    browser needs are copied out of its tarball, into ``vendor_dir/<package>/``. Packages that
    are already installed and complete are skipped, so running this again is cheap.

    Parameters
    ----------
    vendor_dir
        Folder to install into; Streamlit serves it at ``/app/static/vendor``.
    npm
        The npm command, or a path to it.

    Returns
    -------
    list of Path
        The files written; empty when everything was already installed.

    Raises
    ------
    AssetsError
        npm is missing or fails, or a package lacks a file it should have.
    """
    missing = [package for package in _PACKAGES if not _is_installed(package, vendor_dir)]
    if not missing:
        return []
    npm_path = shutil.which(npm)
    if npm_path is None:
        raise AssetsError(
            f"npm was not found (looked for {npm!r}). Install Node.js with npm "
            "(for example `apt-get install npm`) and run `safetymap assets` again, or copy "
            f"{vendor_dir} from a machine that has it."
        )
    vendor_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="safetymap-npm-") as download_dir:
        tarballs = _npm_pack(npm_path, missing, Path(download_dir))
        for package in missing:
            written += _extract(package, tarballs[package.spec], vendor_dir)
    return written


def apply_assets(
    m: folium.Map, *, mode: AssetMode, static_url: str = "/" + STATIC_URL
) -> folium.Map:
    """Point ``m`` and every element in it at our pinned copies of Leaflet and its plugins.

    Each element's ``default_js`` and ``default_css`` are replaced by lists of its own, so
    folium's class-level lists, shared by every map in the process, stay as they were.
    jQuery, Bootstrap, Font Awesome and awesome-markers are dropped. Leaflet is told where
    its marker images are (it guesses wrong when leaflet.css loads after the map script, as
    in streamlit-folium), and a map without tiles (``SAFETYMAP_TILES=none``) gets the
    maximum zoom of 18 that tile layers otherwise supply and MarkerCluster needs.

    Parameters
    ----------
    m
        The finished map; call this after adding every layer and before rendering.
    mode
        ``local`` to load from ``{static_url}/vendor/...``, ``cdn`` to load from jsDelivr.
    static_url
        URL path at which Streamlit serves ``static/``; absolute, because streamlit-folium
        draws the map in an iframe served from another path.

    Returns
    -------
    folium.Map
        ``m`` itself.

    Raises
    ------
    AssetsError
        An element loads a file not in the table of known assets, or needs a library that
        is dropped; every such element is listed.
    """
    if mode not in ("local", "cdn"):
        raise ValueError(f"`mode` must be 'local' or 'cdn', got {mode!r}.")
    problems: list[str] = []
    replacements: list[tuple[Element, str, list[tuple[str, str]]]] = []
    for element in _walk(m):
        problem = _needs_dropped_library(element, mode)
        if problem is not None:
            problems.append(problem)
        for attribute in ("default_js", "default_css"):
            links = getattr(element, attribute, None)
            if links is None:
                continue
            kept: list[tuple[str, str]] = []
            for name, url in links:
                if name not in _LINKS:
                    problems.append(
                        f"{type(element).__name__} loads {name!r} from {url}, an asset this "
                        "policy does not know; add its npm package to _PACKAGES and its name "
                        "to _LINKS in safetymap/maps/assets.py."
                    )
                    continue
                target = _LINKS[name]
                if target is not None:
                    kept.append((name, _url(*target, mode=mode, static_url=static_url)))
            replacements.append((element, attribute, kept))
    if problems:
        raise AssetsError(
            f"This map cannot be drawn with {mode} map assets:\n- " + "\n- ".join(problems)
        )
    for element, attribute, kept in replacements:
        # An instance attribute: folium's add_js_link and _add_link mutate lists in place.
        setattr(element, attribute, kept)
    _forget_rendered_links(m)
    m.add_child(
        _IconImagePath(_url("leaflet", "images/", mode=mode, static_url=static_url)),
        name=_IconImagePath.NAME,
        index=0,
    )
    if not {"max_zoom", "maxZoom"} & m.options.keys() and not any(
        isinstance(element, folium.TileLayer) for element in _walk(m)
    ):
        # Leaflet takes its maximum zoom from the tile layers; with none, MarkerCluster
        # throws "Map has no maxZoom specified" and the whole map stays blank.
        m.options["max_zoom"] = _MAX_ZOOM_WITHOUT_TILES
    return m


def resolve_mode(setting: str, vendor_dir: Path = VENDOR_DIR) -> AssetMode:
    """Turn the ``map_assets`` setting into the mode to draw maps with.

    Parameters
    ----------
    setting
        ``auto``, ``local`` or ``cdn``; ``auto`` is ``local`` when the files are installed
        under ``vendor_dir`` and ``cdn`` otherwise.
    vendor_dir
        Folder :func:`install_assets` installs into.

    Raises
    ------
    AssetsError
        ``local`` was asked for but the files are not installed.
    """
    if setting == "cdn":
        return "cdn"
    if setting not in ("auto", "local"):
        raise ValueError(f"`setting` must be 'auto', 'local' or 'cdn', got {setting!r}.")
    if assets_installed(vendor_dir):
        return "local"
    if setting == "local":
        raise AssetsError(
            f"SAFETYMAP_MAP_ASSETS is local but the map assets are not installed in "
            f"{vendor_dir}. Run `safetymap assets` on a machine that reaches the npm registry "
            "(or copy that folder from one), or set SAFETYMAP_MAP_ASSETS to auto or cdn."
        )
    return "cdn"


def tiles_for(setting: str) -> tuple[str | None, str | None]:
    """Turn the ``tiles`` setting into folium's ``tiles`` and ``attr`` arguments.

    The asset mode plays no part: tiles are requested by the user's browser, which may reach
    OpenStreetMap when the server reaches no CDN, and a map whose tiles fail to load still
    shows the place names the product draws (:func:`safetymap.maps.base.add_place_names`).

    Parameters
    ----------
    setting
        ``osm``, ``none``, or a URL template containing ``{z}``; ``auto`` (the old default)
        is ``osm``.

    Returns
    -------
    tuple of (str or None, str or None)
        ``tiles`` (None for a map without tiles) and ``attr`` (None lets folium use the
        provider's own attribution).
    """
    if setting == "none":
        return None, None
    if setting in ("osm", "auto"):
        return "OpenStreetMap", None
    if "{z}" in setting:
        return setting, SELF_HOSTED_ATTRIBUTION
    raise ValueError(
        f"`setting` must be 'osm', 'none' or a URL template containing {{z}}, got {setting!r}."
    )


def _is_installed(package: _Package, vendor_dir: Path) -> bool:
    folder = vendor_dir / package.name
    version_file = folder / _VERSION_FILE
    if not version_file.is_file() or version_file.read_text().strip() != package.spec:
        return False
    return all(
        (folder / file).is_file() and (folder / file).stat().st_size > 0 for file in package.files
    )


def _npm_pack(npm_path: str, packages: list[_Package], destination: Path) -> dict[str, Path]:
    specs = [package.spec for package in packages]
    command = [npm_path, "pack", *specs, "--pack-destination", str(destination)]
    shown = "npm pack " + " ".join(specs)
    try:
        result = subprocess.run(
            [*command, "--ignore-scripts"],
            cwd=destination,
            capture_output=True,
            text=True,
            timeout=_NPM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssetsError(
            f"`{shown}` took more than {_NPM_TIMEOUT_S} s. Check that this machine reaches "
            "the npm registry (`npm config get registry`; behind a proxy, `npm config set "
            "proxy ...`) and run `safetymap assets` again."
        ) from None
    except OSError as error:
        raise AssetsError(f"`{shown}` could not start: {error.strerror} ({npm_path}).") from None
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if "warn" not in line.lower()]
        detail = "\n".join(errors[-8:]).strip() or "(npm printed no error)"
        raise AssetsError(
            f"`{shown}` failed with exit code {result.returncode}:\n{detail}\n"
            "Check that this machine reaches the npm registry (`npm config get registry`; "
            "behind a proxy, `npm config set proxy ...`) and run `safetymap assets` again, "
            "or copy static/vendor from a machine that can."
        )
    tarballs = {
        package.spec: destination / f"{package.name}-{package.version}.tgz" for package in packages
    }
    absent = [spec for spec, tarball in tarballs.items() if not tarball.is_file()]
    if absent:
        raise AssetsError(
            f"`{shown}` succeeded but wrote no tarball for {', '.join(absent)} in "
            f"{destination}; npm printed:\n{result.stdout.strip()}"
        )
    return tarballs


def _extract(package: _Package, tarball: Path, vendor_dir: Path) -> list[Path]:
    # Destinations come from our own file list, never from names in the archive, and only
    # regular files are read, so a hostile tarball cannot write outside the staging folder.
    staging = Path(tempfile.mkdtemp(prefix=f".{package.name}-", dir=vendor_dir))
    try:
        # mkdtemp makes the folder private; the web server may run as another user.
        staging.chmod(0o755)
        try:
            with tarfile.open(tarball, "r:gz") as archive:
                members = {_dist_path(member.name): member for member in archive.getmembers()}
                for file in package.files:
                    member = members.get(file)
                    if member is None or not member.isfile():
                        found = "a link or folder" if member is not None else "nothing"
                        raise AssetsError(
                            f"{package.spec} should contain the file dist/{file} but has "
                            f"{found} there; nothing was installed for it. Check the pinned "
                            "version in safetymap/maps/assets.py."
                        )
                    source = archive.extractfile(member)
                    if source is None:
                        raise AssetsError(f"{package.spec}: dist/{file} cannot be read.")
                    target = staging / file
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with source, target.open("wb") as sink:
                        shutil.copyfileobj(source, sink)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise AssetsError(
                f"{tarball.name} from npm is not a readable tarball ({error}); run "
                "`safetymap assets` again."
            ) from None
        (staging / _VERSION_FILE).write_text(package.spec + "\n")
        folder = vendor_dir / package.name
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return [folder / file for file in package.files]


def _dist_path(member_name: str) -> str | None:
    """Return a member's path under ``dist/``, whatever the tarball's top folder is called."""
    parts = member_name.split("/")
    if len(parts) < 3 or parts[1] != "dist":
        return None
    return "/".join(parts[2:])


def _url(package: str, file: str, *, mode: AssetMode, static_url: str) -> str:
    if mode == "local":
        return f"{static_url.rstrip('/')}/vendor/{package}/{file}"
    return f"{_CDN_URL}/{package}@{_VERSIONS[package]}/dist/{file}"


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _needs_dropped_library(element: Element, mode: AssetMode) -> str | None:
    """Say why ``element`` cannot work with the libraries this policy loads, if it cannot."""
    name = type(element).__name__
    if type(element) is folium.Icon:
        return (
            "folium.Icon draws with awesome-markers, which is not loaded; use the default "
            "marker, folium.CustomIcon, folium.DivIcon or a CircleMarker."
        )
    if isinstance(element, folium.Popup) and element.html._children:
        return (
            "folium.Popup builds its content with jQuery, which is not loaded; use a "
            "folium.Tooltip, or a GeoJsonPopup on a GeoJson layer."
        )
    if isinstance(element, folium.GeoJson) and not element.embed:
        return f"{name} with embed=False fetches its data with jQuery; use embed=True."
    if isinstance(element, folium.Map) and element.objects_to_stay_in_front:
        return "folium.Map.keep_in_front uses jQuery, which is not loaded."
    if mode == "local" and isinstance(element, branca.colormap.ColorMap):
        return (
            f"{name} (a colour scale legend, as Choropleth adds) loads d3 from cdnjs; draw "
            "the legend another way or use cdn map assets."
        )
    return None


class _IconImagePath(MacroElement):
    """Set the folder of Leaflet's default marker images before any marker is made.

    Leaflet finds it from leaflet.css; when the CSS is not applied yet, its fallback drops a
    slash and asks for ``.../leafletmarker-icon.png`` (Leaflet issue 4968).
    """

    NAME = "icon_image_path"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, image_path: str) -> None:
        super().__init__()
        self._name = "IconImagePath"
        self.image_path = image_path


def _forget_rendered_links(m: folium.Map) -> None:
    """Drop links an earlier render put in the page header, so they follow the new policy."""
    header = getattr(m.get_root(), "header", None)
    if header is not None:
        for name in _LINKS:
            header._children.pop(name, None)
