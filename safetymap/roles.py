"""Name the roles of CONTRACT §5 and the disclosure rules that go with them.

``analyst`` sees everything, including demographics and survey comments; ``police`` (Safer
Neighbourhood Teams) sees report points and hotspots but no demographics or comments;
``partner`` sees aggregates only, with counts from 1 to 4 shown as "<5" and survey
percentages hidden where the unweighted base is under 50. No role ever sees a confidential
service's location: the loaders drop it before any role is applied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, get_args

Role = Literal["analyst", "police", "partner"]
ROLES: tuple[Role, ...] = get_args(Role)

#: Smallest count a partner may see; smaller non-zero counts show as "<5".
SMALL_COUNT = 5
#: Smallest unweighted survey base whose percentages a partner may see.
SMALL_BASE = 50


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


def count_text(count: int, role: Role) -> str:
    """Return a count as a role may see it: 1 to 4 become "<5" for partners."""
    if role == "partner" and 0 < count < SMALL_COUNT:
        return f"<{SMALL_COUNT}"
    return f"{count:,}"


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


HIDDEN = "hidden"


def suppressed_counts(counts: Sequence[int], role: Role) -> list[str]:
    """Return counts as a role may see them when their total is shown beside them.

    For partners a count from 1 to 4 is "<5" (primary suppression). When exactly one count
    is suppressed, the total would give it away, so the smallest other non-zero count is
    hidden too (secondary suppression) and shows as "hidden". Other roles see every count.
    """
    values = [int(c) for c in counts]
    if role != "partner":
        return [f"{c:,}" for c in values]
    small = [0 < c < SMALL_COUNT for c in values]
    texts = [f"<{SMALL_COUNT}" if s else f"{c:,}" for c, s in zip(values, small, strict=True)]
    if sum(small) == 1:
        others = [(c, i) for i, (c, s) in enumerate(zip(values, small, strict=True))
                  if c > 0 and not s]
        if others:
            texts[min(others)[1]] = HIDDEN
    return texts
