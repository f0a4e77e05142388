"""Shape frames into the tables pages show, with column names in the users' words."""

from __future__ import annotations

import pandas as pd

from geodata import DISTRICTS
from loaders.vocab import SERVICE_CATEGORIES


def district_rate_table(rates: pd.DataFrame) -> pd.DataFrame:
    """Return district rates as a table to read: name, reports, residents, rate."""
    return pd.DataFrame(
        {
            "District": rates["district_name"],
            "Per 1,000 residents": rates["per_1000"].round(2),
            "Reports": rates["reports"],
            "Residents": rates["population"],
        }
    )


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
