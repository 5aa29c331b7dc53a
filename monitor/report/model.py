"""The report as data: a frozen dataclass tree that every writer (PDF, DOCX, XLSX) renders the same way.

- :class:`Table`: typed cells (int, float, date, str, bool or None) with :class:`Column` kinds, so the XLSX
  writer keeps numbers as numbers and the PDF/DOCX writers format them German (``1.234 €``, ``31.12.2025``).
- :class:`Chart`: a plotly figure as JSON plus its pixel size; :mod:`monitor.report.figures` turns it into PNG.
- Blocks (:class:`Heading`, :class:`Text`, :class:`Figures`, :class:`TableBlock`, :class:`ChartBlock`,
  :class:`PageBreak`): the document in reading order; PDF and DOCX walk the same blocks, so both carry the
  same content.

No personal data ever enters these types: :func:`monitor.report.content.build_report` selects no contact
column, and :meth:`Table.__post_init__` refuses a column whose name points to contact data.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Union

import pandas as pd

from monitor.core import format as fmt

#: Column kinds: how a cell is formatted in PDF/DOCX and which Excel number format it gets.
KINDS = ("text", "int", "number", "auto", "eur", "percent", "date", "bool")
_PERSONAL = re.compile(r"contact|ansprech|e-?mail|telefon|phone", re.IGNORECASE)
INTERNAL_LABEL = "INTERN – nicht zur Weitergabe"
PILOT_ACTION = "A future for lagging regions"


@dataclass(frozen=True)
class Column:
    """One table column: ``key`` (English id), German ``label``, ``kind`` (see ``KINDS``; ``auto`` = a number
    with only the decimals it needs), ``decimals`` for kind number/percent, ``width`` a relative width hint
    for PDF/DOCX, ``short`` an optional hyphenated header for narrow print columns."""

    key: str
    label: str
    kind: str = "text"
    decimals: int = 0
    width: float = 1.0
    short: str = ""  # header for narrow print columns, "\n" = line break (PDF); empty = label

    @property
    def print_label(self) -> str:
        return self.short or self.label

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "number", "auto", "eur", "percent")

    @property
    def excel_format(self) -> str | None:
        """Excel number format of the column (None for text)."""
        if self.kind in ("int", "eur"):
            return "#,##0"
        if self.kind in ("number", "percent"):
            return "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        if self.kind == "date":
            return "DD.MM.YYYY"
        return None  # text; "auto" numbers keep Excel's General format


Cell = Union[str, int, float, bool, dt.date, None]


def cell_text(value: Cell, column: Column) -> str:
    """A cell as German text: numbers with thousands dots and decimal comma, € and % with a space, dates
    ``31.12.2025``, booleans ja/nein; missing -> '–'."""
    if value is None:
        return fmt.MISSING
    kind = column.kind
    if kind == "int":
        return fmt.number(value)
    if kind == "number":
        return fmt.number(value, column.decimals)
    if kind == "auto":  # a number, or the reason a value is missing ('k. A. – noch nicht verfügbar')
        return value if isinstance(value, str) else auto_number(value)
    if kind == "eur":
        return fmt.eur(value)
    if kind == "percent":
        return fmt.percent(value, column.decimals)
    if kind == "date":
        return fmt.date(value)
    if kind == "bool" or isinstance(value, bool):
        return "ja" if value else "nein"
    return str(value)


def auto_number(value) -> str:
    """A number with as many decimals as it needs (0, 1 or 2): ``814.0 -> '814'``, ``369.84 -> '369,84'``."""
    v = float(value)
    for decimals in (0, 1, 2):
        if abs(round(v, decimals) - v) < 1e-9 * max(1.0, abs(v)):
            return fmt.number(v, decimals)
    return fmt.number(v, 2)


@dataclass(frozen=True)
class Table:
    """A titled table with typed rows (tuples in column order). ``key`` names the topic (also the XLSX
    sheet); ``note`` is printed below it; ``empty_text`` replaces an empty table in PDF/DOCX."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    empty_text: str = "Keine Einträge."

    def __post_init__(self):
        for c in self.columns:
            if _PERSONAL.search(c.key) or _PERSONAL.search(c.label):
                raise ValueError(f"column {c.key!r} looks like personal data; reports never carry it")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.key}: row has {len(row)} cells, expected {len(self.columns)}")

    def __len__(self) -> int:
        return len(self.rows)

    def texts(self) -> list[list[str]]:
        """Every row as German text cells."""
        return [[cell_text(v, c) for v, c in zip(row, self.columns)] for row in self.rows]

    def column(self, key: str) -> list[Cell]:
        """The values of column ``key``."""
        i = next(n for n, c in enumerate(self.columns) if c.key == key)
        return [row[i] for row in self.rows]

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame with the German labels as headers (typed values, not text)."""
        return pd.DataFrame([list(r) for r in self.rows], columns=[c.label for c in self.columns])


@dataclass(frozen=True)
class KeyFigure:
    """One headline number: ``value`` of ``kind`` (int | eur | text), German ``label``, optional ``note``."""

    key: str
    label: str
    value: Cell
    kind: str = "int"
    note: str = ""

    def text(self) -> str:
        return cell_text(self.value, Column(self.key, self.label, self.kind))


@dataclass(frozen=True)
class Chart:
    """A plotly figure for the report: ``figure_json`` (``fig.to_json()``), its size in CSS pixels,
    a German ``caption`` (what it shows, source, Stand) and ``alt`` text for screen readers."""

    key: str
    figure_json: str
    width: int
    height: int
    caption: str
    alt: str = ""


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = chapter, 2 = section, 3 = subsection
    text: str
    key: str


@dataclass(frozen=True)
class Text:
    text: str
    style: str = "body"  # body | lead | note | assessment | warning


@dataclass(frozen=True)
class Figures:
    figures: tuple[KeyFigure, ...]


@dataclass(frozen=True)
class TableBlock:
    table: Table
    compact: bool = False  # smaller font for wide tables (annex)
    titled: bool = True  # False when the heading above already names the table


@dataclass(frozen=True)
class ChartBlock:
    chart: Chart


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Union[Heading, Text, Figures, TableBlock, ChartBlock, PageBreak]


@dataclass(frozen=True)
class ThemeSection:
    """Everything the report says about one theme."""

    theme_id: str
    name: str
    colour: str
    figures: tuple[KeyFigure, ...]
    summary: str
    status: Table
    development: Table
    milestones: Table
    funds: Table
    kpis: Table
    indicators: Table
    charts: tuple[Chart, ...]

    def figure(self, key: str) -> Cell:
        return next(f.value for f in self.figures if f.key == key)


@dataclass(frozen=True)
class ReportParams:
    """What to report: the period (inclusive), themes (ids, empty = all four), municipalities (AGS, empty =
    all), ``internal`` (True = include non-public initiatives, every page labelled intern) and the
    office's ``assessment`` text."""

    date_from: dt.date
    date_to: dt.date
    themes: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    internal: bool = False
    assessment: str = ""

    def __post_init__(self):
        if self.date_from > self.date_to:
            raise ValueError("date_from after date_to")


@dataclass(frozen=True)
class Report:
    """The complete report for :class:`ReportParams` on one database."""

    params: ReportParams
    district_name: str
    state_name: str
    stand: dt.date | None
    stand_statistics: dt.date | None
    as_of: dt.date
    synthetic: bool
    title: str
    subtitle: str
    selection: str
    summary: tuple[KeyFigure, ...]
    summary_text: str
    themes: tuple[ThemeSection, ...]
    sheets: tuple[Table, ...]
    charts: tuple[Chart, ...]
    blocks: tuple[Block, ...]
    annex: Table
    sources: Table
    licence_notes: tuple[str, ...]
    method_notes: tuple[str, ...] = field(default=())

    @property
    def internal(self) -> bool:
        return self.params.internal

    @property
    def label(self) -> str:
        """'INTERN – nicht zur Weitergabe' for the internal variant, else ''."""
        return INTERNAL_LABEL if self.params.internal else ""

    @property
    def period_text(self) -> str:
        return f"{fmt.date(self.params.date_from)} – {fmt.date(self.params.date_to)}"

    @property
    def header_text(self) -> str:
        """Running header: district, report and period."""
        return f"{self.district_name} · Bericht {self.period_text}"

    def summary_value(self, key: str) -> Cell:
        return next(f.value for f in self.summary if f.key == key)

    def sheet(self, key: str) -> Table:
        return next(t for t in self.sheets if t.key == key)

    def file_stem(self) -> str:
        """``bericht_2025-07-01_2026-06-30`` (+ ``_intern``)."""
        stem = f"bericht_{self.params.date_from.isoformat()}_{self.params.date_to.isoformat()}"
        return stem + ("_intern" if self.internal else "")

    def stand_text(self) -> str:
        """'Stand der Daten: 30.06.2026 (Statistik: 31.12.2024)'."""
        text = f"Stand der Daten: {fmt.date(self.stand)}"
        if self.stand_statistics and self.stand_statistics != self.stand:
            text += f" (Statistik: {fmt.date(self.stand_statistics)})"
        return text

    def created(self) -> dt.datetime:
        """The fixed document date for file metadata: the data Stand (reproducible), else the period end."""
        day = self.stand or self.params.date_to
        return dt.datetime(day.year, day.month, day.day, 12, 0, 0)
