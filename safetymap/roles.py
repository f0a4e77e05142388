"""Name the roles of CONTRACT §5 and the disclosure rules that go with them.

``analyst`` sees everything, including demographics and survey comments; ``police`` (Safer
Neighbourhood Teams) sees report points and hotspots but no demographics or comments;
``partner`` sees aggregates only, with counts from 1 to 4 shown as "<5" and survey
percentages hidden where the unweighted base is under 50. No role ever sees a confidential
service's location: the loaders drop it before any role is applied.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["analyst", "police", "partner"]
ROLES: tuple[Role, ...] = get_args(Role)

#: Smallest count a partner may see; smaller non-zero counts show as "<5".
SMALL_COUNT = 5
#: Smallest unweighted survey base whose percentages a partner may see.
SMALL_BASE = 50


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
