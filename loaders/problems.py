"""Describe what is wrong with an input: one problem per file, row and field."""

from __future__ import annotations

from dataclasses import dataclass

_MAX_FOUND = 60


def quote_found(value: object) -> str:
    """Return a value as it was found, quoted and shortened, for an error message.

    The text is data, not markup: callers that show it in HTML must escape it.
    """
    text = "" if value is None else str(value)
    if text.strip() == "":
        return "blank"
    if len(text) > _MAX_FOUND:
        text = text[: _MAX_FOUND - 1] + "…"
    return '"' + text.replace("\n", " ").replace("\r", " ") + '"'


@dataclass(frozen=True)
class Problem:
    """One reason an input, or one row of it, was refused.

    ``row`` is 1-based with the header as row 1; it is None for a whole-file problem.
    ``found`` is already quoted by :func:`quote_found` (or says why a value is withheld).
    """

    file: str
    row: int | None
    field: str | None
    expected: str
    found: str

    def message(self) -> str:
        """Return the problem as one line a user can act on."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field {self.field}"
        return f"{where}: expected {self.expected}, found {self.found}"

    def __str__(self) -> str:
        return self.message()


class LoadError(ValueError):
    """An input was refused; the message lists every problem, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [problem.message() for problem in problems]
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(lines))
