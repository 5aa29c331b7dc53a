"""Files the office uploads in the app: limits, type by content (never by name), a safe name.

``accept(uploads)`` returns where each file goes in a source folder (the portfolio workbook to ``portfolio/``,
a statistics export to ``statistik/``) or raises one ``InputError`` listing every refused file with a German
message naming it. Nothing here inflates a zip member beyond a few kilobytes (the package's directory is read,
and ``[Content_Types].xml`` / ``xl/workbook.xml`` with a hard cap), so a zip bomb or a huge file never reaches
openpyxl or DuckDB and memory stays bounded by the upload itself.

Limits (environment variables override them; sizes in MB):
- ``REGIONALMONITOR_UPLOAD_WORKBOOK_MB`` (50): one workbook's size as uploaded;
- ``REGIONALMONITOR_UPLOAD_STATISTICS_MB`` (200): one statistics export's size;
- ``REGIONALMONITOR_UPLOAD_FILES`` (20): files per upload.
The unpacked size and packing ratio of a workbook follow the ETL's own reader (``etl.portfolio``).
"""
from __future__ import annotations

import hashlib
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import unescape

from etl.issues import InputError, Issue


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


#: Largest workbook accepted (bytes as uploaded); a portfolio of some hundred initiatives has well under 1 MB.
MAX_WORKBOOK_BYTES = _env_int("REGIONALMONITOR_UPLOAD_WORKBOOK_MB", 50) << 20
#: Largest statistics export accepted (bytes); a national GENESIS flat file of one statistic has ~100 MB.
MAX_STATISTICS_BYTES = _env_int("REGIONALMONITOR_UPLOAD_STATISTICS_MB", 200) << 20
#: Files in one upload.
MAX_FILES = _env_int("REGIONALMONITOR_UPLOAD_FILES", 20)
#: Members of a workbook package (a real one has 10-100; the directory of millions would fill the memory).
MAX_ZIP_MEMBERS = 5000
#: Parts read whole to learn the type ([Content_Types].xml, xl/workbook.xml) are at most this large.
MAX_PART_BYTES = 2 << 20
#: A part counts as packed suspiciously when it is larger than this and packed more than MAX_PACK_RATIO:1.
RATIO_FLOOR_BYTES = 1 << 20
#: Longest safe file name (characters, suffix included).
MAX_NAME_CHARS = 100

STAT_SUFFIXES = (".csv", ".txt", ".ffcsv", ".tsv")  # the suffixes etl.build reads from statistik/
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
EXPECTED_WORKBOOK = "die Portfolio-Arbeitsmappe als Excel-Arbeitsmappe (.xlsx) ohne Makros und ohne Kennwort"
EXPECTED_STATISTICS = "CSV-Export aus GENESIS (Flatfile oder Tabelle) oder INKAR"
EXPECTED_ANY = "die Portfolio-Arbeitsmappe (.xlsx) oder einen CSV-Export aus GENESIS oder INKAR"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the browser sent (may hold a path or odd characters) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Accepted:
    """An accepted upload: its safe name, ``kind`` "portfolio" | "statistik", ``target`` (path relative to the
    source folder, POSIX), its size and sha256 (for the run log and the version's file list), and its data."""

    name: str
    kind: str
    target: str
    size: int = 0
    sha256: str = ""
    data: bytes = b""

    def __repr__(self) -> str:  # the bytes would flood logs and tracebacks
        return f"Accepted(name={self.name!r}, kind={self.kind!r}, target={self.target!r}, size={self.size})"


def accept(uploads: list[Upload]) -> list[Accepted]:
    """Check every upload (count, size, type by content, safe name); the accepted files in the given order, or
    one InputError listing every refusal (German, each naming its file)."""
    uploads = list(uploads)
    if not uploads:
        raise InputError(Issue("error", "Es wurde keine Datei hochgeladen.", expected=EXPECTED_ANY))
    if len(uploads) > MAX_FILES:
        raise InputError(Issue("error", f"Zu viele Dateien auf einmal ({len(uploads)}).",
                               expected=f"höchstens {MAX_FILES} Dateien je Hochladen"))
    issues: list[Issue] = []
    accepted: list[Accepted] = []
    for up in uploads:
        try:
            accepted.append(_accept_one(up))
        except InputError as exc:
            issues += exc.issues
    workbooks = [a for a in accepted if a.kind == "portfolio"]
    if len(workbooks) > 1:
        issues.append(Issue("error", "Mehr als eine Portfolio-Arbeitsmappe hochgeladen: "
                            + ", ".join(a.name for a in workbooks) + ".", file=workbooks[1].name,
                            expected="genau eine Portfolio-Arbeitsmappe je Prüfung"))
    seen: dict[str, str] = {}
    for a in accepted:
        key = a.target.casefold()
        if key in seen:
            issues.append(Issue("error", f"Zwei Dateien mit demselben Namen ({seen[key]!r} und {a.name!r}).",
                                file=a.name, expected="jede Datei nur einmal hochladen"))
        seen[key] = a.name
    if issues:
        raise InputError(issues)
    return accepted


def safe_name(name: str, suffix: str | None = None) -> str:
    """The file name part of ``name`` (any folders dropped, for / and \\ alike) with only letters, digits,
    blank, '-', '_', '.' and '(' ')' kept (others become '_'), no leading dot, at most MAX_NAME_CHARS
    characters; ``suffix`` (e.g. ".xlsx") is enforced when given."""
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").split("/")[-1]
    base = "".join(ch if (ch.isalnum() or ch in " -_.()") and ch.isprintable() else "_" for ch in base)
    base = re.sub(r"_+", "_", re.sub(r"\s+", " ", base)).strip(" ._")
    if suffix is None:
        stem, ext = os.path.splitext(base)
        if len(ext) > 8:  # not a suffix, part of the name
            stem, ext = base, ""
    else:  # the content decided the type: the name gets its suffix ('Portfolio.xls' -> 'Portfolio.xlsx')
        stem = re.sub(r"\.(xlsx|xlsm|xltx|xls|ods|csv|txt|ffcsv|tsv)$", "", base, flags=re.IGNORECASE)
        ext = suffix
    stem = stem.strip(" ._") or "Datei"
    return stem[: MAX_NAME_CHARS - len(ext)].rstrip(" ._") + ext


def _refuse(name: str, message: str, expected: str = EXPECTED_ANY, value: str | None = None) -> InputError:
    return InputError(Issue("error", message, file=name, value=value, expected=expected))


def _accept_one(up: Upload) -> Accepted:
    data = up.data if isinstance(up.data, (bytes, bytearray, memoryview)) else b""
    display = safe_name(up.name)
    size = len(data)
    if size == 0:
        raise _refuse(display, "Die Datei ist leer.")
    head = bytes(data[:8])
    if head.startswith(ZIP_MAGICS) or head.startswith(OLE_MAGIC):
        if size > MAX_WORKBOOK_BYTES:
            raise _refuse(display, f"Die Arbeitsmappe ist mit {_mb(size)} MB zu groß.",
                          f"eine Arbeitsmappe bis {MAX_WORKBOOK_BYTES >> 20} MB")
        if head.startswith(OLE_MAGIC):
            raise _ole_refusal(display, data)
        _check_workbook(display, data)
        name = safe_name(up.name, ".xlsx")
        return _accepted(name, "portfolio", f"portfolio/{name}", data)
    if head.startswith(b"%PDF"):
        raise _refuse(display, "Die Datei ist ein PDF-Dokument.")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise _refuse(display, "Die Datei ist ein Bild.")
    if size > MAX_STATISTICS_BYTES:
        raise _refuse(display, f"Die Datei ist mit {_mb(size)} MB zu groß.",
                      f"ein Statistik-Export bis {MAX_STATISTICS_BYTES >> 20} MB")
    name = display if display.lower().endswith(STAT_SUFFIXES) else safe_name(up.name, ".csv")
    _check_statistics(display, data)  # a refusal names the file as uploaded
    return _accepted(name, "statistik", f"statistik/{name}", data)


def _accepted(name: str, kind: str, target: str, data) -> Accepted:
    data = bytes(data)
    return Accepted(name, kind, target, len(data), hashlib.sha256(data).hexdigest(), data)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _ole_refusal(name: str, data) -> InputError:
    """An OLE/CFB file: an encrypted (password-protected) xlsx, an old .xls, or a file of another program."""
    def holds(word: str) -> bool:
        return word.encode("utf-16-le") in data
    if holds("EncryptionInfo") or holds("EncryptedPackage"):
        return _refuse(name, "Die Arbeitsmappe ist mit einem Kennwort geschützt (verschlüsselt) und kann nicht "
                             "gelesen werden. Bitte in Excel das Kennwort entfernen (Datei › Informationen › "
                             "Arbeitsmappe schützen) und als .xlsx speichern.", EXPECTED_WORKBOOK)
    if holds("Workbook") or holds("Book"):
        return _refuse(name, "Die Datei ist eine alte Excel-Arbeitsmappe (.xls). Bitte in Excel als "
                             "„Excel-Arbeitsmappe (.xlsx)“ speichern.", EXPECTED_WORKBOOK)
    return _refuse(name, "Die Datei stammt aus einem anderen Programm (altes Office-Format, z. B. Word .doc).")


# ---------------------------------------------------------------------------------------------- workbooks
def _zip_directory_entries(data) -> int | None:
    """The member count the package's end record declares (read from the last bytes, nothing parsed or
    inflated); None when there is no end record."""
    tail_start = max(0, len(data) - (1 << 16) - 22)
    tail = bytes(data[tail_start:])
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    entries = struct.unpack("<H", tail[at + 10: at + 12])[0]
    if entries == 0xFFFF:  # zip64: the count is in the zip64 end record, found through its locator
        loc = tail.rfind(b"PK\x06\x07", 0, at)
        if loc < 0 or loc + 20 > len(tail):
            return None
        offset = struct.unpack("<Q", tail[loc + 8: loc + 16])[0]
        if offset + 40 > len(data) or bytes(data[offset: offset + 4]) != b"PK\x06\x06":
            return None
        entries = struct.unpack("<Q", bytes(data[offset + 32: offset + 40]))[0]
    return entries


def _read_part(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    """A small part as text, read with a hard cap whatever its header declares."""
    if info.file_size > MAX_PART_BYTES:
        raise ValueError("part too large")
    with z.open(info) as fh:
        raw = fh.read(MAX_PART_BYTES + 1)
    if len(raw) > MAX_PART_BYTES:
        raise ValueError("part too large")
    return raw.decode("utf-8", errors="replace")


def _check_workbook(name: str, data) -> None:
    """Refuse anything but a plain .xlsx holding the portfolio's sheet Initiativen: a damaged or foreign zip,
    OpenDocument, macros, a zip bomb (declared sizes and packing ratio, checked before any part is read)."""
    from etl.portfolio import MAX_PACK_RATIO, MAX_UNPACKED_BYTES, SHEET_INITIATIVES, SHEETS, header_key

    damaged = _refuse(name, "Die Datei ist keine lesbare Excel-Arbeitsmappe (beschädigtes ZIP-Archiv).",
                      EXPECTED_WORKBOOK)
    entries = _zip_directory_entries(data)
    if entries is None:
        raise damaged
    if entries > MAX_ZIP_MEMBERS:
        raise _refuse(name, f"Das ZIP-Archiv hat {entries:,} Teile; so wird keine Arbeitsmappe gespeichert."
                      .replace(",", "."), EXPECTED_WORKBOOK)
    try:
        z = zipfile.ZipFile(BytesIO(data))
        parts = z.infolist()
    except Exception:  # noqa: BLE001 - any damage of the directory (random bytes raise many kinds)
        raise damaged from None
    if len(parts) > MAX_ZIP_MEMBERS:
        raise damaged
    names = {p.filename for p in parts}
    if len(names) != len(parts):  # two parts of one name: readers disagree which one counts
        raise damaged
    if "mimetype" in names or "content.xml" in names:
        raise _refuse(name, "Die Datei ist ein OpenDocument (z. B. LibreOffice Calc .ods). Bitte als "
                            "„Excel-Arbeitsmappe (.xlsx)“ speichern.", EXPECTED_WORKBOOK)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise _macro_refusal(name)
    total = sum(p.file_size for p in parts)
    packed = [p for p in parts if p.file_size > RATIO_FLOOR_BYTES
              and p.file_size > MAX_PACK_RATIO * max(p.compress_size, 1)]
    if total > MAX_UNPACKED_BYTES or packed:
        worst = max(parts, key=lambda p: p.file_size)
        why = (f"ein Teil ist {worst.file_size / max(worst.compress_size, 1):,.0f}-fach gepackt (ZIP-Bombe?)"
               .replace(",", ".") if packed else "zu groß")
        raise _refuse(name, f"Die Arbeitsmappe wird nicht gelesen: entpackt {_mb(total)} MB, {why}.",
                      f"{EXPECTED_WORKBOOK}, entpackt höchstens {MAX_UNPACKED_BYTES >> 20} MB", worst.filename)
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _refuse(name, "Die Datei ist ein ZIP-Archiv, aber keine Excel-Arbeitsmappe (.xlsx). Ein gepackter "
                            "Statistik-Export bitte erst entpacken und die CSV-Datei hochladen.", EXPECTED_ANY)
    try:
        types = _read_part(z, z.getinfo("[Content_Types].xml"))
        book = _read_part(z, z.getinfo("xl/workbook.xml"))
    except Exception:  # noqa: BLE001 - a damaged or oversized part
        raise damaged from None
    if "macroenabled" in types.lower() or "vbaproject" in types.lower():
        raise _macro_refusal(name)
    if "spreadsheetml.sheet.main+xml" not in types and "spreadsheetml.template.main+xml" not in types:
        raise _refuse(name, "Die Datei ist keine Excel-Arbeitsmappe (.xlsx), sondern ein anderes Office-Dokument.",
                      EXPECTED_WORKBOOK)
    sheets = [unescape(m, {"&quot;": '"', "&apos;": "'"})
              for m in re.findall(r"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"", book)]
    if header_key(SHEET_INITIATIVES) not in {header_key(s) for s in sheets}:
        raise _refuse(name, "Die Arbeitsmappe hat kein Blatt „Initiativen“; sie ist nicht die "
                            "Portfolio-Arbeitsmappe (Statistik-Exporte bitte als CSV herunterladen).",
                      "eine Arbeitsmappe nach der Vorlage mit den Blättern " + ", ".join(SHEETS),
                      value=", ".join(sheets)[:80] or None)


def _macro_refusal(name: str) -> InputError:
    return _refuse(name, "Die Arbeitsmappe enthält Makros (.xlsm); Makros werden aus Sicherheitsgründen nicht "
                         "angenommen. Bitte in Excel als „Excel-Arbeitsmappe (.xlsx)“ speichern.", EXPECTED_WORKBOOK)


# ---------------------------------------------------------------------------------------------- statistics
def _check_statistics(name: str, data) -> None:
    """The ETL's own format detection on the file's first MiB (GENESIS flat file, GENESIS table, INKAR)."""
    from etl.statistics.detect import detect_format

    with tempfile.TemporaryDirectory(prefix="regionalmonitor-upload-") as tmp:
        path = Path(tmp) / PurePosixPath(name).name
        path.write_bytes(bytes(data[: (1 << 20) + 1]))  # detect reads the first MiB (and one byte more)
        try:
            detect_format(path)
        except InputError as exc:
            raise InputError([Issue(i.severity, i.message, file=name, sheet=i.sheet, row=i.row, column=i.column,
                                    value=i.value, expected=i.expected) for i in exc.issues]) from None
