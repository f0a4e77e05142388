"""Read every setting of the safety map from one table, validated once.

This is the only module that reads environment variables. Each setting is one row of
``SETTINGS``: its environment variable, type, default and help text, which also feed the
README and ``safetymap settings``.

Settings
--------
SAFETYMAP_DATA : path, default unset
    Folder of exports (``streetsafe*``, ``survey*``, ``services*`` as .csv or .xlsx). When
    unset, the dashboard generates synthetic demo data and says so on every page.
SAFETYMAP_STORE : path or URL, default unset
    The shared store: path to a .gpkg file or a postgresql:// URL; unset = no store. When
    set, the dashboard reads the store (``SAFETYMAP_DATA`` is then not read) and
    ``safetymap ingest`` adds to it. Keep a database password out of the URL: PostgreSQL's
    ``~/.pgpass`` file supplies it.
SAFETYMAP_HEADER_MAP : path, default unset
    JSON file of extra header aliases per kind, e.g. ``{"streetsafe": {"Ref No": "report_id"}}``.
SAFETYMAP_AGENCIES : path, default unset (the shipped Hertfordshire file)
    JSON file saying which agency can act on each StreetSafe reason (poor lighting: the
    county council's street lighting service, and so on), for the Action lists page and
    ``safetymap actions``. Unset uses ``safetymap/data/agencies.json``. Checked when the
    dashboard starts: a reason under no agency, an unknown reason or a missing field is
    one message naming the file, the agency, the field, what was expected and what was
    found. The format is in :mod:`safetymap.agencies`.
SAFETYMAP_MAP_ASSETS : ``auto`` | ``local`` | ``cdn``, default ``auto``
    Where the browser loads Leaflet and its plugins from. ``local`` serves the files that
    ``safetymap assets`` installed under ``static/vendor`` (for networks with no internet);
    ``auto`` uses them when they are installed and the CDN otherwise.
SAFETYMAP_TILES : ``osm`` | ``none`` | URL template, default ``osm``
    Background map tiles, requested by the user's browser whatever ``SAFETYMAP_MAP_ASSETS``
    says: ``osm`` is OpenStreetMap (where the browser cannot reach it, the map shows the
    district and town names the product draws itself); a URL template such as
    ``https://tiles.example.police.uk/{z}/{x}/{y}.png`` uses an internal tile server;
    ``none`` draws no tiles and makes no request for them. ``auto`` (the old default) is
    read as ``osm``.
SAFETYMAP_DEMO_REPORTS : int, default 1000
    StreetSafe reports in the generated demo data: by default about a real county year
    (nationally 22,939 reports from September 2021 to December 2022; Hertfordshire holds
    about 2% of the population of England and Wales, so a few hundred to about 1,500 a
    year, about one per district per week). Raise it for scale work.
SAFETYMAP_DEMO_RESPONSES : int, default 4000
    Survey responses in the generated demo data.
SAFETYMAP_DEMO_SEED : int, default 2026
    Random seed of the generated demo data (the same seed gives the same files).
SAFETYMAP_CACHE_DIR : path, default ``~/.cache/safetymap``
    Where generated demo data is written.
SAFETYMAP_ROLE : ``analyst`` | ``police`` | ``partner``, default ``partner``
    Role of the one local user when real data is shown without sign-in; the most
    restricted role by default. With the demo data the sidebar offers a role switcher.
SAFETYMAP_ROLE_CLAIM : str, default ``role``
    With sign-in (an ``[auth]`` section in Streamlit's secrets), the OpenID Connect claim
    that holds the user's role.
SAFETYMAP_ROLE_MAP : path, default unset
    JSON file mapping e-mail addresses to roles, used when the claim is absent,
    e.g. ``{"sergeant@herts.police.uk": "police"}``. A signed-in user with neither sees
    nothing but a message.
SAFETYMAP_AGENCY : str, default unset
    The agency of the one local user without sign-in (a name of the agency settings, or
    the start of one): a partner sees that agency's actions in the problem-solving log.
SAFETYMAP_AGENCY_MAP : path, default unset
    With sign-in, a JSON file mapping e-mail addresses to agency names,
    e.g. ``{"lighting@hertfordshire.gov.uk": "Street lighting"}``. A partner with no
    agency sees no action of the log.
SAFETYMAP_AUDIT_LOG : path, default ``<cache dir>/audit.log``
    Where sign-ins, exports and changes to the problem-solving log are logged (who, when,
    what; no report data).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from safetymap.roles import Role, check_role

MapAssets = Literal["auto", "local", "cdn"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = PROJECT_ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
#: URL under which Streamlit serves ``static/`` (``server.enableStaticServing``).
STATIC_URL = "app/static"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    env: str
    default: str | None
    help: str
    parse: Callable[[str], object]


def _path(value: str) -> Path:
    return Path(value).expanduser()


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be zero or more")
    return number


def _store(value: str) -> str:
    # A URL may hold a password and a bad value is echoed back: URLs are checked, without
    # echoing them, when the store is opened (loaders.store.open_store).
    if "://" not in value and not value.lower().endswith(".gpkg"):
        raise ValueError("must be a path to a .gpkg file or a postgresql:// URL")
    return value


def _map_assets(value: str) -> str:
    if value not in ("auto", "local", "cdn"):
        raise ValueError("must be one of auto, local, cdn")
    return value


def _role(value: str) -> str:
    return check_role(value)


def _tiles(value: str) -> str:
    if value == "auto":  # the old default, kept so that existing settings still work
        return "osm"
    if value in ("none", "osm"):
        return value
    if value.startswith(("http://", "https://", "/")) and "{z}" in value:
        return value
    raise ValueError("must be osm, none or a URL template containing {z}, {x} and {y}")


SETTINGS: dict[str, Setting] = {
    "data_dir": Setting("SAFETYMAP_DATA", None, "Folder of exports to load.", _path),
    "store": Setting(
        "SAFETYMAP_STORE", None,
        "path to a .gpkg file or a postgresql:// URL; unset = no store", _store,
    ),
    "header_map": Setting(
        "SAFETYMAP_HEADER_MAP", None, "JSON file of extra header aliases per kind.", _path
    ),
    "agencies": Setting(
        "SAFETYMAP_AGENCIES", None,
        "JSON file of who can act on each reason (unset: the shipped Hertfordshire file).",
        _path,
    ),
    "map_assets": Setting(
        "SAFETYMAP_MAP_ASSETS", "auto", "Where Leaflet is loaded from.", _map_assets
    ),
    "tiles": Setting(
        "SAFETYMAP_TILES", "osm", "Background map tiles: osm, none or a URL template.", _tiles
    ),
    "demo_reports": Setting(
        "SAFETYMAP_DEMO_REPORTS", "1000", "Reports in the demo data (a county year).",
        _positive_int,
    ),
    "demo_responses": Setting(
        "SAFETYMAP_DEMO_RESPONSES", "4000", "Survey responses in the demo data.", _positive_int
    ),
    "demo_seed": Setting("SAFETYMAP_DEMO_SEED", "2026", "Seed of the demo data.", _positive_int),
    "cache_dir": Setting(
        "SAFETYMAP_CACHE_DIR", "~/.cache/safetymap", "Where demo data is written.", _path
    ),
    "role": Setting(
        "SAFETYMAP_ROLE", "partner", "Role of the local user without sign-in.", _role
    ),
    "role_claim": Setting(
        "SAFETYMAP_ROLE_CLAIM", "role", "Sign-in claim that holds the role.", str
    ),
    "role_map": Setting(
        "SAFETYMAP_ROLE_MAP", None, "JSON file mapping e-mail addresses to roles.", _path
    ),
    "agency": Setting(
        "SAFETYMAP_AGENCY", None, "Agency of the local user without sign-in.", str
    ),
    "agency_map": Setting(
        "SAFETYMAP_AGENCY_MAP", None, "JSON file mapping e-mail addresses to agencies.", _path
    ),
    "audit_log": Setting("SAFETYMAP_AUDIT_LOG", None,
                         "File of sign-ins, exports and changes to the log.", _path),
}


@dataclass(frozen=True)
class Settings:
    """Validated settings; build with :func:`load_settings`."""

    data_dir: Path | None
    store: str | None
    header_map: Path | None
    agencies: Path | None
    map_assets: MapAssets
    tiles: str
    demo_reports: int
    demo_responses: int
    demo_seed: int
    cache_dir: Path
    role: Role
    role_claim: str
    role_map: Path | None
    agency: str | None
    agency_map: Path | None
    audit_log: Path | None

    def audit_path(self) -> Path:
        """Return the audit log file: the setting, else ``audit.log`` in the cache folder."""
        return self.audit_log or self.cache_dir / "audit.log"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting, gathering all problems before raising once.

    Parameters
    ----------
    environ
        The environment to read; ``os.environ`` when omitted.

    Raises
    ------
    SettingsError
        One line per bad setting, naming the variable, the value found and what it takes.
    """
    source = os.environ if environ is None else environ
    values: dict[str, object] = {}
    problems: list[str] = []
    for name, setting in SETTINGS.items():
        raw = source.get(setting.env, "").strip() or setting.default
        if raw is None:
            values[name] = None
            continue
        try:
            values[name] = setting.parse(raw)
        except ValueError as error:
            problems.append(f"{setting.env}={raw!r}: {str(error).rstrip('.')}. {setting.help}")
    if problems:
        raise SettingsError("Bad settings:\n" + "\n".join(problems))
    return Settings(**values)  # type: ignore[arg-type]
