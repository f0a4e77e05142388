"""Build an agency's action list: the places where its reasons were given, as a PDF too.

:func:`build_action_list` works the list out once (with
:func:`safetymap.analysis.actions.agency_actions`, shaped for the role by
:func:`safetymap.present.tables.agency_actions_table`); the Action lists page, its
downloads and ``safetymap actions`` all show that one table, and :func:`action_list_pdf`
lays it out as an A4 PDF, one per agency.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from loaders.counts import ReportCounts
from safetymap.agencies import Agency
from safetymap.analysis.actions import RANKING_RULE, agency_actions
from safetymap.analysis.counts import as_counts, selection_period
from safetymap.analysis.filters import Filters
from safetymap.analysis.patrol import area_name, study_area
from safetymap.analysis.places import STANDING_DEFINITIONS, STANDINGS
from safetymap.disclosure import (
    partner_hotspot_filters,
    partner_quarter,
    quarter_words,
)
from safetymap.present.tables import agency_actions_table
from safetymap.reports import SYNTHETIC_BANNER, ReportPDF, day_text, period_text
from safetymap.roles import SMALL_COUNT, Role, check_role

__all__ = ["ActionList", "action_list_pdf", "build_action_list", "nothing_listed"]


@dataclass(frozen=True, eq=False)
class ActionList:
    """One agency's action list for a selection and a role, ready to show or lay out.

    Attributes
    ----------
    agency
        The agency.
    role
        Who it is for; ``table`` follows that role's rules.
    area, period
        The selection's area in words and its first and last day (None: no report).
    table
        :func:`safetymap.present.tables.agency_actions_table`: one row per place.
    listed_before_rules
        Places where at least one report gives the agency's reasons, before the role's
        rules (for police and analysts, the rows of ``table``).
    notes
        Sentences on what the list is, how it is ranked, what the standing means and,
        for partners, what is left out.
    synthetic, origin, generated
        Whether the data are synthetic, where they came from, and the date made.
    """

    agency: Agency
    role: Role
    area: str
    period: tuple[date, date] | None
    table: pd.DataFrame
    listed_before_rules: int
    notes: tuple[str, ...]
    synthetic: bool
    origin: str
    generated: date

    @property
    def title(self) -> str:
        """Return the title: "Action list: <agency>"."""
        return f"Action list: {self.agency.name}"

    @property
    def summary(self) -> str:
        """Return one sentence naming the agency's reasons, the area and the period."""
        return (f"Places in {self.area}, {period_text(self.period)}, where people said they "
                f"felt unsafe for a reason {self.agency.name} can act on: "
                f"{self.agency.reason_words}.")


def build_action_list(
    reports: ReportCounts | pd.DataFrame,
    filters: Filters,
    agency: Agency,
    *,
    role: Role,
    synthetic: bool,
    origin: str,
    generated: date | None = None,
) -> ActionList:
    """Work out an agency's action list for a selection, as ``role`` may see it.

    Parameters
    ----------
    reports
        Where the StreetSafe reports are counted.
    filters
        The selection (for partners already on their lattice: whole months, no time or
        reason filter); its reasons are not applied, the agency's reasons are.
    agency
        The agency.
    role
        Who the list is for.
    synthetic, origin
        Whether the data are synthetic and where they came from (``Dataset``'s).
    generated
        The date made; today by default.
    """
    check_role(role)
    counts = as_counts(reports)
    everything = replace(filters, reasons=())
    area_words = area_name(filters.districts)
    if role == "partner":
        # Places are off the partners' release: as for hot spots, partners get them by
        # calendar quarter and for the whole county only, so that no two lists nest
        # (safetymap.disclosure.partner_hotspot_filters); the districts chosen then pick
        # rows of the county's list.
        quarter = partner_quarter(counts, filters.end)
        everything = partner_hotspot_filters(quarter)
    actions = agency_actions(counts, everything, agency,
                             area=study_area(everything.districts))
    if role == "partner" and filters.districts:
        actions = actions[actions["district_code"].isin(filters.districts)]
    table = agency_actions_table(actions, role)
    notes = [RANKING_RULE,
             ("A place is the reports lying within 150 m of one another, as in the list of "
             "places to patrol; a place is listed when at least one of its reports gives "
             "one of the agency's reasons (a report may give several reasons, so the "
             "reasons' counts can add up to more than the reports giving them). Peak day "
             "and time are those of the reports giving the agency's reasons."),
             "Last 12 months: " + " ".join(f"{STANDINGS[key]}: {STANDING_DEFINITIONS[key]}"
                                           for key in STANDINGS)]
    if filters.reasons:
        notes.append("The reasons chosen in the filters are not applied here: the agency's "
                     "own reasons choose the reports.")
    if role == "partner":
        notes.append("For partners, places are listed by calendar quarter, found over the "
                     "whole county (the districts chosen then pick rows of it), so that no "
                     "two lists can be set against each other: here "
                     f"{quarter_words(quarter) if quarter else 'no quarter (no report)'}.")
        notes.append(f"For partners: only places where {SMALL_COUNT} or more reports give "
                     f"the agency's reasons are listed, counts read \"{SMALL_COUNT} or "
                     f"more\", and a reason, day or time is named only when it describes "
                     f"{SMALL_COUNT} reports or more. No centre is given.")
    if agency.acts_on:
        notes.insert(0, f"{agency.name}: {agency.acts_on}")
    if synthetic:
        notes.insert(0, f"{SYNTHETIC_BANNER}: made up for demonstration and testing.")
    return ActionList(
        agency=agency, role=role, area=area_words,
        period=selection_period(counts, everything), table=table,
        listed_before_rules=len(actions), notes=tuple(notes), synthetic=synthetic,
        origin=origin, generated=generated or date.today(),
    )


#: Most places a PDF lists; the CSV holds every one.
PDF_PLACES = 40
#: Columns of the PDF's table, and their relative widths.
_PDF_COLUMNS = ("#", "Place", "Reports (these reasons)", "Reasons", "Peak day and time",
                "Why it is on the list")
_PDF_WIDTHS = (4, 20, 10, 22, 16, 38)


def _pdf_rows(table: pd.DataFrame) -> list[list[str]]:
    rows = []
    for place in table.to_dict("records"):
        where = f"{place['Place']}, {place['District']}"
        if "Latitude" in place:
            where += f" ({place['Latitude']:.5f}, {place['Longitude']:.5f})"
        peak = ", ".join(str(part) for part in (place["Peak day"], place["Peak time"])
                         if part and part != "\u2014")
        rows.append([str(place["Rank"]), where,
                     f"{place['Reports']} ({place['Giving these reasons']})",
                     str(place["Reasons"]), peak or "\u2014",
                     str(place["Why it is on the list"])])
    return rows


def nothing_listed(action_list: ActionList) -> str:
    """Say why the list is empty, in words the role may read."""
    if action_list.role == "partner":  # the same words whether a few reports gave them or none
        return (f"No place where {SMALL_COUNT} or more reports give these reasons in this "
                "quarter; partners see places only from that many.")
    return "No report in this selection gives these reasons, so no place to list."


def action_list_pdf(action_list: ActionList) -> bytes:
    """Lay an agency's action list out as an A4 PDF: title, summary, the places, notes.

    The first :data:`PDF_PLACES` places are listed (and how many more the CSV holds).
    """
    pdf = ReportPDF(title=action_list.title, synthetic=action_list.synthetic,
                    generated=action_list.generated)
    pdf.add_page()
    pdf.use_font(16, "B")
    pdf.multi_cell(0, 7.5, pdf.clean(action_list.title), new_x="LMARGIN", new_y="NEXT")
    pdf.paragraph(action_list.summary, size=9)
    pdf.paragraph(f"Made {day_text(action_list.generated)} for the {action_list.role} role. "
                  f"Source: {action_list.origin}", size=8)
    pdf.heading("Places", size=11)
    if action_list.table.empty:
        pdf.paragraph(nothing_listed(action_list))
    else:
        pdf.words_table(list(_PDF_COLUMNS), _pdf_rows(action_list.table.head(PDF_PLACES)),
                        widths=_PDF_WIDTHS, size=7,
                        align=("CENTER", "LEFT", "RIGHT", "LEFT", "LEFT", "LEFT"))
        more = len(action_list.table) - PDF_PLACES
        if more > 0:
            pdf.paragraph(f"The first {PDF_PLACES} places are listed; {more:,} more are in "
                          "the CSV download.", size=8, style="B")
    pdf.heading("Notes", size=11)
    for note in action_list.notes:
        pdf.paragraph(note, size=8, style="B" if note.startswith(SYNTHETIC_BANNER) else "")
        pdf.ln(0.8)
    return bytes(pdf.output())
