"""The classic GENESIS table CSV (title block, multi-line column headers, data rows, footer after
``__________``), parsed in Python; small files only (``MAX_TABLE_BYTES``)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from etl.issues import InputError, Issue
from etl.keys import normalise_region_key
from etl.statistics.encoding import eight_bit_encoding, refuse_mixed_encoding
from etl.statistics.file_issues import MAX_LISTED_ISSUES, error, warning
from etl.statistics.staging import STAGING_COLUMNS, LoadResult
from etl.statistics.values import EXPECT_PERIOD, parse_period, parse_value, value_refusal

#: GENESIS table CSVs are parsed in memory; bigger ones must come as flat files (streamed by DuckDB).
MAX_TABLE_BYTES = 32 << 20

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


def load_table(con, path: Path, source_id: str, encoding: str, table: str = "stg_statistic") -> LoadResult:
    """Parse a GENESIS table CSV and insert its values into ``table``; InputError for a malformed table or
    invalid values (nothing inserted then)."""
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:  # the head was UTF-8, later bytes not
        refuse_mixed_encoding(path, encoding)
        encoding = eight_bit_encoding(path.read_bytes())
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError as exc:
            raise InputError(error(path, f"Die Datei enthält Bytes, die in der erkannten Zeichenkodierung "
                                        f"({encoding}) kein Zeichen sind (beschädigte Datei?).",
                                   row=path.read_bytes()[:exc.start].count(b"\n") + 1,
                                   expected="eine Textdatei in UTF-8, Windows-1252 oder ISO-8859-15")) from None
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";", quotechar='"')
    try:
        rows = list(reader)
    except csv.Error:
        raise InputError(error(path, "Die Zeile kann nicht gelesen werden: ein Feld ist länger als 128 KiB oder "
                                    "ein Anführungszeichen ist nicht geschlossen.", row=reader.line_num,
                               expected="eine GENESIS-Tabelle wie vom Portal exportiert")) from None
    cells = [[c for c in r] for r in rows]

    def empty(r: list[str]) -> bool:
        return all(not c.strip() for c in r)

    m = _RE_TABLE_CODE.match(cells[0][0] if cells and cells[0] else "")
    if not m:
        raise InputError(error(path, "Der Tabellenkopf fehlt (erste Zeile 'GENESIS-Tabelle: …').", row=1,
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
        raise InputError(error(path, "Keine Datenzeilen gefunden (Zeilen mit Regionalschlüssel und Name).",
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
            if len(errors) < MAX_LISTED_ISSUES:
                errors.append(error(path, f"Die Zeile hat {len(r)} statt {width} Felder (abgeschnittene Zeile?).",
                                    row=line, value=";".join(r), expected=f"{width} Felder wie die Kopfzeilen"))
            continue
        if len(r) > width and any(c.strip() for c in r[width:]):
            n_errors += 1
            if len(errors) < MAX_LISTED_ISSUES:
                errors.append(error(path, f"Die Zeile hat {len(r)} statt {width} Felder.", row=line,
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
                if len(errors) < MAX_LISTED_ISSUES:
                    errors.append(error(path, "Ungültiger Zeitbezug.", row=line, column="Spalte 1",
                                        value=r[period_col], expected=EXPECT_PERIOD))
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
                if len(errors) < MAX_LISTED_ISSUES:
                    errors.append(error(path, "Kein Zeitbezug: weder Datumsspalte noch Datum in den Kopfzeilen.",
                                        row=line, column=colname, expected=EXPECT_PERIOD))
                continue
            parsed = parse_value(raw)
            if parsed is None:
                n_errors += 1
                if len(errors) < MAX_LISTED_ISSUES:
                    message, expected = value_refusal(raw)
                    errors.append(error(path, message, row=line, column=colname, value=raw, expected=expected))
                continue
            value, flag = parsed
            out.append((source_id, "genesis_table", line, table_code, variable, dims,
                        pair[0] if pair else None, pair[1] if pair else None, name, period, value, flag,
                        units.get(j) or title_unit))
    if n_errors:
        if n_errors > len(errors):
            errors.append(error(path, f"Insgesamt {n_errors} Fehler; nur die ersten {len(errors)} sind aufgeführt."))
        raise InputError(errors)
    if not out:
        raise InputError(error(path, "Die Tabelle enthält keine Werte.", expected="mindestens eine Datenzeile"))
    if unusable:
        issues.append(warning(path, f"{unusable} Zeilen ohne verwendbaren Regionalschlüssel; sie werden keiner "
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
