"""Read who can act on each StreetSafe reason: the agency settings file, checked once.

The file is JSON: an object whose ``agencies`` is a list, one object per agency, in the
order the dashboard offers them::

    {"agencies": [
      {"name": "Street lighting (Hertfordshire County Council)",
       "acts_on": "Street lights: faults, dark stretches, where lighting would help.",
       "reasons": ["poor_lighting"]},
      ...
    ]}

``name`` (required, unique, any case) is what users choose; ``reasons`` (required, at least
one) are StreetSafe reason codes or their labels (``poor_lighting`` or "Poor lighting");
``acts_on`` (optional) says in words what the agency can do. Every reason of the data
contract must be under at least one agency, so that no report falls to nobody; a reason
may be under several. An ``about`` text at the top is allowed and ignored.

The Hertfordshire default ships in the package (:data:`DEFAULT_AGENCIES_FILE`); a
deployment names its own with ``SAFETYMAP_AGENCIES``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from loaders.counts import REASON_CODES
from loaders.vocab import REASON_KEYS, REASONS, label_key

__all__ = [
    "DEFAULT_AGENCIES_FILE",
    "Agency",
    "AgencyMap",
    "AgencyMapError",
    "read_agency_map",
    "read_user_agencies",
]

#: The shipped default: who can act on each reason in Hertfordshire.
DEFAULT_AGENCIES_FILE = Path(__file__).resolve().parent / "data" / "agencies.json"
#: Fields an agency may have; anything else is a typo and refused.
_AGENCY_FIELDS = ("name", "acts_on", "reasons")
_TOP_FIELDS = ("about", "agencies")


class AgencyMapError(ValueError):
    """The agency settings file cannot be used; one line per problem, each naming the file."""


@dataclass(frozen=True)
class Agency:
    """An agency and the StreetSafe reasons it can act on.

    Attributes
    ----------
    name
        The agency's name, as users choose it.
    reasons
        Reason codes, in the order of :data:`loaders.counts.REASON_CODES`.
    acts_on
        What it can do, in words ("" when the file says nothing).
    """

    name: str
    reasons: tuple[str, ...]
    acts_on: str = ""

    @property
    def reason_words(self) -> str:
        """Return the agency's reasons as labels: "Poor lighting, No CCTV"."""
        return ", ".join(REASONS[code] for code in self.reasons)


@dataclass(frozen=True)
class AgencyMap:
    """Every agency of a settings file, in the file's order; build with :func:`read_agency_map`."""

    source: Path
    agencies: tuple[Agency, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Return the agencies' names in the file's order."""
        return tuple(agency.name for agency in self.agencies)

    def find(self, name: str) -> Agency | None:
        """Return the agency called ``name``, or None.

        Case, spaces and punctuation aside; the start of one name is enough when no other
        name starts the same way ("street lighting" finds "Street lighting (Hertfordshire
        County Council)").
        """
        wanted = label_key(name)
        if not wanted:
            return None
        exact = [a for a in self.agencies if label_key(a.name) == wanted]
        starts = [a for a in self.agencies if label_key(a.name).startswith(wanted)]
        found = exact or starts
        return found[0] if len(found) == 1 else None

    def resolve(self, name: str | None, where: str) -> str | None:
        """Return the full name of the agency ``name`` names (None for None).

        Raises
        ------
        AgencyMapError
            ``name`` names no agency, or several; ``where`` says where it was read.
        """
        if name is None:
            return None
        found = self.find(name)
        if found is None:
            raise AgencyMapError(f"{where}: expected an agency of {self.source.name} "
                                 f"({', '.join(self.names)}), found {_found(name)}")
        return found.name

    def agencies_for(self, reason: str) -> tuple[str, ...]:
        """Return the names of the agencies that can act on a reason code."""
        return tuple(agency.name for agency in self.agencies if reason in agency.reasons)


def _found(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _reason_code(value: object) -> str | None:
    return REASON_KEYS.get(label_key(value)) if isinstance(value, str) else None


def _agency(
    entry: object, number: int, where: str, problems: list[str]
) -> Agency | None:
    """Return one entry of ``agencies`` as an :class:`Agency`, or None with its problems."""
    if not isinstance(entry, dict):
        problems.append(f"{where}, agency {number}: expected an object with \"name\" and "
                        f"\"reasons\", found {_found(entry)}")
        return None
    name = entry.get("name")
    label = f"agency {number}" + (f" ({_found(name)})" if isinstance(name, str) else "")
    before = len(problems)
    for field in entry:
        if field not in _AGENCY_FIELDS:
            problems.append(f"{where}, {label}, field {_found(field)}: expected one of "
                            f"{', '.join(_AGENCY_FIELDS)}, found an unknown field")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}, {label}, field \"name\": expected the agency's name as "
                        f"text, found {_found(name) if 'name' in entry else 'nothing'}")
    acts_on = entry.get("acts_on", "")
    if not isinstance(acts_on, str):
        problems.append(f"{where}, {label}, field \"acts_on\": expected text, found "
                        f"{_found(acts_on)}")
    reasons = entry.get("reasons")
    codes: set[str] = set()
    if not isinstance(reasons, list) or not reasons:
        problems.append(
            f"{where}, {label}, field \"reasons\": expected a list of one or more StreetSafe "
            f"reason codes, found {_found(reasons) if 'reasons' in entry else 'nothing'}")
    else:
        for value in reasons:
            code = _reason_code(value)
            if code is None:
                problems.append(
                    f"{where}, {label}, field \"reasons\": expected a StreetSafe reason code "
                    f"({', '.join(REASON_CODES)}) or its label, found {_found(value)}")
            else:
                codes.add(code)
    if len(problems) > before:
        return None
    return Agency(name=str(name).strip(), acts_on=str(acts_on).strip(),
                  reasons=tuple(code for code in REASON_CODES if code in codes))


def read_agency_map(path: Path | None = None) -> AgencyMap:
    """Read and check an agency settings file, gathering every problem before raising once.

    Parameters
    ----------
    path
        The file (the ``SAFETYMAP_AGENCIES`` setting); the shipped Hertfordshire default
        (:data:`DEFAULT_AGENCIES_FILE`) when None.

    Raises
    ------
    AgencyMapError
        One line per problem, each naming the file, the agency and field, what was expected
        and what was found; a reason under no agency is named with its label.
    """
    source = DEFAULT_AGENCIES_FILE if path is None else path
    where = f"Agency settings {source}"
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise AgencyMapError(f"{where}: expected JSON, found an error at line {error.lineno}, "
                             f"column {error.colno}: {error.msg}") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise AgencyMapError(f"{where}: expected a readable JSON file, found {reason} "
                             "(set SAFETYMAP_AGENCIES to the file, or unset it for the "
                             "shipped Hertfordshire default)") from None
    if not isinstance(document, dict) or not isinstance(document.get("agencies"), list):
        raise AgencyMapError(f"{where}: expected an object whose \"agencies\" is a list of "
                             "agencies (name, reasons, acts_on), found "
                             f"{_found(document)}")
    problems = [f"{where}, field {_found(field)}: expected one of {', '.join(_TOP_FIELDS)}, "
                "found an unknown field" for field in document if field not in _TOP_FIELDS]
    agencies: list[Agency] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(document["agencies"], start=1):
        agency = _agency(entry, number, where, problems)
        if agency is None:
            continue
        key = label_key(agency.name)
        if key in seen:
            problems.append(f"{where}, agency {number} ({_found(agency.name)}), field "
                            f"\"name\": expected a name of its own, found the name of "
                            f"agency {seen[key]}")
            continue
        seen[key] = number
        agencies.append(agency)
    if not document["agencies"]:
        problems.append(f"{where}, field \"agencies\": expected at least one agency, "
                        "found none")
    elif not problems:
        given = {code for agency in agencies for code in agency.reasons}
        problems += [
            f"{where}: reason {code!r} ({REASONS[code]}) is under no agency; expected every "
            "StreetSafe reason under at least one agency's \"reasons\""
            for code in REASON_CODES if code not in given
        ]
    if problems:
        raise AgencyMapError("\n".join(problems))
    return AgencyMap(source=source, agencies=tuple(agencies))


def read_user_agencies(path: Path | None) -> dict[str, str]:
    """Read the e-mail → agency file (``SAFETYMAP_AGENCY_MAP``); e-mails in lower case.

    Raises
    ------
    AgencyMapError
        The file is not a JSON object of e-mail → agency name.
    """
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AgencyMapError(f"Agency map {path}: expected a readable JSON file, found "
                             f"{error}") from None
    if not isinstance(mapping, dict) or not all(
            isinstance(v, str) for v in mapping.values()):
        raise AgencyMapError(f"Agency map {path}: expected an object of e-mail → agency "
                             f"name, found {_found(mapping)}")
    return {str(email).strip().lower(): name for email, name in mapping.items()}
