"""Make printable documents: the patrol briefing and the partnership board pack.

- :mod:`safetymap.reports.charts` draws the static map and charts as PNG bytes.
- :mod:`safetymap.reports.briefing` builds the patrol briefing (PDF or HTML) for police and
  analysts.
- :mod:`safetymap.reports.board_pack` builds the partnership board pack (PDF) and the pure
  pieces the board overview page shows.

Shared here: the text cleaning every document needs (:func:`printable`), the fonts, and the
A4 page (:class:`ReportPDF`) with its synthetic-data banner and footer. Text from any input
is data: it is cleaned before it is drawn and escaped before it is written into HTML.

Fonts
-----
fpdf2 ships no font of its own, and its core fonts only know latin-1. matplotlib, a
dependency of the project, ships DejaVu Sans (regular, bold, oblique), which covers Latin,
Greek and Cyrillic; PDFs embed it. A character the font lacks is drawn as "?" instead of
being dropped silently, and control and format characters (such as a right-to-left
override) are removed. Should the font files be missing, the PDFs fall back to the core
Helvetica font and the text to latin-1 (an en dash becomes "-", "\\u2265" becomes ">=").
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Literal

import matplotlib
from fontTools.ttLib import TTFont  # a dependency of matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

#: Banner on every page of a document made from synthetic data.
SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA \u2014 not real reports"
#: Family name under which DejaVu Sans is registered in a PDF.
FONT_FAMILY = "DejaVu"
#: Page margins in millimetres (left and right, top, bottom).
MARGIN_MM = 12.0
#: Width of the A4 page's text block in millimetres.
TEXT_WIDTH_MM = 210.0 - 2 * MARGIN_MM

FontStyle = Literal["", "B", "I"]
_FONT_FILES: dict[FontStyle, str] = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
}
#: Latin-1 stand-ins for characters the project's own wording uses.
_LATIN1_STAND_INS = {
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2265": ">=", "\u2264": "<=",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
    "\u2192": "->", "\u2022": "-", "\u00d7": "x", "\u2248": "~",
}
#: Unicode categories never drawn: controls, format characters (bidi overrides, zero-width
#: joiners), surrogates, private use and unassigned code points.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


@lru_cache(maxsize=1)
def font_files() -> dict[FontStyle, Path] | None:
    """Return matplotlib's DejaVu Sans files by fpdf2 style, or None if any is missing."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = {style: folder / name for style, name in _FONT_FILES.items()}
    return files if all(path.is_file() for path in files.values()) else None


@lru_cache(maxsize=1)
def _font_codepoints() -> frozenset[int]:
    """Return the code points every style of DejaVu Sans can draw (empty without fonts)."""
    files = font_files()
    if files is None:
        return frozenset()
    covered: set[int] | None = None
    for path in files.values():
        with TTFont(str(path), lazy=True) as font:
            points = set(font.getBestCmap())
        covered = points if covered is None else covered & points
    return frozenset(covered or ())


def printable(text: object, *, latin1: bool = False, newlines: bool = False) -> str:
    """Return ``text`` as a string every report font can draw.

    Parameters
    ----------
    text
        Anything; ``None`` becomes "".
    latin1
        Limit the result to latin-1 (for fpdf2's core fonts); otherwise to the characters
        of DejaVu Sans, or latin-1 when the font files are missing.
    newlines
        Keep line breaks; otherwise every control character becomes a space.

    Returns
    -------
    str
        NFC-normalised text without control or format characters; a character the font
        cannot draw becomes "?".
    """
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text))
    glyphs = frozenset() if latin1 else _font_codepoints()
    out: list[str] = []
    for char in value:
        if char == "\n" and newlines:
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES or category in {"Zl", "Zp"}:
            # Controls (tabs, line breaks) separate words; format characters do not.
            out.append(" " if category in {"Cc", "Zl", "Zp"} else "")
        elif glyphs:
            out.append(char if ord(char) in glyphs else "?")
        elif ord(char) < 256:
            out.append(char)
        else:
            stand_in = _LATIN1_STAND_INS.get(char)
            if stand_in is None:
                folded = unicodedata.normalize("NFKD", char)
                stand_in = "".join(c for c in folded if ord(c) < 256 and not
                                   unicodedata.combining(c)) or "?"
            out.append(stand_in)
    return "".join(out)


def day_text(day: date) -> str:
    """Return a date as "3 Oct 2026"."""
    return f"{day.day} {day:%b %Y}"


def period_text(period: tuple[date, date] | None) -> str:
    """Return a period as "3 Oct 2026 to 30 Oct 2026", or "no period" when None."""
    if period is None:
        return "no period"
    return f"{day_text(period[0])} to {day_text(period[1])}"


class ReportPDF(FPDF):
    """An A4 portrait page with the project's fonts, a synthetic-data banner and a footer.

    Parameters
    ----------
    title
        Document title, repeated in the footer of every page.
    synthetic
        Draw :data:`SYNTHETIC_BANNER` across the top of every page (and in the footer).
    generated
        Date the document was made; also its PDF creation date, so the same inputs give
        the same file.
    """

    def __init__(self, *, title: str, synthetic: bool, generated: date) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document_title = title
        self.synthetic = synthetic
        self.generated = generated
        files = font_files()
        self.unicode_fonts = files is not None
        if files is not None:
            for style, path in files.items():
                self.add_font(FONT_FAMILY, style, str(path))
        self.font_name = FONT_FAMILY if self.unicode_fonts else "helvetica"
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(self.clean(title))
        self.set_creator("safetymap")
        self.set_creation_date(datetime.combine(generated, time(0, 0)).astimezone())
        self.alias_nb_pages()

    def clean(self, value: object, *, newlines: bool = False) -> str:
        """Return ``value`` cleaned for this document's font (see :func:`printable`)."""
        return printable(value, latin1=not self.unicode_fonts, newlines=newlines)

    def use_font(self, size: float, style: FontStyle = "") -> None:
        """Set the document font at ``size`` points in ``style`` ("", "B" or "I")."""
        self.set_font(self.font_name, style, size)

    def header(self) -> None:
        """Draw the synthetic-data banner, when the data are synthetic."""
        if not self.synthetic:
            self.set_y(MARGIN_MM)
            return
        # Black with white capitals: unmistakable on screen and in black-and-white print.
        self.set_fill_color(0, 0, 0)
        self.set_text_color(255, 255, 255)
        self.use_font(11, "B")
        self.set_xy(MARGIN_MM, 6)
        self.cell(TEXT_WIDTH_MM, 8, self.clean(SYNTHETIC_BANNER), align="C", fill=True)
        self.set_text_color(0, 0, 0)
        self.set_y(17)

    def footer(self) -> None:
        """Write the title, the date made, the page number and the data label."""
        self.set_y(-12)
        self.use_font(7)
        self.set_text_color(60, 60, 60)
        label = "Synthetic demo data, not real reports. " if self.synthetic else ""
        self.cell(
            TEXT_WIDTH_MM * 0.75, 5,
            self.clean(f"{label}{self.document_title}. Made {day_text(self.generated)}."),
        )
        self.cell(TEXT_WIDTH_MM * 0.25, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, value: str, *, size: float = 12, space: float = 2.0) -> None:
        """Write a bold heading on a line of its own."""
        self.ln(space)
        self.use_font(size, "B")
        self.multi_cell(0, size * 0.45, self.clean(value), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, value: str, *, size: float = 8.5, style: FontStyle = "") -> None:
        """Write wrapped text across the text block."""
        self.use_font(size, style)
        self.multi_cell(0, size * 0.45, self.clean(value, newlines=True),
                        new_x="LMARGIN", new_y="NEXT")

    def png(self, data: bytes, *, width: float, x: float | None = None) -> None:
        """Place a PNG image ``width`` mm wide at the current line and move below it."""
        # Without `y`, fpdf2 places the image at the current line, breaking the page
        # first if it does not fit, and moves the current line below it.
        self.image(BytesIO(data), x=MARGIN_MM if x is None else x, w=width)
        self.ln(1)

    def words_table(
        self,
        headings: list[str],
        rows: list[list[str]],
        *,
        widths: tuple[float, ...],
        size: float = 7.5,
        align: tuple[str, ...] | None = None,
        width: float = TEXT_WIDTH_MM,
    ) -> None:
        """Write a table of text with a bold heading row, wrapping long cells.

        Parameters
        ----------
        headings
            Column headings.
        rows
            Cell texts, one list per row.
        widths
            Relative column widths.
        size
            Font size in points.
        align
            "LEFT", "RIGHT" or "CENTER" per column; left by default.
        width
            Width of the table in millimetres, from the left margin; the text block's
            by default.
        """
        self.use_font(size)
        self.set_draw_color(120, 120, 120)
        heading_style = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
        with self.table(
            col_widths=widths,
            width=width,
            align="LEFT",
            line_height=size * 0.45,
            headings_style=heading_style,
            borders_layout="HORIZONTAL_LINES",
            text_align=align or "LEFT",
            padding=0.8,
        ) as table:
            row = table.row()
            for value in headings:
                row.cell(self.clean(value))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.clean(value, newlines=True))
        self.set_draw_color(0, 0, 0)
        self.ln(1)
