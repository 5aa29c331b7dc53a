"""Reader of the initiative portfolio workbook (DATA.md §4): normalise, validate, return the portfolio tables.

``read_portfolio(path, municipalities, indicator_ids, today)`` reads the five sheets ``Initiativen``,
``Meilensteine``, ``Statusverlauf``, ``Kennzahlen`` and ``Abstimmungsrunden`` of a hand-kept workbook and
returns the eleven portfolio tables of ``etl/schema.sql`` plus a list of German ``Issue``s.

It accepts what people do in Excel: sheet names and headers with other case, trailing blanks or line breaks,
title rows above the header (the header row is found by its content), empty rows, dates as text
(``31.12.2024``) or as Excel dates, amounts as ``184.500,00 €``, ``12.500`` or numbers, ``ja``/``x``/``nein``,
themes by German name or id, municipalities by name, Sorbian name or AGS, or ``kreisweit``.
Every column is normalised by its own rule (a date column never goes through a number parser).

User errors never raise: they become Issues (errors stop the build, warnings are loaded). Every rule is
checked on every row, so every problem of a workbook is reported at once. Only a file that is not a
readable xlsx raises ``InputError``. A formula cell is read as the result Excel saved with it; a formula without
a saved result (a file written by a script, never opened in Excel) is an error naming the cell, never an empty
cell. Values of the personal columns (Ansprechperson, E-Mail, Telefon) never
appear in an Issue.

Reading uses python-calamine when installed (a Rust reader, about ten times faster on big workbooks) and
openpyxl in read-only mode otherwise; both give the same result.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

try:  # fast Rust reader (about ten times faster on big workbooks); openpyxl read-only mode otherwise
    from python_calamine import CalamineWorkbook
except ImportError:  # pragma: no cover - depends on the environment
    CalamineWorkbook = None

from etl.issues import InputError, Issue, short
from monitor.core.vocab import ORIGINS, STATUSES, THEMES

# ---------------------------------------------------------------------------------------------- contracts

#: Output tables and their columns, exactly as in etl/schema.sql (same names, same order).
TABLE_COLUMNS: dict[str, list[str]] = {
    "initiative": [
        "initiative_id", "title", "summary", "theme", "districtwide", "lead_organisation", "origin", "status",
        "start_date", "end_planned", "total_cost_eur", "funding_granted_eur", "own_funds_eur", "contact_name",
        "contact_email", "contact_phone", "is_public", "lat", "lon", "as_of", "source_row",
    ],
    "initiative_theme": ["initiative_id", "theme", "is_primary"],
    "initiative_municipality": ["initiative_id", "ags"],
    "initiative_programme": ["initiative_id", "programme"],
    "initiative_organisation": ["initiative_id", "organisation", "role"],
    "milestone": ["initiative_id", "seq", "title", "due_date", "done_date"],
    "status_history": ["initiative_id", "date", "status", "note", "seq"],
    "kpi": [
        "initiative_id", "seq", "name", "indicator_id", "unit", "baseline", "target", "target_year", "actual",
        "as_of",
    ],
    "coordination_round": ["round_id", "date", "format", "results"],
    "coordination_round_organisation": ["round_id", "organisation"],
    "coordination_round_initiative": ["round_id", "initiative_id"],
}

SHEET_INITIATIVES = "Initiativen"
SHEET_MILESTONES = "Meilensteine"
SHEET_HISTORY = "Statusverlauf"
SHEET_KPIS = "Kennzahlen"
SHEET_ROUNDS = "Abstimmungsrunden"
SHEETS: tuple[str, ...] = (SHEET_INITIATIVES, SHEET_MILESTONES, SHEET_HISTORY, SHEET_KPIS, SHEET_ROUNDS)


@dataclass(frozen=True)
class ColumnSpec:
    """One workbook column: its German header, its kind (parser), whether the column and a value are required."""

    name: str
    kind: str  # id | text | theme | themes | municipalities | list | origin | status | date | amount |
    #            number | coord | bool | year | personal
    required_column: bool = False
    required_value: bool = False
    recommended: bool = False  # warn (summarised per column) when empty
    aliases: tuple[str, ...] = ()


#: The columns of every sheet (DATA.md §4), in the order of the template.
SHEET_COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    SHEET_INITIATIVES: (
        ColumnSpec("ID", "id", True, True, aliases=("initiativeid", "nr", "nummer")),
        ColumnSpec("Titel", "text", True, True, aliases=("name", "bezeichnung")),
        ColumnSpec("Kurzbeschreibung", "text", recommended=True, aliases=("beschreibung",)),
        ColumnSpec("Thema", "theme", True, True, aliases=("hauptthema",)),
        ColumnSpec("Weitere Themen", "themes", aliases=("weiterethema", "nebenthemen")),
        ColumnSpec("Gemeinden", "municipalities", True, recommended=True, aliases=("gemeinde", "kommunen", "orte")),
        ColumnSpec("Träger", "text", recommended=True, aliases=("projekttraeger", "federfuehrung")),
        ColumnSpec("Partner", "list", aliases=("partnerinnen",)),
        ColumnSpec("Herkunft", "origin", recommended=True, aliases=("ursprung", "impuls")),
        ColumnSpec("Status", "status", True, True, aliases=("aktuellerstatus",)),
        ColumnSpec("Beginn", "date", recommended=True, aliases=("start", "beginnam", "startdatum")),
        ColumnSpec("Ende geplant", "date", aliases=("ende", "geplantesende", "endegeplantam")),
        ColumnSpec("Gesamtkosten €", "amount", aliases=("kosten", "gesamtkosten")),
        ColumnSpec("Fördermittel bewilligt €", "amount", aliases=("foerdermittel", "bewilligtefoerdermittel")),
        ColumnSpec("Eigenmittel €", "amount", aliases=("eigenanteil", "eigenmittel")),
        ColumnSpec("Förderprogramm(e)", "list", aliases=("foerderprogramm", "foerderprogramme", "foerderung")),
        ColumnSpec("Ansprechperson", "personal", recommended=True,
                   aliases=("ansprechpartner", "ansprechpartnerin", "kontakt")),
        ColumnSpec("E-Mail", "personal", aliases=("email", "mail")),
        ColumnSpec("Telefon", "personal", aliases=("tel", "telefonnummer")),
        ColumnSpec("Öffentlich (ja/nein)", "bool", recommended=True, aliases=("oeffentlich",)),
        ColumnSpec("Breitengrad", "coord", aliases=("lat", "breite")),
        ColumnSpec("Längengrad", "coord", aliases=("lon", "laenge")),
        ColumnSpec("Stand", "date", recommended=True, aliases=("standvom", "aktualisiert")),
    ),
    SHEET_MILESTONES: (
        ColumnSpec("Initiative-ID", "id", True, True, aliases=("id", "initiative")),
        ColumnSpec("Meilenstein", "text", True, True, aliases=("titel", "bezeichnung")),
        ColumnSpec("Fällig am", "date", True, recommended=True, aliases=("faellig", "termin", "faelligkeit")),
        ColumnSpec("Erledigt am", "date", aliases=("erledigt", "abgeschlossenam")),
    ),
    SHEET_HISTORY: (
        ColumnSpec("Initiative-ID", "id", True, True, aliases=("id", "initiative")),
        ColumnSpec("Datum", "date", True, True, aliases=("seit", "am")),
        ColumnSpec("Status", "status", True, True),
        ColumnSpec("Notiz", "text", aliases=("bemerkung", "kommentar")),
    ),
    SHEET_KPIS: (
        ColumnSpec("Initiative-ID", "id", True, True, aliases=("id", "initiative")),
        ColumnSpec("Kennzahl", "text", True, True, aliases=("indikator", "kennzahlindikator")),
        ColumnSpec("Einheit", "text"),
        ColumnSpec("Ausgangswert", "number", aliases=("basiswert", "ausgangslage")),
        ColumnSpec("Zielwert", "number", recommended=True, aliases=("ziel",)),
        ColumnSpec("Zieljahr", "year"),
        ColumnSpec("Istwert", "number", aliases=("ist", "aktuellerwert")),
        ColumnSpec("Stand", "date", aliases=("standvom",)),
    ),
    SHEET_ROUNDS: (
        ColumnSpec("Datum", "date", True, True, aliases=("termin",)),
        ColumnSpec("Format", "text", recommended=True, aliases=("art", "veranstaltung")),
        ColumnSpec("Teilnehmende Organisationen", "list", recommended=True,
                   aliases=("teilnehmende", "organisationen", "teilnehmer", "beteiligte")),
        ColumnSpec("Initiativen", "list", aliases=("initiativenids", "ids", "initiativeids")),
        ColumnSpec("Ergebnisse", "text", aliases=("ergebnis", "protokoll")),
    ),
}

PERSONAL_COLUMNS = frozenset({"Ansprechperson", "E-Mail", "Telefon"})
MASK = "(ausgeblendet: personenbezogen)"
#: At most this many Issues per rule; the rest is summarised in one more Issue.
MAX_ISSUES_PER_RULE = 50
#: Header row is searched within the first rows of a sheet.
HEADER_SEARCH_ROWS = 30
#: Bounds that keep reading a workbook within a few hundred MB of memory (a portfolio has hundreds of rows):
#: rows with content per sheet, unpacked size of the xlsx package, and the packing ratio of a big part
#: (real sheets pack 5-30:1; a zip bomb packs 1000:1).
MAX_SHEET_ROWS = 150_000
MAX_UNPACKED_BYTES = 256 << 20
MAX_PACK_RATIO = 200
DISTRICTWIDE_WORDS = frozenset({"kreisweit", "landkreisweit", "gesamterlandkreis", "allegemeinden", "landkreis"})
EARLIEST_DATE = pd.Timestamp("1950-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")

_LIST_SPLIT = r"\s*(?:;|,|\r?\n)\s*"
_PROGRAMME_SPLIT = r"\s*(?:;|,|\+|\r?\n)\s*"
_LIST_SPLIT_RE = re.compile(_LIST_SPLIT)

EXPECTED_DATE = "Datum TT.MM.JJJJ (z. B. 31.12.2024) oder Excel-Datum"
EXPECTED_AMOUNT = "Betrag ≥ 0 in Euro, z. B. 12.500,00 € oder 12500"
#: Amounts above this are typing errors (a regional initiative never costs more than ten billion euros).
MAX_AMOUNT_EUR = 1e10


@dataclass(frozen=True)
class PortfolioResult:
    tables: dict[str, pd.DataFrame]  # keys = TABLE_COLUMNS; columns as in etl/schema.sql
    issues: list[Issue]  # severity 'error' or 'warning'

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


# ---------------------------------------------------------------------------------------------- keys


def _fold(text: str) -> str:
    """Case- and umlaut-insensitive key: 'Öffentlich' -> 'oeffentlich', 'Weißwasser' -> 'weisswasser'."""
    text = text.casefold().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return text


def header_key(text: object) -> str:
    """Key of a header cell: ignores case, blanks, line breaks, '(…)' remarks, €/EUR and punctuation."""
    if text is None:
        return ""
    s = _fold(str(text))
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"\bin\s*(?:€|euro\b|eur\b)|€|\beuro\b|\beur\b", " ", s)
    return re.sub(r"[^0-9a-z\u00c0-\u024f]+", "", s)


def _name_key(text: str) -> str:
    """Key of a municipality name: case, umlauts and all blanks ignored ('Boxberg / O. L.' = 'Boxberg/O.L.')."""
    return re.sub(r"\s+", "", _fold(text))


def _vocab_key(text: str) -> str:
    """Key of a theme/status/origin word: case, umlauts, '&'/'und' and blanks ignored."""
    s = _fold(text).replace("&", " und ")
    return re.sub(r"[^0-9a-z\u00c0-\u024f]+", "", s)


THEME_LOOKUP: dict[str, str] = {}
for _t in THEMES:
    for _label in (_t.theme_id, _t.name_de, _t.short_de, _t.name_en):
        THEME_LOOKUP[_vocab_key(_label)] = _t.theme_id
THEME_LOOKUP.update({
    _vocab_key("Daseinsvorsorge"): "supply",
    _vocab_key("Nahversorgung"): "supply",
    _vocab_key("Daseinsvorsorge und Nahversorgung"): "supply",
    _vocab_key("Daseinsvorsorge/Nahversorgung"): "supply",
    _vocab_key("Wertschöpfung"): "value_chains",
    _vocab_key("Regionale Wertschoepfung"): "value_chains",
    _vocab_key("value chains"): "value_chains",
    _vocab_key("Mobilitaet"): "mobility",
})
STATUS_LOOKUP = {_vocab_key(s): s for s in STATUSES}
ORIGIN_LOOKUP = {_vocab_key(o): o for o in ORIGINS}
THEME_NAMES = ", ".join(t.name_de for t in THEMES)

_TRUE = {"ja", "j", "x", "yes", "y", "true", "wahr", "1", "✓", "✔", "oeffentlich"}
_FALSE = {"nein", "n", "no", "false", "falsch", "0", "-", "–", "nichtoeffentlich", "intern"}


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class _Sheet:
    """Raw cells of one sheet: frame (object) indexed by Excel row, canonical column names."""

    name: str  # sheet name as in the file (stripped)
    frame: pd.DataFrame
    headers: dict[str, str]  # canonical column -> header text as in the file
    header_row: int | None
    missing: list[str] = field(default_factory=list)


def _display_header(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def _find_header(rows: list[tuple], specs: tuple[ColumnSpec, ...]) -> tuple[int | None, dict[int, str]]:
    """Index of the header row within ``rows`` (the one matching most known headers) and its column map."""
    lookup: dict[str, str] = {}
    for spec in specs:
        for key in (header_key(spec.name), *spec.aliases):
            lookup.setdefault(key, spec.name)
    best_idx, best_map = None, {}
    for idx, row in enumerate(rows):
        mapping: dict[int, str] = {}
        for col, cell in enumerate(row):
            if cell is None:
                continue
            name = lookup.get(header_key(cell))
            if name and name not in mapping.values():
                mapping[col] = name
        if len(mapping) > len(best_map):
            best_idx, best_map = idx, mapping
    return best_idx, best_map


def _read_sheet(rows: Iterator[tuple], sheet_name: str, specs: tuple[ColumnSpec, ...],
                path: Path = Path("Arbeitsmappe")) -> _Sheet:
    """Read one worksheet's rows (from A1 on) into a raw frame indexed by Excel row number; InputError when
    more than MAX_SHEET_ROWS rows have content (empty, merely formatted rows are skipped, not counted)."""
    it = iter(rows)
    head: list[tuple] = []
    for row in it:
        head.append(tuple(row))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    idx, mapping = _find_header(head, specs)
    if idx is None:
        empty = pd.DataFrame({s.name: pd.Series([], dtype=object) for s in specs})
        empty.index = pd.Index([], dtype="int64", name="row")
        return _Sheet(sheet_name, empty, {}, None, [s.name for s in specs])
    header_row = idx + 1
    header_cells = head[idx]
    headers = {name: _display_header(header_cells[col]) for col, name in mapping.items()}
    cols = sorted(mapping)
    width = max(cols) + 1

    data: list[tuple] = []
    numbers: list[int] = []

    def take(row, number: int) -> None:
        if len(row) < width:
            row = tuple(row) + (None,) * (width - len(row))
        values = tuple(row[c] for c in cols)
        for v in values:
            if v is not None and v != "" and not (isinstance(v, str) and not v.strip()):
                data.append(values)
                numbers.append(number)
                return

    excel_row = header_row
    for row in head[idx + 1:]:
        excel_row += 1
        take(row, excel_row)
    for row in it:
        excel_row += 1
        take(row, excel_row)
        if len(data) > MAX_SHEET_ROWS:
            raise too_many_rows(path, sheet_name)

    index = pd.Index(numbers, dtype="int64", name="row")
    columns = list(zip(*data)) if data else [()] * len(cols)
    frame = pd.DataFrame({mapping[c]: pd.Series(list(values), index=index, dtype=object)
                          for c, values in zip(cols, columns)}, index=index)
    missing = [s.name for s in specs if s.name not in frame.columns]
    for name in missing:
        frame[name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    frame = frame[[s.name for s in specs]]
    return _Sheet(sheet_name, frame, headers, header_row, missing)


def too_many_rows(path: Path, sheet: str, rows: int | None = None) -> InputError:
    """The refusal of a sheet with more than MAX_SHEET_ROWS rows with content."""
    counted = f"{rows:,}".replace(",", ".") if rows else f"mehr als {MAX_SHEET_ROWS:,}".replace(",", ".")
    return InputError(Issue(
        "error", f"Das Blatt hat {counted} Zeilen mit Inhalt; so große Blätter werden nicht gelesen.",
        file=path.name, sheet=sheet.strip(), row=MAX_SHEET_ROWS + 1,
        expected=f"höchstens {MAX_SHEET_ROWS:,} Zeilen je Blatt (ein Portfolio hat einige hundert)".replace(",", ".")))


def _check_package(path: Path, not_readable: Issue) -> None:
    """Refuse an xlsx whose unpacked parts would not fit in bounded memory (zip bomb, giant sheet) before any
    reader unpacks it. Sizes are those the package declares; readers stop at the declared size."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(not_readable) from exc
    total = sum(p.file_size for p in parts)
    bomb = [p for p in parts if p.file_size > 32 << 20 and p.file_size > MAX_PACK_RATIO * max(p.compress_size, 1)]
    if bomb or total > MAX_UNPACKED_BYTES:
        worst = max(parts, key=lambda p: p.file_size)
        mb = f"{total / 2**20:,.0f}".replace(",", ".")
        why = (f"ein Teil ist {worst.file_size / max(worst.compress_size, 1):,.0f}-fach gepackt (ZIP-Bombe?)"
               .replace(",", ".") if bomb else "zu groß")
        raise InputError(Issue(
            "error", f"Die Arbeitsmappe wird nicht gelesen: entpackt {mb} MB, {why}.", file=path.name,
            value=worst.filename,
            expected=f"eine Portfolio-Arbeitsmappe nach der Vorlage (entpackt höchstens "
                     f"{MAX_UNPACKED_BYTES >> 20} MB)"))


@dataclass(frozen=True)
class UnsavedFormula:
    """A cell holding a formula without the result Excel saves with it (a file written by a script and never
    opened in Excel): its value is unknown, so it is reported as such, never read as empty."""

    formula: str

    def __str__(self) -> str:
        return self.formula


UNSAVED_FORMULA = "Formel ohne gespeichertes Ergebnis – Datei in Excel öffnen und speichern."
EXPECTED_SAVED_FORMULA = "ein Wert oder eine Formel mit dem von Excel gespeicherten Ergebnis"


def _unsaved_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, the formula cells without a saved result: {(row index from 0, column index): formula}.
    Only workbooks containing formulas are read a second time (openpyxl: formulas, then saved results)."""
    with zipfile.ZipFile(path) as z:
        if not any(_has_formula(z, n) for n in z.namelist() if n.startswith("xl/worksheets/")):
            return {}
    from openpyxl import load_workbook  # here, not at the top: most workbooks never need it (~0.3 s to import)

    formulas = load_workbook(path, read_only=True, data_only=False)
    results = load_workbook(path, read_only=True, data_only=True)
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for name in formulas.sheetnames:
            cells = {}
            sheets = [formulas[name], results[name]]
            for ws in sheets:
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()  # some writers store a wrong dimension; read what is there
            for r, (frow, vrow) in enumerate(zip(*(ws.iter_rows(values_only=True) for ws in sheets))):
                for c, (f, value) in enumerate(zip(frow, vrow)):
                    text = f if isinstance(f, str) else getattr(f, "text", None)  # ArrayFormula has .text
                    if isinstance(text, str) and text.startswith("=") and value is None:
                        cells[(r, c)] = text
            if cells:
                out[name] = cells
    finally:
        formulas.close()
        results.close()
    return out


def _has_formula(z: zipfile.ZipFile, name: str, chunk: int = 1 << 20) -> bool:
    """True when the part ``name`` holds a formula element (``<f>`` or ``<f .../>``); read in chunks."""
    tail = b""
    with z.open(name) as fh:
        while block := fh.read(chunk):
            text = tail + block
            if b"<f>" in text or b"<f " in text or b"<f/" in text:
                return True
            tail = text[-3:]
    return False


def _openpyxl_errors() -> tuple[type[Exception], ...]:
    """openpyxl's error for a file it cannot read, when openpyxl is loaded (only then can it be raised)."""
    module = sys.modules.get("openpyxl.utils.exceptions")
    return (module.InvalidFileException,) if module is not None else ()


class _Book:
    """A workbook opened for reading: sheet names and, per sheet, its rows as tuples starting at A1; a formula
    cell without a saved result reads as ``UnsavedFormula``."""

    def __init__(self, path: Path):
        self.path = path
        self._calamine = None
        self._openpyxl = None
        not_readable = Issue(
            "error", "Die Datei ist keine lesbare Excel-Arbeitsmappe.", file=path.name,
            expected="Arbeitsmappe im Format .xlsx (in Excel: Speichern unter → Excel-Arbeitsmappe)")
        if not path.is_file():
            raise InputError(Issue("error", "Die Portfolio-Arbeitsmappe wurde nicht gefunden.", file=path.name))
        _check_package(path, not_readable)
        try:
            self._unsaved = _unsaved_formulas(path)
        except (*_openpyxl_errors(), zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise InputError(not_readable) from exc
        if CalamineWorkbook is not None:
            try:
                self._calamine = CalamineWorkbook.from_path(str(path))
                self.sheetnames = list(self._calamine.sheet_names)
                return
            except Exception as exc:  # calamine raises its own error types for broken files
                raise InputError(not_readable) from exc
        try:
            from openpyxl import load_workbook

            self._openpyxl = load_workbook(path, read_only=True, data_only=True)
        except (*_openpyxl_errors(), zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise InputError(not_readable) from exc
        self.sheetnames = list(self._openpyxl.sheetnames)

    def rows(self, name: str) -> Iterator[tuple]:
        """Rows of sheet ``name`` from row 1 on (empty rows included, so position = Excel row - 1)."""
        unsaved = self._unsaved.get(name)
        rows = self._rows(name)
        return rows if not unsaved else _overlay(rows, unsaved)

    def _rows(self, name: str) -> Iterator[tuple]:
        if self._calamine is not None:
            try:
                sheet = self._calamine.get_sheet_by_name(name)
            except Exception as exc:
                raise InputError(Issue("error", "Das Blatt kann nicht gelesen werden.", file=self.path.name,
                                       sheet=name.strip(), expected="gültige Excel-Arbeitsmappe")) from exc
            if sheet.height > MAX_SHEET_ROWS:  # (rows with content; formatted empty rows do not count)
                raise too_many_rows(self.path, name, sheet.height)
            return iter(sheet.to_python(skip_empty_area=False))
        ws = self._openpyxl[name]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # some writers store a wrong dimension; read what is there
        return ws.iter_rows(values_only=True)

    def close(self) -> None:
        if self._openpyxl is not None:
            self._openpyxl.close()


def _overlay(rows: Iterator[tuple], cells: dict[tuple[int, int], str]) -> Iterator[tuple]:
    """``rows`` with the given cells replaced by ``UnsavedFormula`` (rows padded where a reader cut them)."""
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), f in cells.items():
        by_row.setdefault(r, {})[c] = f
    for r, row in enumerate(rows):
        here = by_row.get(r)
        if here:
            row = list(row) + [None] * (max(here) + 1 - len(row))
            for c, f in here.items():
                row[c] = UnsavedFormula(f)
            row = tuple(row)
        yield row


# ---------------------------------------------------------------------------------------------- parsers
# Every parser takes the raw object column and returns (parsed values, bad mask); blank cells are not bad.


def _map_unique(raw: pd.Series, fn) -> pd.Series:
    """``raw.map(fn)`` computed once per distinct value (fast on long columns with repeated values)."""
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        mapped[i] = fn(u)
    if (codes < 0).any():
        mapped[len(uniques)] = fn(None)  # code -1 (missing) picks the last slot
    return pd.Series(mapped[codes], index=raw.index, dtype=object)


def _isin(values: pd.Series, allowed) -> pd.Series:
    """``values.isin(allowed)`` via a plain object hash table (fast for large sets)."""
    return values.astype(object).isin(list(allowed))


def _is_blank(v) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, str):
        return not v.strip()
    return False


def _blank(raw: pd.Series) -> pd.Series:
    """True where a cell is empty (None, NaN, blank text)."""
    return _map_unique(raw, _is_blank).astype(bool)


def parse_text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text (numbers without '.0': 17 -> '17'); blank -> NA. dtype 'str'."""
    def conv(v):
        if v is None:
            return None
        if isinstance(v, str):
            s = v.strip()
            return s or None
        if isinstance(v, bool):
            return "ja" if v else "nein"
        if isinstance(v, float):
            if math.isnan(v):
                return None
            return str(int(v)) if v.is_integer() else str(v)
        if isinstance(v, dt.datetime):
            return v.strftime("%d.%m.%Y") if v.time() == dt.time(0) else v.isoformat(sep=" ")
        if isinstance(v, dt.date):
            return v.strftime("%d.%m.%Y")
        return str(v).strip() or None
    return _map_unique(raw, conv).astype("str")


def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Excel dates, serial numbers and text (31.12.2024, 31.12.24, 2024-12-31) -> datetime64 at midnight."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    if raw.empty:
        return out, pd.Series(False, index=raw.index)
    blank = _blank(raw)
    kinds = _map_unique(raw, lambda v: "d" if isinstance(v, (dt.date, pd.Timestamp)) else
                    "n" if isinstance(v, (int, float)) and not isinstance(v, bool) else
                    "s" if isinstance(v, str) else "o")
    m = (kinds == "d") & ~blank
    if m.any():
        out[m] = pd.to_datetime(_map_unique(raw[m], lambda v: dt.datetime(v.year, v.month, v.day)),
                                errors="coerce")
    m = (kinds == "n") & ~blank
    if m.any():
        serial = pd.to_numeric(raw[m], errors="coerce").astype(float)
        ok = serial.between(1, 2958465) & (serial == np.floor(serial))
        out[m & ok.reindex(raw.index, fill_value=False)] = pd.to_datetime(
            serial[ok], unit="D", origin="1899-12-30")
    m = (kinds == "s") & ~blank
    if m.any():
        text = raw[m].astype(str).str.strip().str.replace(r"\s+", "", regex=True)
        text = text.str.replace(r"^(\d{4}-\d{2}-\d{2})T?\d{2}:\d{2}(:\d{2})?$", r"\1", regex=True)
        parsed = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
        rest = parsed.isna() & text.str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2}")
        if rest.any():
            parsed[rest] = pd.to_datetime(text[rest], format="%d.%m.%y", errors="coerce")
        rest = parsed.isna() & text.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}")
        if rest.any():
            parsed[rest] = pd.to_datetime(text[rest], format="%Y-%m-%d", errors="coerce")
        out[m] = parsed
    out = out.dt.normalize()
    implausible = out.notna() & ((out < EARLIEST_DATE) | (out > LATEST_DATE))
    out[implausible] = pd.NaT
    bad = ~blank & out.isna()
    return out, bad


def parse_number(raw: pd.Series, *, thousands: bool = True, strip_units: str = "") -> tuple[pd.Series, pd.Series]:
    """German numbers: '184.500,00 €', '12.500' (thousands), '12,5', 12500 -> float.

    ``thousands=False`` (coordinates): only ',' -> '.', so '51.405' stays 51.405. ``strip_units`` is a
    regex of units to drop (e.g. '€|EUR'). A lone dash counts as blank.
    """
    out = pd.Series(np.nan, index=raw.index, dtype="float64")
    if raw.empty:
        return out, pd.Series(False, index=raw.index)
    blank = _blank(raw)
    is_num = _map_unique(raw, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).astype(bool)
    m = is_num & ~blank
    if m.any():
        out[m] = raw[m].astype(float)
    m = ~is_num & ~blank
    if m.any():
        s = raw[m].astype(str).str.strip()
        if strip_units:
            s = s.str.replace(rf"(?i)(?:{strip_units})", "", regex=True)
        s = s.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
        dash = s.isin(["-", "–", "—", ""])
        blank = blank | dash.reindex(raw.index, fill_value=False)
        s = s.str.replace("−", "-", regex=False)
        if thousands:
            english = s.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+\.\d+")
            s = s.where(~english, s.str.replace(",", "", regex=False))
            german = ~english & (s.str.contains(",", regex=False) | s.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+"))
            s = s.where(~german, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
        else:
            s = s.str.replace(",", ".", regex=False)
        ok = s.str.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
        vals = pd.to_numeric(s.where(ok), errors="coerce")
        out[m] = vals.astype(float)
    out[~np.isfinite(out)] = np.nan
    bad = ~blank & out.isna()
    return out, bad


def parse_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'ja', 'Ja', 'x', True, 1 -> True; 'nein', '-', False, 0 -> False; blank -> NA (nullable boolean)."""
    def conv(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)):
            return True if v == 1 else False if v == 0 else "?"
        key = _vocab_key(str(v)) or str(v).strip()
        if not key:
            return None
        return True if key in _TRUE else False if key in _FALSE else "?"
    conv_s = _map_unique(raw, conv)
    bad = _map_unique(conv_s, lambda v: isinstance(v, str)).astype(bool)
    out = conv_s.where(~bad, None).astype("boolean")
    return out, bad


def _lookup(raw: pd.Series, table: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Map cells through a vocabulary (key-insensitive); unknown -> NA + bad."""
    text = parse_text(raw)
    out = _map_unique(text, lambda s: table.get(_vocab_key(s)) if isinstance(s, str) else None).astype("str")
    bad = text.notna() & out.isna()
    return out, bad


def split_list(text: pd.Series, pattern: str = _LIST_SPLIT) -> pd.Series:
    """Text cells split into lists of stripped, non-empty, de-duplicated items (order kept)."""
    def items(s):
        if not isinstance(s, str):
            return []
        seen: list[str] = []
        for part in re.split(pattern, s):
            part = re.sub(r"\s+", " ", part).strip()
            if part and part not in seen:
                seen.append(part)
        return seen
    return _map_unique(text, items)


class _MunicipalityIndex:
    """Resolves municipality tokens (name, Sorbian name, short name, AGS) to AGS."""

    def __init__(self, municipalities: pd.DataFrame):
        self.all_ags: list[str] = [str(a) for a in municipalities["ags"]]
        self.lookup: dict[str, str] = {}
        short_counts: dict[str, list[str]] = {}
        names = municipalities["name"].astype(str).tolist()
        sorbian = (municipalities["name_sorbian"].tolist() if "name_sorbian" in municipalities.columns
                   else [None] * len(names))
        for ags, name, sorb in zip(self.all_ags, names, sorbian):
            self.lookup[ags] = ags
            self.lookup[_name_key(name)] = ags
            if isinstance(sorb, str) and sorb.strip():
                self.lookup[_name_key(sorb)] = ags
                self.lookup[_name_key(f"{name}/{sorb}")] = ags
            base = re.split(r"/| i\.\s*d\.| a\.\s*d\.| am | an der ", name)[0].strip()
            if base and base != name:
                short_counts.setdefault(_name_key(base), []).append(ags)
        for key, ags_list in short_counts.items():
            if len(ags_list) == 1:
                self.lookup.setdefault(key, ags_list[0])

    def resolve_cell(self, text: str | None) -> tuple[bool, list[str], str]:
        """A Gemeinden cell -> (districtwide, AGS list, unknown tokens joined by ', ' or '')."""
        if not isinstance(text, str):
            return False, [], ""
        tokens = [t.strip() for t in _LIST_SPLIT_RE.split(text) if t.strip()]
        districtwide = any(_name_key(t).replace("-", "") in DISTRICTWIDE_WORDS for t in tokens)
        found, unknown = [], []
        for token in tokens:
            if _name_key(token).replace("-", "") in DISTRICTWIDE_WORDS:
                continue
            ags = self.resolve(token)
            if ags is None:
                unknown.append(token)
            elif ags not in found:
                found.append(ags)
        return districtwide, (list(self.all_ags) if districtwide else found), ", ".join(unknown)

    def resolve(self, token: str) -> str | None:
        t = token.strip()
        if re.fullmatch(r"\d{8}(\.0)?", t):
            t = t[:8]
        elif re.fullmatch(r"\d{12}", t):  # ARS: Land+RB+Kreis (5) + Verband (4) + Gemeinde (3)
            t = t[:5] + t[9:]
        return self.lookup.get(_name_key(t))


# ---------------------------------------------------------------------------------------------- validation


@dataclass
class _Rule:
    """One check: ``ok`` is True where a row passes. Issues carry the raw cell (or ``values``) as value."""

    rule_id: str
    column: str
    ok: pd.Series
    severity: str
    message: str
    expected: str | None = None
    values: pd.Series | None = None  # value to report instead of the raw cell (e.g. the unknown token)
    messages: pd.Series | None = None  # per-row message instead of ``message``


class _Validator:
    """Collects the Issues of a workbook: per sheet, every row failing each rule (all failures at once)."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.issues: list[Issue] = []

    def run(self, sheet: _Sheet, rules: list[_Rule]) -> None:
        """Check ``sheet.frame`` against ``rules`` and record an Issue per failing row: rules of the same column
        together, columns in the order the rules first name them, rows in sheet order; a rule whose column
        is not in the frame is skipped."""
        frame = sheet.frame
        if not rules or frame.empty:
            return
        by_column: dict[str, list[_Rule]] = {}
        for r in rules:
            by_column.setdefault(r.column, []).append(r)
        by_id = {r.rule_id: r for r in rules}
        failing: dict[str, list[int]] = {}
        for column, column_rules in by_column.items():
            if column not in frame.columns:
                continue
            for r in column_rules:
                ok = r.ok.reindex(frame.index, fill_value=True).astype(bool).to_numpy()
                if not ok.all():
                    failing.setdefault(r.rule_id, []).extend(frame.index[~ok].tolist())
        for rule_id, rows in failing.items():
            self._record(sheet, by_id[rule_id], sorted(rows))

    def _record(self, sheet: _Sheet, rule: _Rule, rows: list[int]) -> None:
        header = sheet.headers.get(rule.column, rule.column)
        personal = rule.column in PERSONAL_COLUMNS
        cells = sheet.frame[rule.column]
        for n, row in enumerate(rows):
            if n >= MAX_ISSUES_PER_RULE:
                rest = len(rows) - MAX_ISSUES_PER_RULE
                self.issues.append(Issue(
                    rule.severity, f"{rule.message} – dazu {rest} weitere Zeile(n) mit demselben Problem.",
                    file=self.file_name, sheet=sheet.name, row=None, column=header, expected=rule.expected))
                break
            value = cells.at[row]
            if rule.values is not None and row in rule.values.index:
                value = rule.values.loc[row]
            message = rule.message
            if rule.messages is not None and row in rule.messages.index:
                message = rule.messages.loc[row]
            self.issues.append(Issue(
                rule.severity, message, file=self.file_name, sheet=sheet.name, row=int(row), column=header,
                value=MASK if personal and value is not None else _value_text(value), expected=rule.expected))

    def add(self, severity: str, message: str, sheet: str | None = None, row: int | None = None,
            column: str | None = None, value: object = None, expected: str | None = None) -> None:
        self.issues.append(Issue(severity, message, file=self.file_name, sheet=sheet, row=row, column=column,
                                 value=_value_text(value), expected=expected))


def _value_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return short(value)


def _required_rules(sheet: _Sheet, spec_list: tuple[ColumnSpec, ...]) -> list[_Rule]:
    """Errors for empty required cells (only for columns that exist)."""
    rules = []
    frame = sheet.frame
    for spec in spec_list:
        if spec.required_value and spec.name not in sheet.missing:
            rules.append(_Rule(f"{spec.name}:required", spec.name, ~_blank(frame[spec.name]), "error",
                               f"Pflichtangabe {spec.name} fehlt.", "ein Wert (Pflichtfeld)"))
    return rules


def _recommended_warnings(v: _Validator, sheet: _Sheet, spec_list: tuple[ColumnSpec, ...]) -> None:
    """One warning per recommended column with empty cells (summarised, not one per cell)."""
    frame = sheet.frame
    if frame.empty:
        return
    for spec in spec_list:
        if not spec.recommended or spec.name in sheet.missing:
            continue
        empty = frame.index[_blank(frame[spec.name]).to_numpy()]
        if len(empty):
            listed = ", ".join(str(r) for r in empty[:10]) + (" …" if len(empty) > 10 else "")
            v.add("warning", f"{len(empty)} Zeile(n) ohne Angabe in Spalte {spec.name} (Zeilen {listed}).",
                  sheet=sheet.name, row=int(empty[0]), column=sheet.headers.get(spec.name, spec.name),
                  expected="Angabe empfohlen")


def _unsaved_formula_issues(v: _Validator, sheet: _Sheet) -> set[tuple[str, int, str]]:
    """An error per cell holding a formula without a saved result; returns their (sheet, row, column)."""
    cells = set()
    for name in sheet.frame.columns:
        col = sheet.frame[name]
        for row, value in col[_map_unique(col, lambda x: isinstance(x, UnsavedFormula)).astype(bool)].items():
            header = sheet.headers.get(name, name)
            v.add("error", UNSAVED_FORMULA, sheet=sheet.name, row=int(row), column=header, value=value.formula,
                  expected=EXPECTED_SAVED_FORMULA)
            cells.add((sheet.name, int(row), header))
    return cells


def _missing_column_issues(v: _Validator, sheet: _Sheet, spec_list: tuple[ColumnSpec, ...]) -> None:
    for name in sheet.missing:
        spec = next(s for s in spec_list if s.name == name)
        if spec.required_column:
            v.add("error", f"Pflichtspalte {name} fehlt.", sheet=sheet.name, row=sheet.header_row, column=name,
                  expected="Kopfzeile mit den Spalten " + " · ".join(s.name for s in spec_list))
        else:
            v.add("warning", f"Spalte {name} fehlt; sie wird als leer behandelt.", sheet=sheet.name,
                  row=sheet.header_row, column=name, expected="Spalte aus der Vorlage")


# ---------------------------------------------------------------------------------------------- sheets


def _ids(raw: pd.Series) -> pd.Series:
    """IDs as text ('I-001', 17 -> '17'), internal blanks collapsed."""
    return parse_text(raw).str.replace(r"\s+", " ", regex=True)


def _link_table(ids: pd.Series, items: pd.Series, column: str) -> pd.DataFrame:
    """(id, item) pairs from a Series of lists, de-duplicated, order kept."""
    frame = pd.DataFrame({"key": ids.to_numpy(), column: items.to_numpy()}).explode(column)
    frame = frame[frame[column].notna()]
    return frame.drop_duplicates().reset_index(drop=True)


def _initiatives(v: _Validator, sheet: _Sheet, muni: _MunicipalityIndex, today: pd.Timestamp):
    """Parse and check sheet Initiativen; returns (parsed frame of valid rows, link tables, all ids)."""
    f = sheet.frame
    specs = SHEET_COLUMNS[SHEET_INITIATIVES]
    rules = _required_rules(sheet, specs)
    p = pd.DataFrame(index=f.index)
    p["initiative_id"] = _ids(f["ID"])
    p["title"] = parse_text(f["Titel"])
    p["summary"] = parse_text(f["Kurzbeschreibung"])
    p["theme"], bad = _lookup(f["Thema"], THEME_LOOKUP)
    rules.append(_Rule("theme", "Thema", ~bad, "error", "Unbekanntes Thema.", THEME_NAMES))

    def more_themes(text):
        items = re.split(_LIST_SPLIT, text) if isinstance(text, str) else []
        ids = [(x.strip(), THEME_LOOKUP.get(_vocab_key(x))) for x in items if x.strip()]
        return ([t for _, t in ids if t], ", ".join(x for x, t in ids if t is None))
    more = _map_unique(parse_text(f["Weitere Themen"]), more_themes)
    more_ids = pd.Series([m[0] for m in more], index=f.index, dtype=object)
    unknown = pd.Series([m[1] for m in more], index=f.index, dtype=object)
    rules.append(_Rule("themes", "Weitere Themen", unknown == "", "error", "Unbekanntes Thema unter Weitere Themen.",
                       THEME_NAMES + " (mehrere mit ; getrennt)", values=unknown))

    places = _map_unique(parse_text(f["Gemeinden"]), muni.resolve_cell)
    districtwide = pd.Series([t[0] for t in places], index=f.index, dtype=bool)
    ags_lists = pd.Series([t[1] for t in places], index=f.index, dtype=object)
    unknown_m = pd.Series([t[2] for t in places], index=f.index, dtype=object)
    rules.append(_Rule("municipality", "Gemeinden", unknown_m == "", "error", "Unbekannte Gemeinde.",
                       "Gemeindename (auch sorbisch) oder 8-stelliger AGS des Landkreises, mehrere mit ; getrennt,"
                       " oder kreisweit", values=unknown_m))
    p["districtwide"] = districtwide.astype(bool)

    p["lead_organisation"] = parse_text(f["Träger"]).str.replace(r"\s+", " ", regex=True)
    partners = split_list(parse_text(f["Partner"]))
    p["origin"], bad = _lookup(f["Herkunft"], ORIGIN_LOOKUP)
    rules.append(_Rule("origin", "Herkunft", ~bad, "error", "Unbekannte Herkunft.", ", ".join(ORIGINS)))
    p["status"], bad = _lookup(f["Status"], STATUS_LOOKUP)
    rules.append(_Rule("status", "Status", ~bad, "error", "Unbekannter Status.", ", ".join(STATUSES)))

    for col, out in (("Beginn", "start_date"), ("Ende geplant", "end_planned"), ("Stand", "as_of")):
        p[out], bad = parse_date(f[col])
        rules.append(_Rule(f"{col}:date", col, ~bad, "error", "Ungültiges oder unmögliches Datum.", EXPECTED_DATE))
    end_before = p["end_planned"].notna() & p["start_date"].notna() & (p["end_planned"] < p["start_date"])
    rules.append(_Rule("end_before_start", "Ende geplant", ~end_before, "error",
                       "Das geplante Ende liegt vor dem Beginn.", "Datum am oder nach dem Beginn"))
    stale = p["as_of"].notna() & (p["as_of"] < today - pd.DateOffset(years=1))
    rules.append(_Rule("stale", "Stand", ~stale, "warning", "Stand ist älter als ein Jahr.",
                       f"Stand nach dem {(today - pd.DateOffset(years=1)).strftime('%d.%m.%Y')}"))

    for col, out in (("Gesamtkosten €", "total_cost_eur"), ("Fördermittel bewilligt €", "funding_granted_eur"),
                     ("Eigenmittel €", "own_funds_eur")):
        p[out], bad = parse_number(f[col], strip_units=r"€|euro|eur")
        rules.append(_Rule(f"{col}:number", col, ~bad, "error", "Betrag ist keine Zahl.", EXPECTED_AMOUNT))
        negative = p[out] < 0
        rules.append(_Rule(f"{col}:negative", col, ~negative, "error", "Negativer Betrag.", EXPECTED_AMOUNT))
        p.loc[negative, out] = np.nan
        huge = p[out] > MAX_AMOUNT_EUR
        rules.append(_Rule(f"{col}:implausible", col, ~huge, "error",
                           "Unplausibel hoher Betrag (mehr als 10 Milliarden €) – Tippfehler?",
                           "Betrag in Euro bis 10.000.000.000, z. B. 12.500,00 €"))
        p.loc[huge, out] = np.nan
    above = (p["funding_granted_eur"] > p["total_cost_eur"] + 0.005) & p["total_cost_eur"].notna()
    rules.append(_Rule("funds_above_cost", "Fördermittel bewilligt €", ~above, "error",
                       "Bewilligte Fördermittel übersteigen die Gesamtkosten.",
                       "Fördermittel ≤ Gesamtkosten"))
    programmes = split_list(parse_text(f["Förderprogramm(e)"]), _PROGRAMME_SPLIT)

    p["contact_name"] = parse_text(f["Ansprechperson"])
    p["contact_email"] = parse_text(f["E-Mail"])
    p["contact_phone"] = parse_text(f["Telefon"])
    mail_bad = p["contact_email"].notna() & ~p["contact_email"].fillna("").str.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+")
    rules.append(_Rule("email", "E-Mail", ~mail_bad, "warning", "E-Mail-Adresse sieht ungültig aus.",
                       "Adresse der Form name@domain.de"))
    public, bad = parse_bool(f["Öffentlich (ja/nein)"])
    rules.append(_Rule("public", "Öffentlich (ja/nein)", ~bad, "error", "Unklare Angabe zu Öffentlich.",
                       "ja, x oder nein (leer = nein)"))
    p["is_public"] = public.fillna(False).astype(bool)
    for col, out, lo, hi in (("Breitengrad", "lat", -90, 90), ("Längengrad", "lon", -180, 180)):
        p[out], bad = parse_number(f[col], thousands=False, strip_units="°")
        rules.append(_Rule(f"{col}:number", col, ~bad, "error", "Koordinate ist keine Zahl.",
                           "Dezimalgrad, z. B. 51,405"))
        outside = p[out].notna() & ~p[out].between(lo, hi)
        rules.append(_Rule(f"{col}:range", col, ~outside, "error", "Koordinate außerhalb des gültigen Bereichs.",
                           f"Dezimalgrad zwischen {lo} und {hi}"))
        p.loc[outside, out] = np.nan

    dup = p["initiative_id"].notna() & p["initiative_id"].duplicated(keep="first")
    first_row = {i: r for r, i in p.loc[p["initiative_id"].notna() & ~dup, "initiative_id"].items()}
    dup_msg = p["initiative_id"].map(lambda i: f"Doppelte ID: sie steht schon in Zeile {first_row.get(i)}.")
    rules.append(_Rule("duplicate_id", "ID", ~dup, "error", "Doppelte ID.", "eindeutige ID je Initiative",
                       messages=dup_msg))
    v.run(sheet, rules)

    valid = (p["initiative_id"].notna() & p["title"].notna() & p["theme"].notna() & p["status"].notna() & ~dup)
    p["source_row"] = p.index.astype("int64")
    links = {"themes": more_ids, "ags": ags_lists, "partners": partners, "programmes": programmes}
    return p[valid], {k: s[valid] for k, s in links.items()}, set(p.loc[valid, "initiative_id"]), \
        set(p["initiative_id"].dropna())


def _unknown_id_rule(ids: pd.Series, all_ids: set[str]) -> _Rule:
    """Error for rows whose Initiative-ID is not an initiative of sheet Initiativen."""
    unknown = ids.notna() & ~_isin(ids, all_ids)
    return _Rule("unknown_id", "Initiative-ID", ~unknown, "error",
                 "Diese Initiative-ID gibt es im Blatt Initiativen nicht.", "ID einer Zeile im Blatt Initiativen")


def _milestones(v: _Validator, sheet: _Sheet, known: set[str], all_ids: set[str], today: pd.Timestamp):
    f = sheet.frame
    rules = _required_rules(sheet, SHEET_COLUMNS[SHEET_MILESTONES])
    p = pd.DataFrame(index=f.index)
    p["initiative_id"] = _ids(f["Initiative-ID"])
    rules.append(_unknown_id_rule(p["initiative_id"], all_ids))
    p["title"] = parse_text(f["Meilenstein"])
    for col, out in (("Fällig am", "due_date"), ("Erledigt am", "done_date")):
        p[out], bad = parse_date(f[col])
        rules.append(_Rule(f"{col}:date", col, ~bad, "error", "Ungültiges oder unmögliches Datum.", EXPECTED_DATE))
    overdue = p["due_date"].notna() & (p["due_date"] < today) & p["done_date"].isna() & \
        _blank(f["Erledigt am"])
    rules.append(_Rule("overdue", "Fällig am", ~overdue, "warning", "Meilenstein ist überfällig (nicht erledigt).",
                       "Erledigt am eintragen oder Termin anpassen"))
    v.run(sheet, rules)
    valid = _isin(p["initiative_id"], known) & p["title"].notna()
    out = p[valid].copy()
    out["seq"] = out.groupby("initiative_id", sort=False).cumcount() + 1
    return out


def _history(v: _Validator, sheet: _Sheet, known: set[str], all_ids: set[str]):
    f = sheet.frame
    rules = _required_rules(sheet, SHEET_COLUMNS[SHEET_HISTORY])
    p = pd.DataFrame(index=f.index)
    p["initiative_id"] = _ids(f["Initiative-ID"])
    rules.append(_unknown_id_rule(p["initiative_id"], all_ids))
    p["date"], bad = parse_date(f["Datum"])
    rules.append(_Rule("Datum:date", "Datum", ~bad, "error", "Ungültiges oder unmögliches Datum.", EXPECTED_DATE))
    p["status"], bad = _lookup(f["Status"], STATUS_LOOKUP)
    rules.append(_Rule("status", "Status", ~bad, "error", "Unbekannter Status.", ", ".join(STATUSES)))
    p["note"] = parse_text(f["Notiz"])
    v.run(sheet, rules)
    valid = _isin(p["initiative_id"], known) & p["date"].notna() & p["status"].notna()
    out = p[valid].copy()
    out["_order"] = np.arange(len(out))
    out = out.sort_values(["initiative_id", "date", "_order"], kind="stable")
    out["seq"] = out.groupby("initiative_id", sort=False).cumcount() + 1
    return out.sort_values("_order", kind="stable")


def _kpis(v: _Validator, sheet: _Sheet, known: set[str], all_ids: set[str], indicator_ids: set[str],
          today: pd.Timestamp):
    f = sheet.frame
    rules = _required_rules(sheet, SHEET_COLUMNS[SHEET_KPIS])
    p = pd.DataFrame(index=f.index)
    p["initiative_id"] = _ids(f["Initiative-ID"])
    rules.append(_unknown_id_rule(p["initiative_id"], all_ids))
    p["name"] = parse_text(f["Kennzahl"]).str.replace(r"\s+", " ", regex=True)
    by_key = {str(i).strip().casefold(): str(i) for i in indicator_ids}
    p["indicator_id"] = _map_unique(p["name"], lambda s: by_key.get(s.strip().casefold()) if isinstance(s, str)
                                    else None).astype("str")
    p["unit"] = parse_text(f["Einheit"])
    neither = p["name"].notna() & p["indicator_id"].isna() & p["unit"].isna()
    rules.append(_Rule("kpi_unit", "Einheit", ~neither, "warning",
                       "Kennzahl ist keine Indikator-ID des Katalogs und hat keine Einheit.",
                       "Einheit angeben (z. B. Personen, Fahrgäste/Monat) oder eine Indikator-ID als Kennzahl"))
    for col, out in (("Ausgangswert", "baseline"), ("Zielwert", "target"), ("Istwert", "actual")):
        p[out], bad = parse_number(f[col], strip_units=r"%|€")
        rules.append(_Rule(f"{col}:number", col, ~bad, "error", "Wert ist keine Zahl.", "Zahl, z. B. 1.250 oder 12,5"))
    year, bad = parse_number(f["Zieljahr"], thousands=False)
    bad = bad | (year.notna() & ~(year.between(1990, 2100) & (year == np.floor(year))))
    rules.append(_Rule("Zieljahr:year", "Zieljahr", ~bad, "error", "Ungültiges Zieljahr.", "Jahreszahl, z. B. 2027"))
    p["target_year"] = year.where(~bad).round().astype("Int64")
    p["as_of"], bad = parse_date(f["Stand"])
    rules.append(_Rule("Stand:date", "Stand", ~bad, "error", "Ungültiges oder unmögliches Datum.", EXPECTED_DATE))
    stale = p["as_of"].notna() & (p["as_of"] < today - pd.DateOffset(years=1))
    rules.append(_Rule("stale", "Stand", ~stale, "warning", "Stand der Kennzahl ist älter als ein Jahr.",
                       f"Stand nach dem {(today - pd.DateOffset(years=1)).strftime('%d.%m.%Y')}"))
    v.run(sheet, rules)
    valid = _isin(p["initiative_id"], known) & p["name"].notna()
    out = p[valid].copy()
    out["seq"] = out.groupby("initiative_id", sort=False).cumcount() + 1
    return out


def _rounds(v: _Validator, sheet: _Sheet, known: set[str], all_ids: set[str]):
    f = sheet.frame
    rules = _required_rules(sheet, SHEET_COLUMNS[SHEET_ROUNDS])
    p = pd.DataFrame(index=f.index)
    p["date"], bad = parse_date(f["Datum"])
    rules.append(_Rule("Datum:date", "Datum", ~bad, "error", "Ungültiges oder unmögliches Datum.", EXPECTED_DATE))
    p["format"] = parse_text(f["Format"])
    p["results"] = parse_text(f["Ergebnisse"])
    orgs = split_list(parse_text(f["Teilnehmende Organisationen"]))
    ids = split_list(parse_text(f["Initiativen"]))
    unknown = ids.map(lambda xs: ", ".join(x for x in xs if x not in all_ids))
    rules.append(_Rule("unknown_ids", "Initiativen", unknown == "", "error",
                       "Initiative-ID gibt es im Blatt Initiativen nicht.",
                       "IDs aus dem Blatt Initiativen, mehrere mit ; getrennt", values=unknown))
    v.run(sheet, rules)
    valid = p["date"].notna()
    out = p[valid].copy()
    out["round_id"] = np.arange(1, len(out) + 1, dtype="int64")
    orgs_t = _link_table(out["round_id"], orgs[valid], "organisation").rename(columns={"key": "round_id"})
    ids_t = _link_table(out["round_id"], ids[valid].map(lambda xs: [x for x in xs if x in known]),
                        "initiative_id").rename(columns={"key": "round_id"})
    return out, orgs_t, ids_t


# ---------------------------------------------------------------------------------------------- entry point


def _match_sheets(wb) -> dict[str, str]:
    """Canonical sheet name -> sheet name in the workbook (case, blanks and line breaks ignored)."""
    found: dict[str, str] = {}
    wanted = {header_key(s): s for s in SHEETS}
    for title in wb.sheetnames:
        canonical = wanted.get(header_key(title))
        if canonical and canonical not in found:
            found[canonical] = title
    return found


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Frame with exactly the schema columns, in order, with stable dtypes."""
    frame = frame.reset_index(drop=True)
    out = pd.DataFrame({c: frame[c] if c in frame.columns else pd.Series([None] * len(frame), dtype=object)
                        for c in TABLE_COLUMNS[table]})
    for c in out.columns:
        if c in {"seq", "round_id", "source_row"}:
            out[c] = out[c].astype("int64")
        elif c in {"districtwide", "is_primary", "is_public"}:
            out[c] = out[c].astype(bool)
        elif c in {"start_date", "end_planned", "as_of", "due_date", "done_date", "date"}:
            out[c] = pd.to_datetime(out[c]).astype("datetime64[us]")
        elif c in {"total_cost_eur", "funding_granted_eur", "own_funds_eur", "lat", "lon", "baseline", "target",
                   "actual"}:
            out[c] = out[c].astype("float64")
        elif c == "target_year":
            out[c] = out[c].astype("Int64")
        else:
            out[c] = out[c].astype("str")
    return out


def read_portfolio(path: Path, municipalities: pd.DataFrame, indicator_ids: set[str],
                   today: dt.date) -> PortfolioResult:
    """Read, normalise and validate a portfolio workbook.

    ``municipalities``: columns ags, name, name_sorbian (nullable) — the municipalities of the district.
    ``indicator_ids``: ids of the indicator catalogue (a KPI naming one gets ``kpi.indicator_id``).
    ``today``: reference date for overdue milestones and stale ``Stand``.
    Returns the eleven tables (columns as in etl/schema.sql) and the Issues; never raises on user errors,
    only ``InputError`` when the file is not a readable xlsx workbook.
    """
    path = Path(path)
    v = _Validator(path.name)
    wb = _Book(path)
    today_ts = pd.Timestamp(today)
    muni = _MunicipalityIndex(municipalities)
    formula_cells: set[tuple[str, int, str]] = set()  # (sheet, row, column header) of unsaved formulas
    try:
        names = _match_sheets(wb)
        sheets: dict[str, _Sheet] = {}
        for canonical in SHEETS:
            specs = SHEET_COLUMNS[canonical]
            if canonical not in names:
                severity = "error" if canonical == SHEET_INITIATIVES else "warning"
                v.add(severity, f"Blatt {canonical} fehlt." + ("" if severity == "error" else
                      " Es wird als leer behandelt."), sheet=canonical,
                      expected="Blätter " + ", ".join(SHEETS))
                empty = pd.DataFrame({s.name: pd.Series([], dtype=object) for s in specs})
                empty.index = pd.Index([], dtype="int64")
                sheets[canonical] = _Sheet(canonical, empty, {}, None, [])
                continue
            sheet = _read_sheet(wb.rows(names[canonical]), names[canonical].strip(), specs, path)
            _missing_column_issues(v, sheet, specs)
            formula_cells |= _unsaved_formula_issues(v, sheet)
            sheets[canonical] = sheet
    finally:
        wb.close()

    s_ini = sheets[SHEET_INITIATIVES]
    ini, links, known, all_ids = _initiatives(v, s_ini, muni, today_ts)
    _recommended_warnings(v, s_ini, SHEET_COLUMNS[SHEET_INITIATIVES])
    ms = _milestones(v, sheets[SHEET_MILESTONES], known, all_ids, today_ts)
    _recommended_warnings(v, sheets[SHEET_MILESTONES], SHEET_COLUMNS[SHEET_MILESTONES])
    hist = _history(v, sheets[SHEET_HISTORY], known, all_ids)
    kpi = _kpis(v, sheets[SHEET_KPIS], known, all_ids, indicator_ids, today_ts)
    _recommended_warnings(v, sheets[SHEET_KPIS], SHEET_COLUMNS[SHEET_KPIS])
    rounds, round_orgs, round_ids = _rounds(v, sheets[SHEET_ROUNDS], known, all_ids)
    _recommended_warnings(v, sheets[SHEET_ROUNDS], SHEET_COLUMNS[SHEET_ROUNDS])

    # initiatives without status history; current status differing from the last history entry
    with_history = set(hist["initiative_id"])
    id_header = s_ini.headers.get("ID", "ID")
    no_hist = ini[~_isin(ini["initiative_id"], with_history)]
    for n, (row, rec) in enumerate(no_hist.iterrows()):
        if n >= MAX_ISSUES_PER_RULE:
            v.add("warning", f"Dazu {len(no_hist) - n} weitere Initiativen ohne Statusverlauf.",
                  sheet=s_ini.name, column=id_header)
            break
        v.add("warning", "Initiative hat keinen Eintrag im Blatt Statusverlauf.", sheet=s_ini.name, row=int(row),
              column=id_header, value=rec["initiative_id"], expected="mindestens eine Zeile im Statusverlauf")
    if not hist.empty:
        last = hist.sort_values(["initiative_id", "seq"]).groupby("initiative_id")["status"].last()
        cur = ini.set_index("initiative_id")["status"]
        differs = cur[_isin(cur.index.to_series(), last.index).to_numpy()]
        differs = differs[differs != last.reindex(differs.index)]
        status_header = s_ini.headers.get("Status", "Status")
        rows = ini.set_index("initiative_id")["source_row"]
        for n, (iid, status) in enumerate(differs.items()):
            if n >= MAX_ISSUES_PER_RULE:
                v.add("warning", f"Dazu {len(differs) - n} weitere Initiativen, deren Status vom Statusverlauf "
                      "abweicht.", sheet=s_ini.name, column=status_header)
                break
            v.add("warning", f"Status weicht vom letzten Eintrag im Statusverlauf ab ({last[iid]}).",
                  sheet=s_ini.name, row=int(rows[iid]), column=status_header, value=status,
                  expected=f"gleicher Status wie im Statusverlauf: {last[iid]}")

    tables = _build_tables(ini, links, ms, hist, kpi, rounds, round_orgs, round_ids)
    order = {s: i for i, s in enumerate(SHEETS)}
    # an unsaved formula's cell has one message (its own), not follow-ups of a value nobody knows
    kept = [i for i in v.issues if i.message == UNSAVED_FORMULA or (i.sheet, i.row, i.column) not in formula_cells]
    issues = sorted(kept, key=lambda i: (0 if i.severity == "error" else 1, order.get(i.sheet, -1),
                                             i.row if i.row is not None else 10**9, i.column or ""))
    return PortfolioResult(tables, issues)


def _build_tables(ini, links, ms, hist, kpi, rounds, round_orgs, round_ids) -> dict[str, pd.DataFrame]:
    ids = ini["initiative_id"]
    themes = pd.concat([
        pd.DataFrame({"initiative_id": ids.to_numpy(), "theme": ini["theme"].to_numpy(), "is_primary": True}),
        _link_table(ids, links["themes"], "theme").rename(columns={"key": "initiative_id"}).assign(is_primary=False),
    ], ignore_index=True).drop_duplicates(["initiative_id", "theme"], keep="first")
    munis = _link_table(ids, links["ags"], "ags").rename(columns={"key": "initiative_id"})
    progs = _link_table(ids, links["programmes"], "programme").rename(columns={"key": "initiative_id"})
    orgs = pd.concat([
        pd.DataFrame({"initiative_id": ids.to_numpy(), "organisation": ini["lead_organisation"].to_numpy(),
                      "role": "Träger"}),
        _link_table(ids, links["partners"], "organisation").rename(columns={"key": "initiative_id"})
        .assign(role="Partner"),
    ], ignore_index=True)
    orgs = orgs[orgs["organisation"].notna()].drop_duplicates()
    raw = {
        "initiative": ini,
        "initiative_theme": themes,
        "initiative_municipality": munis,
        "initiative_programme": progs,
        "initiative_organisation": orgs,
        "milestone": ms,
        "status_history": hist,
        "kpi": kpi,
        "coordination_round": rounds,
        "coordination_round_organisation": round_orgs,
        "coordination_round_initiative": round_ids,
    }
    return {name: _typed(frame, name) for name, frame in raw.items()}
