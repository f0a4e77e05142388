"""Read a CSV or XLSX export into text columns, and match its headers to the contract."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from loaders.problems import Problem, quote_found

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


def header_key(header: str) -> str:
    """Return a header's matching key: case, spaces, ``-`` and ``_`` ignored."""
    return re.sub(r"[\s\-_]+", "", str(header).strip().lower())


class FileProblem(Exception):  # noqa: N818 - carries a Problem, it is not an "Error" class
    """A whole file cannot be read; carries the one problem that says why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.message())


@dataclass
class RawTable:
    """An export as text: every cell a string, blanks as ``""``, in file order."""

    path: Path
    frame: pd.DataFrame
    notices: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Return the file name used in messages."""
        return self.path.name


def _whole_file(path: Path, expected: str, found: str) -> FileProblem:
    return FileProblem(Problem(path.name, None, None, expected, found))


def _read_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    notices: list[str] = []
    data = path.read_bytes()
    if not data.strip():
        raise _whole_file(path, "a header row and data rows", "an empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        notices.append(f"{path.name}: not UTF-8; read as Windows-1252 (cp1252). Save as UTF-8.")
    if "\x00" in text[:4096]:
        raise _whole_file(path, "a CSV text file (UTF-8)", "binary data")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as error:
        counts = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if counts is None:
            raise _whole_file(path, "a CSV file with the same number of fields in every row",
                              "rows that cannot be read") from None
        expected, line, saw = counts.groups()
        raise FileProblem(Problem(
            path.name, int(line), None, f"{expected} fields, as in the header row",
            f"{saw} fields (a comma inside a value needs quotes)",
        )) from None
    except pd.errors.EmptyDataError:
        raise _whole_file(path, "a header row and data rows", "an empty file") from None
    return frame, notices



def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _whole_file(path, "an Excel workbook (.xlsx)",
                          f"a file Excel cannot open ({type(error).__name__})") from None
    return frame


def read_table(path: Path) -> RawTable:
    """Read one export into a :class:`RawTable`.

    Raises
    ------
    FileProblem
        When the file is missing, empty, of an unsupported format or not readable; the
        problem names the file and what was wrong with it.
    """
    if not path.is_file():
        raise _whole_file(path, "a file", "nothing at that path")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _whole_file(path, "a .csv or .xlsx file", quote_found(suffix or "no extension"))
    notices: list[str] = []
    if suffix == ".csv":
        frame, notices = _read_csv(path)
    else:
        frame = _read_xlsx(path)
    frame.columns = [str(column) for column in frame.columns]
    frame = frame.fillna("").astype(str)
    if frame.empty:
        notices.append(f"{path.name}: no data rows.")
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # file row numbers, header = row 1
    return RawTable(path, frame, notices)


def match_headers(
    table: RawTable, aliases: dict[str, tuple[str, ...]], extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Return ``{canonical field: column in the file}`` for the headers the file has.

    Parameters
    ----------
    table
        The file read by :func:`read_table`.
    aliases
        Each canonical field with the other names it may appear under.
    extra
        A deployment's own header mapping (file header → canonical field).

    Raises
    ------
    FileProblem
        When two columns of the file mean the same field.
    """
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            lookup[header_key(name)] = canonical
    for header, canonical in (extra or {}).items():
        lookup[header_key(header)] = canonical
    found: dict[str, str] = {}
    for column in table.frame.columns:
        match = lookup.get(header_key(column))
        if match is None:
            continue
        canonical = match
        if canonical in found:
            raise _whole_file(
                table.path,
                f"one column for field {canonical}",
                f'two: "{found[canonical]}" and "{column}"',
            )
        found[canonical] = column
    return found
