"""Statistics exports → staging table ``stg_statistic`` (DATA.md §2).

Three formats, recognised from the content (never the file name):

* ``genesis_ffcsv`` – GENESIS flat file (regionalstatistik.de, GENESIS-Online, Zensus database), the current
  English header (``statistics_code;…;N_variable_code;…;value;value_unit;value_variable_code;…[;value_q]``)
  and the older German one (``Statistik_Code;…;N_Merkmal_Code;…;N_Auspraegung_Code;…`` followed by one or
  more value columns named ``CODE__Label__Einheit``, dates ``31.12.2022``). Read in bulk by DuckDB.
* ``genesis_table`` – the classic GENESIS table CSV (title block, multi-line column headers, data rows,
  footer after ``__________``). Small files; parsed in Python.
* ``inkar`` – BBSR INKAR bulk export (``Bereich;ID;Kuerzel;Indikator;Raumbezug;Kennziffer;Name;Zeitbezug;Wert``),
  read in bulk by DuckDB.

Encodings (decided from the bytes): a UTF-8 BOM → ``utf-8-sig``; valid UTF-8 → ``utf-8``; otherwise an 8-bit
code page. Windows-1252 and ISO-8859-15 agree on all German letters; they differ in 0x80–0x9F (printable in
cp1252: ``€`` is 0x80, „ “ ‚ – … are there too; control characters in ISO-8859-15, never in real text) and in
eight positions of 0xA4–0xBE (ISO-8859-15 puts ``€`` at 0xA4, Š š Ž ž Œ œ Ÿ; cp1252 has ¤ ¦ ¨ ´ ¸ ¼ ½ ¾ there).
Rule: any byte 0x80–0x9F → ``cp1252``; else any of 0xA4 0xA6 0xA8 0xB4 0xB8 0xBC 0xBD 0xBE → ``iso-8859-15``
(the euro sign is far likelier in a statistics export than ¤ or ¼); else ``cp1252`` (identical text then).
For bulk formats only the first MiB decides; if DuckDB then meets invalid UTF-8 further down, the whole file
is scanned, the code page chosen by the same rule and the file transcoded to a temporary UTF-8 copy. A file
that is UTF-8 by its BOM or by its umlauts but has lines in another code page is refused (either half would be
read wrongly), and so are lines longer than 1 MiB (``LongLineScan``).

Bulk path (``_BulkPlan``): DuckDB reads only the needed columns into a temp table (parallel, in file order);
region key, dims, value and period are parsed once per *distinct* raw value into small lookup tables and
joined back, instead of once per row. ``load_statistics_file(..., as_view=True)`` (the build) copies nothing
further: the file's rows are a view over that temp table and the lookups, with a summary table of counts.

Staging (``stg_statistic``, columns in ``STAGING_DDL``):

* ``line``: the 1-based line of the value in the file. Flat files: data row *n* is line *n + 1* (header =
  line 1; DuckDB reads in file order, so a row's position in the temp table gives its line); blank lines in the
  middle of a flat file would shift the count (exports have none). Tables: the physical line.
* ``statistic_code``: ffcsv ``statistics_code``; table: the code after ``GENESIS-Tabelle:`` (``12411-01-01-5``);
  INKAR: ``'INKAR'``.
* ``variable_code``: ffcsv ``value_variable_code`` (old layout: the ``CODE`` of a ``CODE__Label__Einheit``
  column); INKAR ``Kuerzel``; table: the column label of the last header label line; when label lines above
  it exist (group labels, continued to the right like merged cells) it is ``"<group> - <label>"`` (several
  group lines joined with ``" - "``; the group alone when the label cell is empty; the label alone when it
  equals the group). Lines whose cells are all dates/years set the period of their columns; a line whose
  cells are all units (Anzahl, %, km, …) below the labels sets the units.
* ``dims``: ffcsv: every variable block except the regional one with a non-empty attribute code, as
  ``CODE=ATTRCODE`` sorted by CODE and joined by ``;`` ('' when none). Tables: '' (text columns between the
  name and the first value column, rare, become ``COLn=text``). INKAR: ''.
* Region: the first ffcsv block whose variable code is regional (DINSG, DLAND, REGBEZ, KREISE, GEMEIN, the
  Zensus GEO… codes; see ``etl.keys``) gives key and name; INKAR uses ``Kennziffer`` with ``Raumbezug`` as
  hint; tables the key column. Keys are normalised by ``etl.keys`` (SQL macros on the bulk path). Rows whose
  key is unusable (e.g. a total row ``Insgesamt`` without a code) are staged with ``region_key`` NULL and a
  warning. Regions are not filtered here.
* ``period``: ``2024-12-31``, ``31.12.2024`` or a year ``2024`` (→ 31.12.2024); a range ``2019-2021``
  (INKAR means) → 31.12. of the last year.

Errors: ``load_statistics_file`` raises ``InputError`` (up to 50 issues plus a summary) for malformed files
and invalid values; the file's rows are removed from the staging table again. Warnings come back in
``LoadResult.issues``.

Values (GENESIS legend): ``-`` → 0 flag zero; ``.`` → NULL secret; ``...`` → NULL later; ``/`` → NULL
unreliable; ``x`` → NULL not_applicable; ``(12,3)`` → 12.3 limited; a suffix or ``value_q`` flag p r s e →
provisional / revised / estimated / final. Numbers carry no thousands separator, so one ``,`` or ``.`` is the
decimal mark. Anything else is an error (``InputError``), never a silent 0 or a dropped row. An empty
``Wert`` in an INKAR export is loaded as NULL with flag ``secret`` (unknown) and reported as a warning;
``value_q`` flags other than p r s e are ignored.
"""
from __future__ import annotations

import codecs
import csv
import io
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from etl.issues import InputError, Issue, short
from etl.keys import hint_layers, install_sql_macros, normalise_region_key, region_key_layers

_log = logging.getLogger(__name__)

__all__ = [
    "STAGING_DDL",
    "LoadResult",
    "ensure_staging",
    "detect_format",
    "load_statistics_file",
    "parse_value",
    "parse_period",
]

STAGING_DDL = """
create table if not exists stg_statistic (
    source_id       varchar,   -- id of the source file (table source)
    format          varchar,   -- genesis_ffcsv | genesis_table | inkar
    line            bigint,    -- line number in the file, 1-based (header = line 1 for flat files)
    statistic_code  varchar,   -- GENESIS statistic (12411), table code (12411-01-01-5) or 'INKAR'
    variable_code   varchar,   -- value variable (BEVSTD), table column label, or INKAR Kuerzel
    dims            varchar,   -- further variable attributes 'CODE=ATTR;…' sorted by CODE; '' = none
    region_key      varchar,   -- normalised key (etl.keys): AGS 8, district 5, Land 2, regbez 3, verband 9, DG
    region_level    varchar,   -- gemeinde | kreis | land | bund | verband | regbez; NULL = key unusable
    region_name     varchar,   -- name as written in the file
    period          date,      -- reference date; a year is 31.12. of that year
    value           double,    -- value in unit; NULL when withheld (see flag)
    flag            varchar,   -- NULL | zero | secret | later | unreliable | not_applicable | limited | provisional | revised | estimated | final
    unit            varchar    -- unit as written in the file (Anzahl, %, km, …)
)
"""

STAGING_COLUMNS = ["source_id", "format", "line", "statistic_code", "variable_code", "dims", "region_key",
                   "region_level", "region_name", "period", "value", "flag", "unit"]

_FLAG_SUFFIX = {"p": "provisional", "r": "revised", "s": "estimated", "e": "final"}
_SPECIAL = {"-": (0.0, "zero"), ".": (None, "secret"), "...": (None, "later"), "/": (None, "unreliable"),
            "x": (None, "not_applicable"), "X": (None, "not_applicable")}
_NUM = r"-?[0-9]+(?:[.,][0-9]+)?"
_RE_NUM = re.compile(rf"^{_NUM}$")
_RE_LIMITED = re.compile(rf"^\(\s*({_NUM})\s*\)$")
_RE_SUFFIX = re.compile(rf"^({_NUM})\s*([prsePRSE])$")
_RE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_RE_YEAR = re.compile(r"^([12]\d{3})$")
_RE_YEAR_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")  # INKAR multi-year means: end of the last year
_MAX_VALUE_ISSUES = 50

_EXPECT_VALUE = "Zahl (Dezimalkomma oder -punkt, ohne Tausendertrennzeichen) oder Zeichen - . ... / x (12,3) 12p"
_EXPECT_PERIOD = "Datum 2024-12-31 oder 31.12.2024, Jahr 2024 oder Zeitraum 2019-2021"


@dataclass(frozen=True)
class LoadResult:
    """What one statistics file gave: format, encoding, rows staged, warnings, title and Stand date."""

    format: str
    encoding: str
    rows: int
    issues: list[Issue] = field(default_factory=list)
    title: str | None = None
    stand: date | None = None


def ensure_staging(con, table: str = "stg_statistic", temporary: bool = False) -> None:
    """Create the staging table (``stg_statistic`` or another name, same columns; optionally a temp table)
    if no table of that name exists yet."""
    if con.execute("select count(*) from duckdb_tables() where table_name = ?", [table]).fetchone()[0]:
        return
    con.execute(STAGING_DDL.replace("create table if not exists stg_statistic",
                                    f"create {'temp ' if temporary else ''}table if not exists {table}"))


# ====================================================================== values and periods (Python)
def parse_value(raw: str | None) -> tuple[float | None, str | None] | None:
    """Parse one cell: (value, flag), or None when the cell is neither a number nor a GENESIS symbol.

    An empty cell is invalid (None) too: exports write a symbol for every missing value.
    """
    v = (raw or "").strip()
    if v in _SPECIAL:
        return _SPECIAL[v]
    if _RE_NUM.match(v):
        return float(v.replace(",", ".")), None
    m = _RE_LIMITED.match(v)
    if m:
        return float(m.group(1).replace(",", ".")), "limited"
    m = _RE_SUFFIX.match(v)
    if m:
        return float(m.group(1).replace(",", ".")), _FLAG_SUFFIX[m.group(2).lower()]
    return None


def parse_period(raw: str | None) -> date | None:
    """'2024-12-31', '31.12.2024' or '2024' (→ 31.12.2024); None when not a valid date."""
    t = (raw or "").strip()
    try:
        m = _RE_ISO.match(t)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _RE_DE.match(t)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _RE_YEAR.match(t) or _RE_YEAR_RANGE.match(t)
        if m:
            return date(int(m.group(m.lastindex)), 12, 31)
    except ValueError:
        return None
    return None


# The same rules in SQL (bulk path). tests/test_statistics.py checks both agree.
_SQL_VALUE_MACROS = [
    r"""create or replace temp macro rm_value_t(v) as (
    case
        when regexp_full_match(v, '-?[0-9]+([.,][0-9]+)?') then {'value': cast(replace(v, ',', '.') as double), 'flag': null::varchar}
        when v = '-' then {'value': 0.0::double, 'flag': 'zero'}
        when v = '.' then {'value': null::double, 'flag': 'secret'}
        when v = '...' then {'value': null::double, 'flag': 'later'}
        when v = '/' then {'value': null::double, 'flag': 'unreliable'}
        when v in ('x', 'X') then {'value': null::double, 'flag': 'not_applicable'}
        when regexp_full_match(v, '\(\s*-?[0-9]+([.,][0-9]+)?\s*\)') then
            {'value': cast(replace(trim(v, '() '), ',', '.') as double), 'flag': 'limited'}
        when regexp_full_match(v, '-?[0-9]+([.,][0-9]+)?\s*[prsePRSE]') then
            {'value': cast(replace(trim(v[1:-2]), ',', '.') as double),
             'flag': case lower(v[-1]) when 'p' then 'provisional' when 'r' then 'revised'
                                      when 's' then 'estimated' else 'final' end}
        else {'value': null::double, 'flag': 'invalid'}
    end
)""",
    "create or replace temp macro rm_value(raw) as rm_value_t(rm_trim(coalesce(raw, '')))",
    # cheap tests first (this runs once per row on national files); same results as parse_period
    r"""create or replace temp macro rm_period_t(t) as (
    case
        when length(t) = 4 then
            case when try_cast(t as usmallint) between 1000 and 2999
                 then make_date(cast(t as integer), 12, 31) else null::date end
        when length(t) = 10 and t[5:5] = '-' and t[8:8] = '-' then
            case when regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
                 then try_strptime(t, '%Y-%m-%d')::date else null::date end
        when regexp_full_match(t, '[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}') then try_strptime(t, '%d.%m.%Y')::date
        when regexp_full_match(t, '[0-9]{4}\s*-\s*[0-9]{4}') then make_date(cast(t[-4:] as integer), 12, 31)
        else null::date
    end
)""",
    "create or replace temp macro rm_period(raw) as rm_period_t(rm_trim(coalesce(raw, '')))",
    """create or replace temp macro rm_q_flag(q) as (
    case coalesce(q, '') when '' then null when 'p' then 'provisional' when 'r' then 'revised'
        when 's' then 'estimated' when 'e' then 'final'
        else case lower(rm_trim(q)) when 'p' then 'provisional' when 'r' then 'revised'
                  when 's' then 'estimated' when 'e' then 'final' else null end end
)""",
]


def install_macros(con) -> None:
    """Create the temp macros for keys, values and periods on a connection (idempotent)."""
    install_sql_macros(con)
    for stmt in _SQL_VALUE_MACROS:
        con.execute(stmt)


# ====================================================================== format and encoding
_HEAD_BYTES = 1 << 20
#: Longest line accepted (DuckDB's max_line_size on the bulk path; checked beforehand for lines beyond it).
MAX_LINE_BYTES = 1 << 20
#: GENESIS table CSVs are parsed in memory; bigger ones must come as flat files (streamed by DuckDB).
MAX_TABLE_BYTES = 32 << 20
_ISO_HINT_BYTES = set(b"\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe")
INKAR_COLUMNS = ["bereich", "id", "kuerzel", "indikator", "raumbezug", "kennziffer", "name", "zeitbezug", "wert"]


def _err(path: Path, message: str, *, row: int | None = None, column: str | None = None,
         value: object = None, expected: str | None = None) -> Issue:
    return Issue("error", message, file=path.name, row=row, column=column, value=short(value), expected=expected)


def _warn(path: Path, message: str, *, row: int | None = None, column: str | None = None,
          value: object = None, expected: str | None = None) -> Issue:
    return Issue("warning", message, file=path.name, row=row, column=column, value=short(value), expected=expected)


def _eight_bit_encoding(data: bytes) -> str:
    """cp1252 or iso-8859-15 for bytes that are not UTF-8 (rule in the module docstring)."""
    if any(0x80 <= b <= 0x9F for b in data):
        return "cp1252"
    if _ISO_HINT_BYTES.intersection(data):
        return "iso-8859-15"
    return "cp1252"


def _encoding_of(head: bytes, complete: bool) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        return _eight_bit_encoding(head)


def _split(line: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=";", quotechar='"'), [])
    except csv.Error:  # a field beyond the csv module's limit (128 KiB): no export has one
        return line.split(";")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def detect_format(path: Path) -> tuple[str, str]:
    """(format, encoding) from the file's content; InputError with a German message for anything else.

    format is genesis_ffcsv | genesis_table | inkar; encoding is a Python codec name
    (utf-8-sig | utf-8 | cp1252 | iso-8859-15).
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES + 1)
    except OSError as exc:
        raise InputError(_err(path, f"Die Datei kann nicht gelesen werden ({exc.strerror or exc}).")) from None
    complete = len(head) <= _HEAD_BYTES
    head = head[:_HEAD_BYTES]
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(_err(path, "Die Datei ist leer.", expected="CSV-Export aus GENESIS oder INKAR"))
    if head.startswith(b"PK\x03\x04"):
        raise InputError(_err(path, "Die Datei ist ein ZIP-Archiv oder eine Excel-Datei, keine CSV-Datei.",
                              expected="den entpackten CSV-Export (GENESIS-Flatfile, GENESIS-Tabelle oder INKAR)"))
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and (b"\x00" in head[:65536] or sum(b < 9 or 13 < b < 32 for b in head[:4096]) > 8):
        raise InputError(_err(path, "Die Datei enthält Binärdaten und ist keine Textdatei (CSV).",
                              expected="CSV-Export aus GENESIS oder INKAR"))
    if not complete and b"\n" not in head:
        raise InputError(_err(path, f"Die erste Zeile ist länger als {_HEAD_BYTES >> 20} MiB (fehlende "
                                    "Zeilenumbrüche?); die Datei ist kein Statistik-Export.", row=1,
                              value=head[:60].decode("utf-8", errors="replace"),
                              expected="CSV-Export aus GENESIS oder INKAR, eine Zeile je Wert"))
    encoding = "utf-16" if utf16 else _encoding_of(head, complete)
    if encoding == "utf-8-sig":
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head[3:], final=complete)
        except UnicodeDecodeError:
            _refuse_mixed_encoding(path, encoding)  # the BOM says UTF-8, the bytes say otherwise
    text = head.decode(encoding, errors="replace")
    first = _first_line(text).lstrip("\ufeff").strip()
    low = first.lower()
    if low.startswith("<") or "<html" in text[:2000].lower():
        raise InputError(_err(path, "Die Datei ist eine HTML-Seite (z. B. eine Fehler- oder Anmeldeseite des "
                                    "Portals), kein CSV-Export.", value=first,
                              expected="CSV-Export aus GENESIS oder INKAR"))
    cells = [c.strip().lower() for c in _split(first)]
    if cells and cells[0] in ("statistics_code", "statistik_code"):
        return "genesis_ffcsv", encoding
    if cells[: len(INKAR_COLUMNS)] == INKAR_COLUMNS:
        return "inkar", encoding
    if cells and re.match(r"^genesis-tabelle\s*:", cells[0]):
        return "genesis_table", encoding
    hint = ""
    if ";" not in first and "\t" in first:
        hint = (" Die Kopfzeile ist durch Tabulatoren getrennt: wurde die Datei in Excel als 'Unicode-Text' "
                "gespeichert?")
    elif ";" not in first and "," in first:
        hint = " Die Kopfzeile enthält keine Semikolons: wurde die Datei mit Komma als Trennzeichen gespeichert?"
    raise InputError(_err(
        path, "Unbekanntes Dateiformat: die erste Zeile passt zu keinem bekannten Statistik-Export." + hint,
        row=1, value=first,
        expected="GENESIS-Flatfile (statistics_code;… oder Statistik_Code;…), GENESIS-Tabelle "
                 "(GENESIS-Tabelle: …) oder INKAR (Bereich;ID;Kuerzel;Indikator;Raumbezug;Kennziffer;Name;"
                 "Zeitbezug;Wert)"))


# ====================================================================== public entry point
def load_statistics_file(con: duckdb.DuckDBPyConnection, path: Path, source_id: str,
                         table: str = "stg_statistic", check_lines: bool = True, as_view: bool = False,
                         macros: bool = True) -> LoadResult:
    """Stage one statistics file into ``stg_statistic`` (rows of ``source_id`` are replaced); ``table`` names
    another staging table with the same columns (``ensure_staging(con, table)``), e.g. one per file.
    ``check_lines=False`` skips the scan for overlong lines when the caller runs :class:`LongLineScan` itself
    (the build does it while hashing the file). ``macros=False`` skips :func:`install_macros` when the caller
    has installed them on ``con`` already (they take ~40 ms per connection).

    ``as_view=True`` copies nothing: ``table`` becomes a temp *view* of the file's rows (same columns) over
    temp tables that stay until :func:`drop_staged_view`, and ``<table>_summary`` a temp table of counts per
    series, region and problem (:data:`SUMMARY_COLUMNS`). One such view at a time per connection.

    ``source_id`` must be unique per file. Raises InputError (German, naming file, line, column, value,
    expected) for an unreadable or malformed file or for invalid values; nothing of the file stays staged
    then. Warnings (rows with an unusable region key, empty INKAR values, …) come back in ``issues``.
    Regions are not filtered here.
    """
    path = Path(path)
    fmt, encoding = detect_format(path)
    if fmt == "genesis_table" and path.stat().st_size > MAX_TABLE_BYTES:
        raise InputError(_err(
            path, f"Die GENESIS-Tabelle ist mit {path.stat().st_size / 2**20:,.0f} MB zu groß für das "
                  "Tabellenformat (es wird ganz in den Speicher gelesen).".replace(",", "."),
            expected=f"Tabellen bis {MAX_TABLE_BYTES >> 20} MB; größere Abrufe bitte als Flatfile (ffcsv) "
                     "exportieren"))
    if macros:
        install_macros(con)
    target = _Target(table, source_id, as_view)
    target.prepare(con)
    try:
        if fmt == "genesis_table":
            result = _load_table(con, path, source_id, encoding, target.table)
            if as_view:
                target.publish(con, fmt)
            return result
        return _load_bulk(con, path, source_id, fmt, encoding, target, check_lines)
    except InputError:
        target.discard(con)
        raise
    except duckdb.Error as exc:  # never leak DuckDB internals to the office
        target.discard(con)
        _log.debug("DuckDB error while loading %s", path, exc_info=True)
        raise InputError(_err(path, "Die Datei konnte nicht als CSV gelesen werden (Aufbau oder Zeichen "
                                    "passen nicht zu einem GENESIS- oder INKAR-Export).",
                              expected="unveränderter CSV-Export mit Semikolon als Trennzeichen")) from None


#: Columns of the ``<view>_summary`` table (``as_view``): one row per series × region × problem kind.
SUMMARY_COLUMNS = ["statistic_code", "variable_code", "dims", "region_key", "region_level", "kind", "bad_line",
                   "n", "first_line", "name", "only_dashes"]
_BULK_TEMP = ("rm_rejects", "rm_rejects_scan", "rm_raw", "rm_l_per", "rm_l_val", "rm_groups", "rm_l_reg",
              "rm_l_unit")


def _summary_sql(relation: str) -> str:
    """Counts per series, region and problem (invalid row, empty INKAR value) of staged rows."""
    return f"""
        select statistic_code, variable_code, dims, region_key, region_level,
               case when flag like 'invalid%' or flag = 'inkar_empty' then flag end as kind,
               case when flag like 'invalid%' then line end as bad_line,
               count(*) as n, min(line) as first_line, arg_min(region_name, line) as name,
               bool_and(flag is not distinct from 'zero' or value is null) as only_dashes
        from {relation}
        group by all
    """


class _Target:
    """Where the rows of one file go: a staging table (rows of the source replaced) or, ``as_view``, a temp
    view ``name`` over temp tables plus ``name_summary``."""

    def __init__(self, name: str, source_id: str, as_view: bool):
        self.name, self.source_id, self.as_view = name, source_id, as_view
        # the materialised rows: the staging table, or (view of a table-format file) a temp table behind it
        self.table = f"{name}_rows" if as_view else name
        self.view_sql: str | None = None  # bulk view: the SELECT over rm_raw and the lookups
        self.fast_summary: str | None = None  # bulk view: _BulkPlan.fast_summary

    def prepare(self, con) -> None:
        if self.as_view:
            drop_staged_view(con, self.name)
            ensure_staging(con, self.table, temporary=True)
        else:
            ensure_staging(con, self.table)
            con.execute(f"delete from {self.table} where source_id = ?", [self.source_id])

    def relation(self) -> str:
        """SQL relation of this file's staged rows (raw flags)."""
        if self.view_sql is not None:
            return f"({self.view_sql})"
        return f"(select * from {self.table} where source_id = {_lit(self.source_id)})"

    def publish(self, con, fmt: str) -> None:
        """``as_view``: create ``name_summary`` and the view ``name`` (empty INKAR values as 'secret')."""
        summary = _summary_sql(self.relation())
        if self.fast_summary is not None and not con.execute(
                "select (select count(*) from rm_l_val where vflag in ('invalid', 'inkar_empty')) "
                "+ (select count(*) from rm_l_per where per is null)").fetchone()[0]:
            summary = self.fast_summary  # no row can be invalid or empty: count raw groups, not parsed rows
        con.execute(f"create temp table {self.name}_summary as {summary}")
        flag = "case when flag = 'inkar_empty' then 'secret' else flag end" if fmt == "inkar" else "flag"
        cols = ", ".join(STAGING_COLUMNS)
        con.execute(f"create temp view {self.name} ({cols}) as select * replace ({flag} as flag) "
                    f"from {self.relation()}")

    def discard(self, con) -> None:
        if self.as_view:
            drop_staged_view(con, self.name)
        else:
            con.execute(f"delete from {self.table} where source_id = ?", [self.source_id])


def drop_staged_view(con, name: str) -> None:
    """Drop a view made by ``load_statistics_file(..., as_view=True)`` and everything behind it."""
    con.execute(f"drop view if exists {name}")
    con.execute(f"drop table if exists {name}_summary")
    con.execute(f"drop table if exists {name}_rows")
    for table in _BULK_TEMP:
        con.execute(f"drop table if exists {table}")


# ====================================================================== bulk path (ffcsv, INKAR)
_REJECT_TEXT = {
    "MISSING COLUMNS": "Die Zeile hat zu wenige Felder (abgeschnittene Zeile?).",
    "TOO MANY COLUMNS": "Die Zeile hat zu viele Felder (Semikolon im Text ohne Anführungszeichen?).",
    "UNQUOTED VALUE": "Anführungszeichen in der Zeile sind nicht korrekt geschlossen.",
    "LINE SIZE OVER MAXIMUM": "Die Zeile ist ungewöhnlich lang (fehlender Zeilenumbruch?).",
    "INVALID ENCODING": "Die Zeile enthält ungültige Zeichen (Zeichenkodierung).",
}


def _header_cells(path: Path, encoding: str) -> list[str]:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for line in fh:
            if line.strip():
                return [c.strip() for c in _split(line.lstrip("\ufeff").rstrip("\r\n"))]
    return []


def _flat_title(path: Path, encoding: str, fmt: str) -> str | None:
    """statistics_label (Statistik_Label) of the first data line of a flat file; None for INKAR."""
    if fmt != "genesis_ffcsv":
        return None
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        lines = [ln for _, ln in zip(range(2), (x for x in fh if x.strip()))]
    if len(lines) < 2:
        return None
    cells = _split(lines[1].rstrip("\r\n"))
    return cells[1].strip() or None if len(cells) > 1 else None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str | None) -> str:
    return "null" if text is None else "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class _BulkPlan:
    """How a bulk file becomes staging rows, in three steps that keep per-row work small:

    1. ``raw``: the needed columns only, read by DuckDB into the temp table ``rm_raw`` (file order, so a row's
       line is its rowid + 2; no window function, the read stays parallel);
    2. ``lookups``: per distinct raw tuple (region columns, value, period, …) the parsed result, computed once
       per distinct value instead of once per row (temp tables ``rm_l_*``);
    3. ``select``: rows of ``rm_raw`` joined with the lookups, in the column order of ``stg_statistic``.
    """

    raw: dict[str, str]  # rm_raw column -> file column (c1..cn)
    #: in order: (table, key columns, SQL over relation "d" of the distinct keys, SQL of "d" when not rm_raw's
    #: keys); key columns None: the SQL makes the table itself (rm_groups: rows per series and region columns)
    lookups: list[tuple[str, list[str] | None, str, str | None]]
    select: str  # SQL over "r" (rm_raw rows with line) and the lookup tables; placeholders {source} {fmt}
    rows: str = "select rowid + 2 as line, * from rm_raw"  # the relation "r"
    #: the summary (SUMMARY_COLUMNS) from raw groups joined with the lookups, valid when no row is invalid or an
    #: empty INKAR value (a cheaper pass than grouping the parsed rows); None: always the full summary
    fast_summary: str | None = None


def _nd_join(table: str, keys: list[str], left: str = "r") -> str:
    cond = " and ".join(f"{left}.{k} is not distinct from {table}.{k}" for k in keys)
    return f"left join {table} on {cond}"


_VALUE_LOOKUP = ("select v, q, pv.value as value, case when pv.flag = 'invalid' then 'invalid' "
                 "else coalesce(pv.flag, rm_q_flag(q)) end as vflag "
                 "from (select *, rm_value_t(rm_trim(coalesce(v, ''))) as pv from d)")
_PERIOD_LOOKUP = "select t, rm_period_t(rm_trim(coalesce(t, ''))) as per from d"


def _ffcsv_layout(path: Path, header: list[str]) -> _BulkPlan:
    """The plan for a GENESIS flat file (current English or older German header); InputError when the header
    was changed."""
    low = [h.strip().lower() for h in header]
    col = {name: f"c{i + 1}" for i, name in enumerate(low)}
    old = low[0] == "statistik_code"
    if old:
        block_re = re.compile(r"^(\d+)_(merkmal_code|merkmal_label|auspraegung_code|auspraegung_label)$")
        parts = {"merkmal_code": "code", "merkmal_label": "label", "auspraegung_code": "attr",
                 "auspraegung_label": "attr_label"}
        required = ["statistik_code", "zeit"]
        time_col = "zeit"
        stat_col = "statistik_code"
    else:
        block_re = re.compile(r"^(\d+)_variable_(code|label|attribute_code|attribute_label)$")
        parts = {"code": "code", "label": "label", "attribute_code": "attr", "attribute_label": "attr_label"}
        required = ["statistics_code", "time", "value", "value_unit", "value_variable_code"]
        time_col = "time"
        stat_col = "statistics_code"
    expected_hdr = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;…;value;value_unit;"
                    "value_variable_code;value_variable_label[;value_q]" if not old else
                    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;…;CODE__Label__Einheit")
    missing = [r for r in required if r not in col]
    if missing:
        raise InputError(_err(path, f"Die Kopfzeile ist verändert: Spalte {missing[0]!r} fehlt.", row=1,
                              column=missing[0], value=";".join(header), expected=expected_hdr))
    if len(set(low)) != len(low):
        dup = next(h for h in low if low.count(h) > 1)
        raise InputError(_err(path, "Die Kopfzeile enthält eine Spalte doppelt.", row=1, column=dup,
                              expected=expected_hdr))
    blocks: dict[int, dict[str, str]] = {}
    value_cols: list[tuple[str, str, str]] = []  # (column, variable_code, unit) for the old layout
    for i, name in enumerate(low):
        m = block_re.match(name)
        if m:
            blocks.setdefault(int(m.group(1)), {})[parts[m.group(2)]] = f"c{i + 1}"
        elif old and "__" in header[i]:
            pieces = header[i].strip().split("__")
            value_cols.append((f"c{i + 1}", pieces[0].strip(), pieces[-1].strip() if len(pieces) > 2 else ""))
    for n, b in sorted(blocks.items()):
        for part in ("code", "attr", "attr_label"):
            if part not in b:
                raise InputError(_err(path, f"Die Kopfzeile ist verändert: Merkmalsblock {n} ist unvollständig.",
                                      row=1, value=";".join(header), expected=expected_hdr))
    if old and not value_cols:
        raise InputError(_err(path, "Die Kopfzeile ist verändert: keine Wertspalte (CODE__Label__Einheit) gefunden.",
                              row=1, value=";".join(header), expected=expected_hdr))
    order = sorted(blocks)
    raw = {"stat": col[stat_col], "t": col[time_col]}
    region_keys: list[str] = []
    for n in order:
        raw[f"k{n}"], raw[f"a{n}"], raw[f"l{n}"] = blocks[n]["code"], blocks[n]["attr"], blocks[n]["attr_label"]
        region_keys += [f"k{n}", f"a{n}", f"l{n}"]
    period_name = _lit(header[int(col[time_col][1:]) - 1].strip())
    lookups: list[tuple[str, list[str] | None, str, str | None]] = [("rm_l_per", ["t"], _PERIOD_LOOKUP, None)]
    if order:
        # region and dims per distinct combination of the variable blocks (a few thousand, not millions)
        ridx = "case " + " ".join(f"when h{n} is not null then {n}" for n in order) + " else 0 end"
        pick = lambda part: "case ridx " + " ".join(f"when {n} then {part}{n}" for n in order) + " end"  # noqa: E731
        structs = ", ".join(f"{{'c': rm_trim(coalesce(k{n}, '')), 'a': rm_trim(coalesce(a{n}, '')), 'i': {n}}}"
                            for n in order)
        dims = ("array_to_string(list_transform(list_sort(list_filter([" + structs + "], "
                "lambda x: x.i <> ridx and x.a <> '' and x.c <> '')), lambda x: x.c || '=' || x.a), ';')")
        hinted = hint_layers("select * from d", {f"h{n}": f"k{n}" for n in order})
        layered = (f"select *, {pick('a')} as raw_key, {pick('h')} as hint_level, "
                   f"rm_trim({pick('l')}) as region_name, {dims} as dims "
                   f"from (select *, {ridx} as ridx from ({hinted}))")
        keyed = region_key_layers(layered, "raw_key", "hint_level")
        reg_lookup = ("rm_l_reg", region_keys, f"select {', '.join(region_keys)}, region_key, region_level, "
                                               f"region_name, dims from ({keyed})",
                      f"select distinct {', '.join(region_keys)} from rm_groups")
        reg = "rm_l_reg.dims, rm_l_reg.region_key, rm_l_reg.region_level, rm_l_reg.region_name"
    else:
        reg = "'', null::varchar, null::varchar, null::varchar"
    if old:
        for j, (c, _, _) in enumerate(value_cols):
            raw[f"v{j}"] = c
        items = ", ".join(
            f"{{'v': v{j}, 'code': {_lit(code)}, 'unit': {_lit(unit)}, "
            f"'col': {_lit(header[int(c[1:]) - 1].strip())}}}" for j, (c, code, unit) in enumerate(value_cols))
        rows = (f"select * exclude (vc, {', '.join(f'v{j}' for j in range(len(value_cols)))}), vc.v as v, "
                f"null::varchar as q, vc.code as var, nullif(vc.unit, '') as u, vc.col as vcol "
                f"from (select rowid + 2 as line, *, unnest([{items}]) as vc from rm_raw)")
        value_keys_sql = f"select distinct v, q from ({rows})"
        variable, unit, value_column = "r.var", "r.u", "r.vcol"
    else:
        raw.update(v=col["value"], u=col["value_unit"], var=col["value_variable_code"],
                   q=col.get("value_q", "null::varchar"))
        rows = "select rowid + 2 as line, * from rm_raw"
        value_keys_sql = None
        variable, unit, value_column = "rm_trim(r.var)", "rm_trim(r.u)", "'value'"
    lookups.append(("rm_l_val", ["v", "q"], _VALUE_LOOKUP, value_keys_sql))
    if order:
        # rows counted per series and block combination (also the source of the region lookup's keys)
        lookups.append(("rm_groups", None, f"""
            select stat, var, {', '.join(region_keys)}, count(*) as n, min(line) as first_line,
                   bool_and(v in (select v from rm_l_val where vflag = 'zero' or value is null)) as only_dashes
            from ({rows}) r group by all""", None))
        lookups.append(reg_lookup)
    select = f"""
        select {{source}}, {{fmt}}, r.line, rm_trim(r.stat), {variable}, {reg}, rm_l_per.per, rm_l_val.value,
               case when rm_l_per.per is null then 'invalid_period:' || {period_name} || ':' || coalesce(r.t, '')
                    when rm_l_val.vflag = 'invalid' then 'invalid_value:' || {value_column} || ':' || coalesce(r.v, '')
                    else rm_l_val.vflag end,
               {unit}
        from r
        {_nd_join("rm_l_per", ["t"])}
        {_nd_join("rm_l_val", ["v", "q"])}
        {_nd_join("rm_l_reg", region_keys) if order else ""}
    """
    fast = None
    if order:
        on = " and ".join(f"g.{k} is not distinct from rm_l_reg.{k}" for k in region_keys)
        fast = f"""
            select rm_trim(g.stat) as statistic_code, {'g.var' if old else 'rm_trim(g.var)'} as variable_code,
                   rm_l_reg.dims, rm_l_reg.region_key, rm_l_reg.region_level, null::varchar as kind,
                   null::bigint as bad_line, sum(g.n)::bigint as n, min(g.first_line) as first_line,
                   arg_min(rm_l_reg.region_name, g.first_line) as name, bool_and(g.only_dashes) as only_dashes
            from rm_groups g join rm_l_reg on {on}
            group by all
        """
    return _BulkPlan(raw=raw, lookups=lookups, select=select, rows=rows, fast_summary=fast)


def _inkar_layout(path: Path, header: list[str]) -> _BulkPlan:
    """The plan for an INKAR bulk export; InputError when the header was changed."""
    low = [h.strip().lower() for h in header]
    if low[: len(INKAR_COLUMNS)] != INKAR_COLUMNS:
        raise InputError(_err(path, "Die Kopfzeile des INKAR-Exports ist verändert.", row=1,
                              value=";".join(header), expected=";".join(c.capitalize() for c in INKAR_COLUMNS)))
    # c1 Bereich c2 ID c3 Kuerzel c4 Indikator c5 Raumbezug c6 Kennziffer c7 Name c8 Zeitbezug c9 Wert
    raw = {"var": "c3", "ind": "c4", "h": "c5", "k": "c6", "name": "c7", "t": "c8", "v": "c9"}
    region = region_key_layers(f"select * from ({hint_layers('select * from d', {'hint_level': 'h'})})",
                               "k", "hint_level")
    lookups = [
        ("rm_l_per", ["t"], _PERIOD_LOOKUP, None),
        # the unit is the last "(…)" of the indicator's name: parsed once per indicator, not once per row
        ("rm_l_unit", ["ind"], "select ind, case when suffix(ind, ')') and contains(ind, '(') "
                               "then nullif(trim(rtrim(split_part(ind, '(', -1), ')')), '') end as unit from d",
         None),
        ("rm_l_val", ["v"], "select v, rm_trim(coalesce(v, '')) = '' as was_empty, pv.value as value, "
                            "case when rm_trim(coalesce(v, '')) = '' then 'inkar_empty' else pv.flag end as vflag "
                            "from (select *, rm_value_t(case when rm_trim(coalesce(v, '')) = '' then '.' "
                            "else rm_trim(v) end) as pv from d)", None),
        ("rm_groups", None, """
            select var, h, k, count(*) as n, min(line) as first_line, arg_min(rm_trim(name), line) as name,
                   bool_and(v in (select v from rm_l_val where vflag = 'zero' or value is null)) as only_dashes
            from (select rowid + 2 as line, * from rm_raw) r group by all""", None),
        ("rm_l_reg", ["h", "k"], f"select h, k, region_key, region_level from ({region})",
         "select distinct h, k from rm_groups"),
    ]
    select = f"""
        select {{source}}, {{fmt}}, r.line, 'INKAR', rm_trim(r.var), '', rm_l_reg.region_key, rm_l_reg.region_level,
               rm_trim(r.name), rm_l_per.per, rm_l_val.value,
               case when rm_l_per.per is null then 'invalid_period:Zeitbezug:' || coalesce(r.t, '')
                    when rm_l_val.vflag = 'invalid' then 'invalid_value:Wert:' || coalesce(r.v, '')
                    else rm_l_val.vflag end,
               rm_l_unit.unit
        from r
        {_nd_join("rm_l_per", ["t"])}
        {_nd_join("rm_l_reg", ["h", "k"])}
        {_nd_join("rm_l_unit", ["ind"])}
        {_nd_join("rm_l_val", ["v"])}
    """
    fast = """
        select 'INKAR' as statistic_code, rm_trim(g.var) as variable_code, '' as dims, rm_l_reg.region_key,
               rm_l_reg.region_level, null::varchar as kind, null::bigint as bad_line, sum(g.n)::bigint as n,
               min(g.first_line) as first_line, arg_min(g.name, g.first_line) as name,
               bool_and(g.only_dashes) as only_dashes
        from rm_groups g join rm_l_reg on g.h is not distinct from rm_l_reg.h and g.k is not distinct from rm_l_reg.k
        group by all
    """
    return _BulkPlan(raw=raw, lookups=lookups, select=select, fast_summary=fast)


def _transcode(path: Path, encoding: str) -> Path:
    """Stream ``path`` into a temporary UTF-8 copy; the caller deletes it. InputError (with the line for
    8-bit code pages) when a byte is not a character of ``encoding``."""
    fd, tmp = tempfile.mkstemp(prefix="rm_stat_", suffix=".csv")
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, open(path, "rb") as src:
            while True:
                chunk = src.read(1 << 22)
                try:
                    out.write(decoder.decode(chunk, final=not chunk))
                except UnicodeDecodeError as exc:
                    single_byte = encoding not in ("utf-8", "utf-8-sig", "utf-16")
                    raise InputError(_err(
                        path, f"Die Datei enthält Bytes, die in der erkannten Zeichenkodierung ({encoding}) "
                              "kein Zeichen sind (beschädigte Datei oder gemischte Zeichenkodierungen).",
                        row=lines + chunk[:exc.start].count(b"\n") + 1 if single_byte else None,
                        value=chunk[max(0, exc.start - 20):exc.end + 20].decode(encoding, errors="replace"),
                        expected="eine Textdatei in einer Zeichenkodierung (UTF-8, Windows-1252 oder "
                                 "ISO-8859-15)")) from None
                if not chunk:
                    break
                lines += chunk.count(b"\n")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _refuse_mixed_encoding(path: Path, declared: str) -> None:
    """InputError when a file that is UTF-8 by its BOM or by valid UTF-8 umlauts also has lines that are not
    UTF-8: either half would be read wrongly, so nothing is guessed. Returns when the file is consistently
    in one 8-bit code page (or UTF-8)."""
    bom = declared == "utf-8-sig"
    first_bad = first_utf8 = None
    bad_part = b""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                if first_bad is None:
                    first_bad, bad_part = number, line[max(0, exc.start - 40):exc.start + 40]
            else:
                if first_utf8 is None and not (number == 1 and line.startswith(codecs.BOM_UTF8)
                                               and line[3:].isascii()):
                    first_utf8 = number
            if first_bad is not None and (bom or first_utf8 is not None):
                break
    if first_bad is None or not (bom or first_utf8 is not None):
        return
    why = ("Die Datei ist als UTF-8 gekennzeichnet (BOM), diese Zeile ist aber in einer anderen "
           "Zeichenkodierung geschrieben (vermutlich Windows-1252)." if bom and first_utf8 is None else
           f"Die Datei mischt Zeichenkodierungen: Zeile {first_utf8} ist UTF-8, diese Zeile nicht "
           "(vermutlich Windows-1252).")
    raise InputError(_err(path, why, row=first_bad,
                          value="…" + bad_part.decode("cp1252", errors="replace").strip() + "…",
                          expected="die ganze Datei in einer Zeichenkodierung, am besten UTF-8 wie vom Portal "
                                   "exportiert"))


def _scan_encoding(path: Path) -> str:
    """Full-file decision between utf-8 and the 8-bit code pages (streaming)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    high: set[int] = set()
    utf8 = True
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 22)
            if not chunk:
                break
            if utf8:
                try:
                    dec.decode(chunk, final=False)
                except UnicodeDecodeError:
                    utf8 = False
            high.update(b for b in set(chunk) if b >= 0x80)
    if utf8:
        return "utf-8"
    return _eight_bit_encoding(bytes(sorted(high)))


class LongLineScan:
    """Finds the first line longer than MAX_LINE_BYTES in a byte stream fed chunk by chunk (any chunk size).
    DuckDB rejects such lines itself only up to its buffer size; a longer one it would skip without a word."""

    def __init__(self) -> None:
        self.newlines = 0
        self.since = 0  # bytes since the last newline
        self.first_long: int | None = None  # 1-based line number

    def feed(self, chunk: bytes) -> None:
        """Scan the next bytes of the stream (in windows of MAX_LINE_BYTES, so a line that starts and ends
        inside one window is short by construction)."""
        pos, size = 0, len(chunk)
        while pos < size and self.first_long is None:
            end = min(size, pos + MAX_LINE_BYTES)
            first = chunk.find(b"\n", pos, end)
            self.since += (end if first < 0 else first) - pos
            if self.since > MAX_LINE_BYTES:
                self.first_long = self.newlines + 1
                return
            if first >= 0:
                self.newlines += chunk.count(b"\n", pos, end)
                self.since = end - chunk.rfind(b"\n", pos, end) - 1
            pos = end


def long_line_issue(path: Path | str, line: int) -> Issue:
    """The error for a line longer than MAX_LINE_BYTES."""
    return Issue("error", f"Die Zeile ist länger als {MAX_LINE_BYTES >> 20} MiB (fehlender Zeilenumbruch oder "
                          "angehängte Fremddaten?).", file=Path(path).name, row=line,
                 expected="eine Zeile je Wert, wie im Export des Portals")


def _refuse_long_lines(path: Path) -> None:
    """InputError naming the first line longer than MAX_LINE_BYTES (streamed, 1 MiB at a time)."""
    scan = LongLineScan()
    with open(path, "rb") as fh:
        while scan.first_long is None:
            chunk = fh.read(MAX_LINE_BYTES)
            if not chunk:
                return
            scan.feed(chunk)
    raise InputError(long_line_issue(path, scan.first_long))


def _load_bulk(con, path: Path, source_id: str, fmt: str, encoding: str, target: _Target,
               check_lines: bool = True) -> LoadResult:
    if check_lines:
        _refuse_long_lines(path)
    header = _header_cells(path, encoding)
    plan = _ffcsv_layout(path, header) if fmt == "genesis_ffcsv" else _inkar_layout(path, header)
    issues: list[Issue] = []
    tmp: Path | None = None
    try:
        read_path = path
        if encoding not in ("utf-8", "utf-8-sig"):
            tmp = _transcode(path, encoding)
            read_path = tmp
        rows, rejects = _run_bulk(con, read_path, source_id, fmt, header, plan, target)
        if rejects and all(r[1] == "INVALID ENCODING" for r in rejects) and tmp is None:
            # the first MiB was UTF-8, later bytes are not: decide on the whole file and transcode
            target.discard(con)
            target.prepare(con)
            _refuse_mixed_encoding(path, encoding)
            encoding = _scan_encoding(path)
            if encoding == "utf-8":
                encoding = "cp1252"
            tmp = _transcode(path, encoding)
            rows, rejects = _run_bulk(con, tmp, source_id, fmt, header, plan, target)
        if rejects:
            raise InputError([
                _err(path, _REJECT_TEXT.get(err_type, "Die Zeile kann nicht gelesen werden.")
                     + f" Gefunden: {len(_split(csv_line or ''))} Felder.", row=line,
                     value=csv_line, expected=f"{len(header)} Felder getrennt durch Semikolon wie in der Kopfzeile")
                for line, err_type, csv_line in rejects[:_MAX_VALUE_ISSUES]
            ] + ([_err(path, f"Insgesamt {len(rejects)} fehlerhafte Zeilen; nur die ersten "
                             f"{_MAX_VALUE_ISSUES} sind aufgeführt.")] if len(rejects) > _MAX_VALUE_ISSUES else []))
        if rows == 0:
            raise InputError(_err(path, "Die Datei enthält keine Datenzeilen, nur die Kopfzeile.",
                                  expected="mindestens eine Datenzeile"))
        if target.as_view:
            target.publish(con, fmt)
            summary = f"{target.name}_summary"
        else:
            summary = "rm_summary"
            con.execute(f"create or replace temp table rm_summary as {_summary_sql(target.relation())}")
        try:
            _check_staged(con, path, summary)
            issues += _staged_warnings(con, path, fmt, summary)
        finally:
            con.execute("drop table if exists rm_summary")
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    if fmt == "inkar" and not target.as_view:
        con.execute(f"update {target.table} set flag = 'secret' where source_id = ? and flag = 'inkar_empty'",
                    [source_id])
    return LoadResult(format=fmt, encoding=encoding, rows=rows, issues=issues,
                      title=_flat_title(path, encoding, fmt), stand=None)


def _run_bulk(con, read_path: Path, source_id: str, fmt: str, header: list[str], plan: _BulkPlan,
              target: _Target):
    """Read via DuckDB read_csv into ``rm_raw``, build the lookups, then insert the rows into the target's
    table or (``as_view``) keep ``rm_raw`` and the lookups for the target's view. Returns (rows, rejected
    lines [(line, type, text)])."""
    columns = "{" + ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(len(header))) + "}"
    for name in _BULK_TEMP:
        con.execute(f"drop table if exists {name}")
    keep = False
    try:
        con.execute(
            f"create temp table rm_raw as select {', '.join(f'{c} as {n}' for n, c in plan.raw.items())} "
            f"from read_csv({_lit(str(read_path))}, delim=';', quote='\"', escape='\"', header=true, "
            f"auto_detect=false, columns={columns}, all_varchar=true, strict_mode=true, null_padding=false, "
            f"store_rejects=true, rejects_table='rm_rejects', rejects_scan='rm_rejects_scan', max_line_size=1048576)")
        rejects = con.execute(
            "select line, min(error_type), min(csv_line) from rm_rejects group by line order by line").fetchall()
        if rejects:
            return 0, rejects
        for lookup, keys, sql, distinct in plan.lookups:
            if keys is None:  # a table of its own (rm_groups), not a lookup over distinct keys
                con.execute(f"create temp table {lookup} as {sql}")
                continue
            distinct = distinct or f"select distinct {', '.join(keys)} from rm_raw"
            con.execute(f"create temp table {lookup} as with d as ({distinct}) {sql}")
        select = f"with r as ({plan.rows}) " + plan.select.format(source=_lit(source_id), fmt=_lit(fmt))
        if target.as_view:
            target.view_sql = (f"select * from (select * from ({select})) "
                               f"as rm_v ({', '.join(STAGING_COLUMNS)})")
            target.fast_summary = plan.fast_summary
            keep = True
            return con.execute(f"select count(*) from ({plan.rows})").fetchone()[0], []
        rows = con.execute(f"insert into {target.table} {select}").fetchall()[0][0]
        return rows, []
    finally:
        if not keep:
            for name in _BULK_TEMP:
                con.execute(f"drop table if exists {name}")


def _check_staged(con, path: Path, summary: str) -> None:
    """Raise InputError for staged rows marked invalid (value or period), up to 50 + a summary; ``summary``
    is a table of :data:`SUMMARY_COLUMNS` over the file's rows."""
    n_bad = con.execute(f"select coalesce(sum(n), 0) from {summary} where kind like 'invalid%'").fetchone()[0]
    if not n_bad:
        return
    bad = con.execute(f"select bad_line, kind from {summary} where kind like 'invalid%' "
                      "order by bad_line, kind limit ?", [_MAX_VALUE_ISSUES]).fetchall()
    issues = []
    for line, flag in bad:
        kind, column, raw = flag.split(":", 2)
        if kind == "invalid_period":
            issues.append(_err(path, "Ungültiger Zeitbezug.", row=line, column=column, value=raw,
                               expected=_EXPECT_PERIOD))
        else:
            issues.append(_err(path, "Ungültiger Wert: weder Zahl noch Sonderzeichen der amtlichen Statistik.",
                               row=line, column=column, value=raw, expected=_EXPECT_VALUE))
    if n_bad > len(bad):
        issues.append(_err(path, f"Insgesamt {n_bad} ungültige Werte; nur die ersten {len(bad)} sind aufgeführt."))
    raise InputError(issues)


def _staged_warnings(con, path: Path, fmt: str, summary: str) -> list[Issue]:
    """Warnings for rows without a usable region key and (INKAR) empty values, from the file's summary."""
    out = []
    n, first_line, raw = con.execute(
        f"select sum(n)::bigint, min(first_line), arg_min(name, first_line) from {summary} "
        "where region_key is null").fetchone()
    if n:
        out.append(_warn(path, f"{n} Zeilen ohne verwendbaren Regionalschlüssel (z. B. Summenzeilen "
                               f"'Insgesamt' oder eine unbekannte Regionalebene); sie werden keiner Region zugeordnet.",
                         row=first_line, value=raw,
                         expected="AGS (8-stellig), Kreis (5), Land (2), Regierungsbezirk (3), DG"))
    if fmt == "inkar":
        n, first_line = con.execute(f"select sum(n)::bigint, min(first_line) from {summary} "
                                    "where kind = 'inkar_empty'").fetchone()
        if n:
            out.append(_warn(path, f"{n} leere Werte im INKAR-Export; geladen als 'unbekannt' (ohne Wert).",
                             row=first_line, column="Wert"))
    return out


# ====================================================================== GENESIS table CSV (Python)
_UNIT_WORDS = {
    "anzahl", "personen", "%", "prozent", "km", "m", "meter", "minuten", "min", "eur", "euro", "tsd. eur",
    "1000 eur", "tsd.", "1000", "qkm", "km²", "ha", "tage", "jahre", "ew/qkm", "betten", "promille", "‰",
    "mio. eur", "std.", "stunden", "t", "kg", "mbit/s",
}
_RE_TABLE_CODE = re.compile(r"^\s*GENESIS-Tabelle\s*:\s*(\S+)", re.I)
_RE_STAND = re.compile(r"Stand\s*:\s*(\d{1,2}\.\d{1,2}\.\d{4})")
_RE_KEYLIKE = re.compile(r"^(DG|[0-9]{1,12})$")


def _is_unit(cell: str) -> bool:
    c = cell.strip().lower()
    if c.startswith("(") and c.endswith(")"):
        c = c[1:-1].strip()
    return c in _UNIT_WORDS or c.startswith("je ") or c.startswith("anzahl")


def _is_period(cell: str) -> bool:
    return parse_period(cell) is not None


def _load_table(con, path: Path, source_id: str, encoding: str, table: str = "stg_statistic") -> LoadResult:
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:  # the head was UTF-8, later bytes not
        _refuse_mixed_encoding(path, encoding)
        encoding = _eight_bit_encoding(path.read_bytes())
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError as exc:
            raise InputError(_err(path, f"Die Datei enthält Bytes, die in der erkannten Zeichenkodierung "
                                        f"({encoding}) kein Zeichen sind (beschädigte Datei?).",
                                  row=path.read_bytes()[:exc.start].count(b"\n") + 1,
                                  expected="eine Textdatei in UTF-8, Windows-1252 oder ISO-8859-15")) from None
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";", quotechar='"')
    try:
        rows = list(reader)
    except csv.Error:
        raise InputError(_err(path, "Die Zeile kann nicht gelesen werden: ein Feld ist länger als 128 KiB oder "
                                    "ein Anführungszeichen ist nicht geschlossen.", row=reader.line_num,
                              expected="eine GENESIS-Tabelle wie vom Portal exportiert")) from None
    cells = [[c for c in r] for r in rows]

    def empty(r: list[str]) -> bool:
        return all(not c.strip() for c in r)

    m = _RE_TABLE_CODE.match(cells[0][0] if cells and cells[0] else "")
    if not m:
        raise InputError(_err(path, "Der Tabellenkopf fehlt (erste Zeile 'GENESIS-Tabelle: …').", row=1,
                              expected="GENESIS-Tabelle: 12411-01-01-5"))
    table_code = m.group(1).strip()
    # footer
    footer_at = next((i for i, r in enumerate(cells) if r and r[0].strip().startswith("___")), len(cells))
    stand = None
    for r in cells[footer_at:]:
        sm = _RE_STAND.search(";".join(r))
        if sm:
            stand = parse_period(sm.group(1))
    # first data row: a key (or a date/year followed by a key), then a name, then at least one more cell
    def data_shape(r: list[str]) -> tuple[int | None, int, int] | None:
        if len(r) < 3:
            return None
        c0 = r[0].strip()
        if _is_period(c0) and len(r) >= 4 and _RE_KEYLIKE.match(r[1].strip()) and r[2].strip():
            return (0, 1, 2)
        if _RE_KEYLIKE.match(c0) and not (len(c0) == 4 and _is_period(c0)) and r[1].strip():
            return (None, 0, 1)
        return None

    data_at = None
    shape = None
    for i in range(1, footer_at):
        shape = data_shape(cells[i])
        if shape and any(c.strip() for c in cells[i][shape[2] + 1:]):
            data_at = i
            break
    if data_at is None:
        raise InputError(_err(path, "Keine Datenzeilen gefunden (Zeilen mit Regionalschlüssel und Name).",
                              expected="Zeilen wie '14626;Görlitz, Landkreis;243958'"))
    period_col, key_col, name_col = shape
    # header lines: the block of lines right above the data whose first cell is empty
    h_start = data_at
    while h_start - 1 > 0 and cells[h_start - 1] and not cells[h_start - 1][0].strip() \
            and not empty(cells[h_start - 1]):
        h_start -= 1
    header_lines = cells[h_start:data_at]
    title_lines = [r[0].strip() for r in cells[1:h_start] if r and r[0].strip()]
    title = title_lines[0] if title_lines else None
    width = max([len(r) for r in header_lines] + [len(cells[data_at])])
    first_value_col = None
    for j in range(name_col + 1, width):
        if any(j < len(h) and h[j].strip() for h in header_lines):
            first_value_col = j
            break
    if first_value_col is None:
        first_value_col = name_col + 1
    # classify header lines
    periods: dict[int, date] = {}
    units: dict[int, str] = {}
    label_lines: list[list[str]] = []
    for h in header_lines:
        vals = [(j, h[j].strip()) for j in range(first_value_col, width) if j < len(h) and h[j].strip()]
        if not vals:
            continue
        if all(_is_period(v) for _, v in vals):
            periods.update(_ffill({j: parse_period(v) for j, v in vals}, first_value_col, width))
        elif all(_is_unit(v) for _, v in vals) and label_lines:
            units.update(_ffill({j: v.strip("() ") for j, v in vals}, first_value_col, width))
        else:
            label_lines.append(h)
    # unit from the title block ("Bevölkerungsstand (Anzahl)") when there is no units line
    title_unit = None
    for t in title_lines:
        um = re.search(r"\(([^()]+)\)\s*$", t)
        if um and _is_unit(um.group(1)):
            title_unit = um.group(1).strip()
    labels: dict[int, str] = {}
    groups: dict[int, str] = {}
    if label_lines:
        last = label_lines[-1]
        for j in range(first_value_col, width):
            labels[j] = last[j].strip() if j < len(last) else ""
        group_parts: dict[int, list[str]] = {j: [] for j in range(first_value_col, width)}
        for gl in label_lines[:-1]:
            filled = _ffill({j: gl[j].strip() for j in range(first_value_col, min(width, len(gl)))
                             if gl[j].strip()}, first_value_col, width)
            for j, v in filled.items():
                group_parts[j].append(v)
        groups = {j: " - ".join(v) for j, v in group_parts.items() if v}
    title_period = None
    for t in title_lines:
        for tok in re.findall(r"\d{1,2}\.\d{1,2}\.\d{4}|\b\d{4}\b", t):
            p = parse_period(tok)
            if p and 1900 < p.year < 2100:
                title_period = p
    # data rows
    out: list[tuple] = []
    issues: list[Issue] = []
    errors: list[Issue] = []
    n_errors = 0
    unusable = 0
    first_unusable = None
    for i in range(data_at, footer_at):
        r = cells[i]
        line = i + 1
        if empty(r):
            continue
        if r[0].strip() and not any(c.strip() for c in r[1:]) and data_shape(r) is None:
            break  # notes without underscore line: end of data
        if len(r) < width:
            n_errors += 1
            if len(errors) < _MAX_VALUE_ISSUES:
                errors.append(_err(path, f"Die Zeile hat {len(r)} statt {width} Felder (abgeschnittene Zeile?).",
                                   row=line, value=";".join(r), expected=f"{width} Felder wie die Kopfzeilen"))
            continue
        if len(r) > width and any(c.strip() for c in r[width:]):
            n_errors += 1
            if len(errors) < _MAX_VALUE_ISSUES:
                errors.append(_err(path, f"Die Zeile hat {len(r)} statt {width} Felder.", row=line,
                                   value=";".join(r), expected=f"{width} Felder wie die Kopfzeilen"))
            continue
        raw_key = r[key_col].strip()
        name = r[name_col].strip()
        pair = normalise_region_key(raw_key)
        if pair is None:
            unusable += 1
            first_unusable = first_unusable or (line, raw_key)
        row_period = None
        if period_col is not None:
            row_period = parse_period(r[period_col])
            if row_period is None:
                n_errors += 1
                if len(errors) < _MAX_VALUE_ISSUES:
                    errors.append(_err(path, "Ungültiger Zeitbezug.", row=line, column="Spalte 1",
                                       value=r[period_col], expected=_EXPECT_PERIOD))
                continue
        extra = [f"COL{j + 1}={r[j].strip()}" for j in range(name_col + 1, first_value_col) if r[j].strip()]
        dims = ";".join(sorted(extra))
        for j in range(first_value_col, width):
            raw = r[j] if j < len(r) else ""
            label = labels.get(j, "")
            group = groups.get(j, "")
            if not label and not group and not raw.strip():
                continue  # trailing padding column
            variable = f"{group} - {label}" if group and label and group != label else (label or group)
            colname = variable or f"Spalte {j + 1}"
            period = row_period or periods.get(j) or title_period
            if period is None:
                n_errors += 1
                if len(errors) < _MAX_VALUE_ISSUES:
                    errors.append(_err(path, "Kein Zeitbezug: weder Datumsspalte noch Datum in den Kopfzeilen.",
                                       row=line, column=colname, expected=_EXPECT_PERIOD))
                continue
            parsed = parse_value(raw)
            if parsed is None:
                n_errors += 1
                if len(errors) < _MAX_VALUE_ISSUES:
                    errors.append(_err(path, "Ungültiger Wert: weder Zahl noch Sonderzeichen der amtlichen "
                                             "Statistik.", row=line, column=colname, value=raw,
                                       expected=_EXPECT_VALUE))
                continue
            value, flag = parsed
            out.append((source_id, "genesis_table", line, table_code, variable, dims,
                        pair[0] if pair else None, pair[1] if pair else None, name, period, value, flag,
                        units.get(j) or title_unit))
    if n_errors:
        if n_errors > len(errors):
            errors.append(_err(path, f"Insgesamt {n_errors} Fehler; nur die ersten {len(errors)} sind aufgeführt."))
        raise InputError(errors)
    if not out:
        raise InputError(_err(path, "Die Tabelle enthält keine Werte.", expected="mindestens eine Datenzeile"))
    if unusable:
        issues.append(_warn(path, f"{unusable} Zeilen ohne verwendbaren Regionalschlüssel; sie werden keiner "
                                  f"Region zugeordnet.", row=first_unusable[0], value=first_unusable[1],
                            expected="AGS (8-stellig), Kreis (5), Land (2), Regierungsbezirk (3), DG"))
    _insert_rows(con, out, table)
    return LoadResult(format="genesis_table", encoding=encoding, rows=len(out), issues=issues, title=title,
                      stand=stand)


def _ffill(values: dict[int, object], start: int, width: int) -> dict[int, object]:
    """Continue each cell to the right until the next non-empty one (merged header cells)."""
    out: dict[int, object] = {}
    current = None
    for j in range(start, width):
        if j in values:
            current = values[j]
        if current is not None:
            out[j] = current
    return out


def _insert_rows(con, rows: list[tuple], table: str = "stg_statistic") -> None:
    import pyarrow as pa

    names = STAGING_COLUMNS
    types = [pa.string(), pa.string(), pa.int64(), pa.string(), pa.string(), pa.string(), pa.string(),
             pa.string(), pa.string(), pa.date32(), pa.float64(), pa.string(), pa.string()]
    cols = list(zip(*rows))
    arrow = pa.table({n: pa.array(list(c), type=t) for n, c, t in zip(names, cols, types)})
    con.register("rm_table_rows", arrow)
    try:
        con.execute(f"insert into {table} ({', '.join(names)}) select {', '.join(names)} from rm_table_rows")
    finally:
        con.unregister("rm_table_rows")
