"""Shape frames into the tables pages show, with column names in the users' words."""

from __future__ import annotations

import pandas as pd

from geodata import DISTRICTS
from loaders.vocab import SERVICE_CATEGORIES
from safetymap.roles import Role, suppressed_counts


def district_rate_table(rates: pd.DataFrame, role: Role) -> pd.DataFrame:
    """Return district rates as a table to read: name, rate, reports, residents.

    For partners, small counts are suppressed (with secondary suppression) and so is the
    rate of a suppressed count, since rate and residents together would give it back.
    """
    table = pd.DataFrame(
        {
            "District": rates["district_name"],
            "Per 1,000 residents": rates["per_1000"].round(2),
            "Reports": rates["reports"],
            "Residents": rates["population"],
        }
    )
    if role == "partner":
        shown = suppressed_counts(rates["reports"].tolist(), role)
        table["Reports"] = shown
        table["Per 1,000 residents"] = [
            f"{rate:.2f}" if text[0].isdigit() else text
            for rate, text in zip(rates["per_1000"], shown, strict=True)
        ]
    return table


def _coverage_words(coverage: str) -> str:
    if coverage == "county":
        return "Whole county"
    return ", ".join(DISTRICTS.get(code, code) for code in coverage.split(";"))


def services_table(services: pd.DataFrame) -> pd.DataFrame:
    """Return the services without any location: name, category, hours, phone, area."""
    return pd.DataFrame(
        {
            "Service": services["name"],
            "Category": services["category"].map(SERVICE_CATEGORIES),
            "Opening hours": services["opening_hours"],
            "Phone": services["phone"],
            "Covers": services["coverage"].map(_coverage_words),
            "Eligibility": services["eligibility"],
        }
    )
