"""Name the roles of CONTRACT §5 and the disclosure rules that go with them.

``analyst`` sees everything, including demographics and survey comments; ``police`` (Safer
Neighbourhood Teams) sees report points and hotspots but no demographics or comments;
``partner`` sees aggregates only, with counts from 1 to 4 shown as "<5" and survey
percentages hidden where the unweighted base is under 50. No role ever sees a confidential
service's location: the loaders drop it before any role is applied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

# The partners' rules live in one module; these names stay here for older callers.
from safetymap.disclosure import HIDDEN, SMALL_BASE, SMALL_COUNT, count_text, suppressed_counts

Role = Literal["analyst", "police", "partner"]
ROLES: tuple[Role, ...] = get_args(Role)

__all__ = [
    "HIDDEN", "ROLES", "SMALL_BASE", "SMALL_COUNT", "Role", "as_role", "count_text",
    "read_role_map", "role_of", "sees_personal", "sees_points", "suppressed_counts",
]


def check_role(role: object) -> Role:
    """Return ``role`` when it is exactly one of :data:`ROLES`; raise otherwise.

    Every function that takes a role checks it here, so the list of roles and the message
    are written once. (:func:`as_role` reads a role from loose input such as a sign-in
    claim, in any case.)

    Raises
    ------
    ValueError
        ``role`` is not one of the roles; the message lists them.
    """
    if role not in ROLES:
        raise ValueError(f"`role` must be one of {', '.join(ROLES)}, got {role!r}.")
    return role


def sees_points(role: Role) -> bool:
    """Tell whether a role may see individual report points."""
    return role in ("analyst", "police")


def sees_personal(role: Role) -> bool:
    """Tell whether a role may see demographics and free-text survey comments."""
    return role == "analyst"


def as_role(value: object) -> Role | None:
    """Return ``value`` as a role when it names one (any case), else None."""
    text = str(value).strip().lower() if value is not None else ""
    return next((role for role in ROLES if role == text), None)


def read_role_map(path: Path | None) -> dict[str, Role]:
    """Read the e-mail → role mapping file; e-mail addresses are compared in lower case.

    Raises
    ------
    ValueError
        The file is not a JSON object of e-mail → role, naming the first bad entry.
    """
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(
            f"Role map {path}: expected a readable JSON file, found {error}."
        ) from None
    if not isinstance(mapping, dict):
        raise ValueError(f"Role map {path}: expected an object of e-mail → role.")
    roles: dict[str, Role] = {}
    for email, value in mapping.items():
        role = as_role(value)
        if role is None:
            raise ValueError(
                f"Role map {path}: {email!r} has role {value!r}; "
                f"expected one of {', '.join(ROLES)}."
            )
        roles[str(email).strip().lower()] = role
    return roles


def role_of(
    claims: Mapping[str, object], *, claim: str, role_map: Mapping[str, Role]
) -> Role | None:
    """Return a signed-in user's role: the claim when it names a role, else the e-mail map."""
    from_claim = as_role(claims.get(claim))
    if from_claim is not None:
        return from_claim
    email = str(claims.get("email") or "").strip().lower()
    return role_map.get(email) if email else None
