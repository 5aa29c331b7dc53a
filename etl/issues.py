"""Problems found in input files: what the ETL tells the office, in German.

An ``Issue`` names the place (file, sheet, row, column), the offending value and what was expected.
Errors stop a build; warnings are loaded and shown on the data-quality page.
"""
from __future__ import annotations

from dataclasses import dataclass, asdict


@dataclass(frozen=True)
class Issue:
    severity: str  # "error" | "warning"
    message: str  # German, one sentence: what is wrong
    file: str | None = None  # file name (not the full path)
    sheet: str | None = None
    row: int | None = None  # 1-based row number as the user sees it (Excel row, text line)
    column: str | None = None  # column name as in the file header
    value: str | None = None  # offending value, shortened to 80 characters
    expected: str | None = None  # German: what would have been valid

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"Datei {self.file}")
        if self.sheet:
            parts.append(f"Blatt {self.sheet}")
        if self.row is not None:
            parts.append(f"Zeile {self.row}")
        if self.column:
            parts.append(f"Spalte {self.column}")
        return ", ".join(parts)

    def text(self) -> str:
        """One line for the console, e.g. 'FEHLER Datei x.xlsx, Blatt Initiativen, Zeile 5, Spalte Status: ...'"""
        label = "FEHLER" if self.severity == "error" else "WARNUNG"
        out = f"{label} {self.where()}: {self.message}" if self.where() else f"{label}: {self.message}"
        if self.value is not None:
            out += f" (Wert: {self.value!r})"
        if self.expected:
            out += f"; erwartet: {self.expected}"
        return out

    def as_dict(self) -> dict:
        return asdict(self)


def short(value: object, limit: int = 80) -> str | None:
    """A value as text for a message, shortened; None stays None."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InputError(Exception):
    """User-facing input problem(s): the build stops and prints them, no traceback."""

    def __init__(self, issues: list[Issue] | Issue):
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__("\n".join(i.text() for i in self.issues))
