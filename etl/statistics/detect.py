"""Format detection from a file's content (never its name) and the splitting of a ``;``-separated line."""
from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

from etl.issues import InputError
from etl.statistics.encoding import encoding_of, refuse_mixed_encoding
from etl.statistics.file_issues import error

#: Bytes read to decide format and encoding (for bulk formats the encoding of the first MiB is taken).
_HEAD_BYTES = 1 << 20
INKAR_COLUMNS = ["bereich", "id", "kuerzel", "indikator", "raumbezug", "kennziffer", "name", "zeitbezug", "wert"]


def split_cells(line: str) -> list[str]:
    """The cells of one ``;``-separated line (quotes as in the exports)."""
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
        raise InputError(error(path, f"Die Datei kann nicht gelesen werden ({exc.strerror or exc}).")) from None
    complete = len(head) <= _HEAD_BYTES
    head = head[:_HEAD_BYTES]
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(error(path, "Die Datei ist leer.", expected="CSV-Export aus GENESIS oder INKAR"))
    if head.startswith(b"PK\x03\x04"):
        raise InputError(error(path, "Die Datei ist ein ZIP-Archiv oder eine Excel-Datei, keine CSV-Datei.",
                               expected="den entpackten CSV-Export (GENESIS-Flatfile, GENESIS-Tabelle oder INKAR)"))
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and (b"\x00" in head[:65536] or sum(b < 9 or 13 < b < 32 for b in head[:4096]) > 8):
        raise InputError(error(path, "Die Datei enthält Binärdaten und ist keine Textdatei (CSV).",
                               expected="CSV-Export aus GENESIS oder INKAR"))
    if not complete and b"\n" not in head:
        raise InputError(error(path, f"Die erste Zeile ist länger als {_HEAD_BYTES >> 20} MiB (fehlende "
                                    "Zeilenumbrüche?); die Datei ist kein Statistik-Export.", row=1,
                               value=head[:60].decode("utf-8", errors="replace"),
                               expected="CSV-Export aus GENESIS oder INKAR, eine Zeile je Wert"))
    encoding = "utf-16" if utf16 else encoding_of(head, complete)
    if encoding == "utf-8-sig":
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head[3:], final=complete)
        except UnicodeDecodeError:
            refuse_mixed_encoding(path, encoding)  # the BOM says UTF-8, the bytes say otherwise
    text = head.decode(encoding, errors="replace")
    first = _first_line(text).lstrip("\ufeff").strip()
    low = first.lower()
    if low.startswith("<") or "<html" in text[:2000].lower():
        raise InputError(error(path, "Die Datei ist eine HTML-Seite (z. B. eine Fehler- oder Anmeldeseite des "
                                    "Portals), kein CSV-Export.", value=first,
                               expected="CSV-Export aus GENESIS oder INKAR"))
    cells = [c.strip().lower() for c in split_cells(first)]
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
    raise InputError(error(
        path, "Unbekanntes Dateiformat: die erste Zeile passt zu keinem bekannten Statistik-Export." + hint,
        row=1, value=first,
        expected="GENESIS-Flatfile (statistics_code;… oder Statistik_Code;…), GENESIS-Tabelle "
                 "(GENESIS-Tabelle: …) oder INKAR (Bereich;ID;Kuerzel;Indikator;Raumbezug;Kennziffer;Name;"
                 "Zeitbezug;Wert)"))
