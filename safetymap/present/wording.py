"""Turn figures into the words and table cells pages show (pure, no Streamlit)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from safetymap.analysis.places import RANKING_RULE, STANDING_DEFINITIONS, STANDINGS
from safetymap.roles import SMALL_BASE, SMALL_COUNT, Role, count_text

HIDDEN_BASE = f"Hidden: fewer than {SMALL_BASE} answers"


def pct_with_ci(pct: float, low: float, high: float) -> str:
    """Return "23.4% (95% CI 19.0 to 28.3)", or "no answers" when the share is missing."""
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return "no answers"
    return f"{pct:.1f}% (95% CI {low:.1f} to {high:.1f})"


def survey_table(indicators: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return district indicators as a table to read, with suppressed rows in words."""
    rows = []
    for row in indicators.to_dict("records"):
        hidden = bool(row.get("suppressed", False))
        rows.append(
            {
                "District": row["district_name"],
                "Unsafe after dark": HIDDEN_BASE if hidden else pct_with_ci(
                    row["unsafe_after_dark_pct"], row["after_dark_ci_low"],
                    row["after_dark_ci_high"],
                ),
                "Unsafe by day": HIDDEN_BASE if hidden else pct_with_ci(
                    row["unsafe_day_pct"], row["day_ci_low"], row["day_ci_high"]
                ),
                "Answers after dark": count_text(int(row["base_after_dark"]), role),
                "Answers by day": count_text(int(row["base_day"]), role),
            }
        )
    return pd.DataFrame(rows)


def change_words(change: float, significant: bool, since: str | None) -> str:
    """Return "up 4.2 points since 2026 H1 (a real change at 95%)" or similar."""
    if since is None or change is None or (isinstance(change, float) and math.isnan(change)):
        return "no earlier period to compare"
    direction = "up" if change > 0 else "down" if change < 0 else "unchanged,"
    verdict = "a real change at 95%" if significant else "within chance"
    return f"{direction} {abs(change):.1f} points since {since} ({verdict})"


def reports_headline(
    total: int, residents: int, districts: int, role: Role, *, text: str | None = None
) -> str:
    """Return the county map's headline; a suppressed count hides its rate as well.

    ``text`` is the count as the viewer may see it (a partner's, from the release); by
    default :func:`safetymap.disclosure.count_text`.
    """
    count = text if text is not None else count_text(total, role)
    plural = "s" if districts != 1 else ""
    if not count[0].isdigit():
        return (
            f"**{count}** StreetSafe reports in the selection, across {districts} "
            f"district{plural}."
        )
    rate = total / residents * 1000 if residents else 0.0
    return (
        f"**{count}** StreetSafe reports in the selection: **{rate:.2f}** reports per 1,000 "
        f"residents across {districts} district{plural}."
    )


def places_note(
    *, tested: bool, hot_spots: int, window: tuple[date, date] | None, role: Role
) -> str:
    """Return what the places list is and how it is ranked, for the page and the briefing.

    Parameters
    ----------
    tested
        Whether the selection held enough reports for the hot spot test.
    hot_spots
        Hexagons the test marked hot in the selection.
    window
        The 12 months a place's standing looks at (``places.standing_window``).
    role
        Who reads it: partners are told that places of fewer than 5 reports are left out.
    """
    words = [RANKING_RULE]
    if not tested:
        words.append("This is a list of the busiest places, not a significance test: the "
                      "selection holds too few reports for the hot spot test.")
    elif hot_spots == 0:
        words.append("This is a list of the busiest places, not a significance test: the hot "
                     "spot test found no hot spot in this selection.")
    else:
        words.append("The list counts reports; the hot spots on the map are the "
                     "significance test.")
    words.append(
        "A place is the reports lying within 150 m of one another (in hexagons about 130 m "
        "across), named by the nearest town or neighbourhood and the distance and direction "
        "from its centre."
    )
    if window is not None:
        words.append(f"Last 12 months ({window[0]:%d %b %Y} to {window[1]:%d %b %Y}): "
                     + " ".join(f"{STANDINGS[key]}: {STANDING_DEFINITIONS[key]}"
                                for key in STANDINGS))
    if role == "partner":
        words.append(f"Places holding fewer than {SMALL_COUNT} reports are not listed.")
    return " ".join(words)
