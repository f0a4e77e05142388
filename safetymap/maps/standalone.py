"""Write a map as one self-contained HTML file, to attach to an e-mail.

Leaflet and its plugins are put inside the page (and the images their CSS names become
data URIs), so the file opens on a machine that reaches no CDN. Without the installed
assets the page loads them from the CDN instead, and says so.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import folium

from safetymap.maps.assets import apply_assets, assets_installed
from safetymap.settings import VENDOR_DIR

#: Where the page would load the assets from, before they are put inside it.
_PLACEHOLDER = "/__safetymap__"
_SCRIPT = re.compile(r'<script src="' + _PLACEHOLDER + r'/vendor/([^"]+)"></script>')
_STYLESHEET = re.compile(
    r'<link rel="stylesheet" href="' + _PLACEHOLDER + r'/vendor/([^"]+)"\s*/?>'
)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


def _data_uri(path: Path) -> str:
    mime = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    css = path.read_text(encoding="utf-8")
    return _CSS_URL.sub(
        lambda match: f"url({_data_uri(path.parent / match.group(2))})"
        if (path.parent / match.group(2)).exists() else match.group(0),
        css,
    )


def standalone_html(m: folium.Map, *, vendor_dir: Path = VENDOR_DIR) -> tuple[str, bool]:
    """Return the map as one HTML page, and whether its assets are inside it.

    ``m`` must not have had its assets applied yet (build it with a ``cdn`` style and let
    this function point it at the right files).
    """
    if not assets_installed(vendor_dir):
        apply_assets(m, mode="cdn")
        return m.get_root().render(), False
    apply_assets(m, mode="local", static_url=_PLACEHOLDER)
    page = m.get_root().render()
    page = _SCRIPT.sub(
        lambda match: "<script>"
        + (vendor_dir / match.group(1)).read_text(encoding="utf-8").replace(
            "</script", "<\\/script"
        )
        + "</script>",
        page,
    )
    page = _STYLESHEET.sub(
        lambda match: "<style>" + _inline_css(vendor_dir / match.group(1)) + "</style>", page
    )
    return page, True
