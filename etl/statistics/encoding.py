"""Encodings of statistics files, decided from the bytes; transcoding; refusal of mixed encodings and of
overlong lines.

A UTF-8 BOM → ``utf-8-sig``; valid UTF-8 → ``utf-8``; otherwise an 8-bit
code page. Windows-1252 and ISO-8859-15 agree on all German letters; they differ in 0x80–0x9F (printable in
cp1252: ``€`` is 0x80, „ “ ‚ – … are there too; control characters in ISO-8859-15, never in real text) and in
eight positions of 0xA4–0xBE (ISO-8859-15 puts ``€`` at 0xA4, Š š Ž ž Œ œ Ÿ; cp1252 has ¤ ¦ ¨ ´ ¸ ¼ ½ ¾ there).
Rule: any byte 0x80–0x9F → ``cp1252``; else any of 0xA4 0xA6 0xA8 0xB4 0xB8 0xBC 0xBD 0xBE → ``iso-8859-15``
(the euro sign is far likelier in a statistics export than ¤ or ¼); else ``cp1252`` (identical text then).
For bulk formats only the first MiB decides; if DuckDB then meets invalid UTF-8 further down, the whole file
is scanned, the code page chosen by the same rule and the file transcoded to a temporary UTF-8 copy. A file
that is UTF-8 by its BOM or by its umlauts but has lines in another code page is refused (either half would be
read wrongly), and so are lines longer than 1 MiB (``LongLineScan``).
"""
from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

from etl.issues import InputError, Issue
from etl.statistics.file_issues import error

#: Name start of the temporary UTF-8 copies (``rm_stat_<pid>_….csv`` in the system's temp folder): a later run
#: removes those of processes that were killed (etl.storage).
TRANSCODE_PREFIX = "rm_stat_"
#: Longest line accepted (DuckDB's max_line_size on the bulk path; checked beforehand for lines beyond it).
MAX_LINE_BYTES = 1 << 20
_ISO_HINT_BYTES = set(b"\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe")


def eight_bit_encoding(data: bytes) -> str:
    """cp1252 or iso-8859-15 for bytes that are not UTF-8 (rule in the module docstring)."""
    if any(0x80 <= b <= 0x9F for b in data):
        return "cp1252"
    if _ISO_HINT_BYTES.intersection(data):
        return "iso-8859-15"
    return "cp1252"


def encoding_of(head: bytes, complete: bool) -> str:
    """Codec of a file's first bytes (``complete``: the whole file); the rule in the module docstring."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        return eight_bit_encoding(head)


def transcode(path: Path, encoding: str) -> Path:
    """Stream ``path`` into a temporary UTF-8 copy; the caller deletes it. InputError (with the line for
    8-bit code pages) when a byte is not a character of ``encoding``."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TRANSCODE_PREFIX}{os.getpid()}_", suffix=".csv")
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
                    raise InputError(error(
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


def refuse_mixed_encoding(path: Path, declared: str) -> None:
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
    raise InputError(error(path, why, row=first_bad,
                           value="…" + bad_part.decode("cp1252", errors="replace").strip() + "…",
                           expected="die ganze Datei in einer Zeichenkodierung, am besten UTF-8 wie vom Portal "
                                   "exportiert"))


def scan_encoding(path: Path) -> str:
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
    return eight_bit_encoding(bytes(sorted(high)))


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


def refuse_long_lines(path: Path) -> None:
    """InputError naming the first line longer than MAX_LINE_BYTES (streamed, 1 MiB at a time)."""
    scan = LongLineScan()
    with open(path, "rb") as fh:
        while scan.first_long is None:
            chunk = fh.read(MAX_LINE_BYTES)
            if not chunk:
                return
            scan.feed(chunk)
    raise InputError(long_line_issue(path, scan.first_long))
