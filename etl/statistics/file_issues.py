"""Issues about one statistics file: German messages naming the file, line, column, value and what was
expected."""
from __future__ import annotations

from pathlib import Path

from etl.issues import Issue, short

#: Most issues listed in one InputError; the rest are counted in a closing summary issue.
MAX_LISTED_ISSUES = 50


def error(path: Path, message: str, *, row: int | None = None, column: str | None = None,
          value: object = None, expected: str | None = None) -> Issue:
    """An error about the file at ``path``."""
    return Issue("error", message, file=path.name, row=row, column=column, value=short(value), expected=expected)


def warning(path: Path, message: str, *, row: int | None = None, column: str | None = None,
            value: object = None, expected: str | None = None) -> Issue:
    """A warning about the file at ``path``."""
    return Issue("warning", message, file=path.name, row=row, column=column, value=short(value), expected=expected)
