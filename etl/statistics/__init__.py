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

Modules: ``detect`` (format and encoding of a file), ``encoding`` (the encoding rule, transcoding, refusal of
mixed encodings and overlong lines), ``values`` (value and period parsers, in Python and as SQL macros),
``bulk`` (flat files and INKAR via DuckDB), ``genesis_table`` (table CSVs in Python), ``staging`` (the staging
table, staged views and their summary), ``file_issues`` (the German issues); this module loads one file.
"""
from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from etl.issues import InputError
from etl.statistics.bulk import load_bulk
from etl.statistics.detect import INKAR_COLUMNS, detect_format
from etl.statistics.encoding import MAX_LINE_BYTES, LongLineScan, long_line_issue
from etl.statistics.file_issues import error
from etl.statistics.genesis_table import MAX_TABLE_BYTES, load_table
from etl.statistics.staging import (
    STAGING_COLUMNS,
    STAGING_DDL,
    SUMMARY_COLUMNS,
    LoadResult,
    Target,
    drop_staged_view,
    ensure_staging,
)
from etl.statistics.values import install_macros, parse_period, parse_value

_log = logging.getLogger(__name__)

__all__ = [
    "INKAR_COLUMNS",
    "MAX_LINE_BYTES",
    "MAX_TABLE_BYTES",
    "STAGING_COLUMNS",
    "STAGING_DDL",
    "SUMMARY_COLUMNS",
    "LoadResult",
    "LongLineScan",
    "detect_format",
    "drop_staged_view",
    "ensure_staging",
    "install_macros",
    "load_statistics_file",
    "long_line_issue",
    "parse_period",
    "parse_value",
]


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
        raise InputError(error(
            path, f"Die GENESIS-Tabelle ist mit {path.stat().st_size / 2**20:,.0f} MB zu groß für das "
                  "Tabellenformat (es wird ganz in den Speicher gelesen).".replace(",", "."),
            expected=f"Tabellen bis {MAX_TABLE_BYTES >> 20} MB; größere Abrufe bitte als Flatfile (ffcsv) "
                     "exportieren"))
    if macros:
        install_macros(con)
    target = Target(table, source_id, as_view)
    target.prepare(con)
    try:
        if fmt == "genesis_table":
            result = load_table(con, path, source_id, encoding, target.table)
            if as_view:
                target.publish(con, fmt)
            return result
        return load_bulk(con, path, source_id, fmt, encoding, target, check_lines)
    except InputError:
        target.discard(con)
        raise
    except duckdb.Error:  # never leak DuckDB internals to the office
        target.discard(con)
        _log.debug("DuckDB error while loading %s", path, exc_info=True)
        raise InputError(error(path, "Die Datei konnte nicht als CSV gelesen werden (Aufbau oder Zeichen "
                                    "passen nicht zu einem GENESIS- oder INKAR-Export).",
                               expected="unveränderter CSV-Export mit Semikolon als Trennzeichen")) from None
