"""``etl.uploads.accept``: what the office may upload (type by content, limits, safe names) and how everything
else is refused (one InputError, a German message naming each file). Random bytes and random zip packages
(hypothesis) are refused the same way and never raise anything else; a zip bomb is refused from the package
directory alone (no part is read)."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from etl import uploads
from etl.issues import InputError
from etl.uploads import Upload, accept, safe_name
from tests.make_bad_inputs import write_zip_bomb_xlsx
from tests.minimal_source import make_workbook, statistics_lines

ROOT = Path(__file__).resolve().parents[2]
STATS = ROOT / "tests" / "fixtures" / "stats"
FAST = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def workbook_bytes(**kw) -> bytes:
    buf = io.BytesIO()
    make_workbook(buf, **kw)
    return buf.getvalue()


def flat_file() -> bytes:
    return ("\ufeff" + "\n".join(statistics_lines()) + "\n").encode("utf-8")


def repacked(data: bytes, extra: dict[str, bytes] | None = None, types_edit=None, drop=()) -> bytes:
    """The xlsx package ``data`` with members added/dropped and [Content_Types].xml edited."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename in drop:
                continue
            body = src.read(item.filename)
            if item.filename == "[Content_Types].xml" and types_edit:
                body = types_edit(body.decode()).encode()
            z.writestr(item, body)
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return out.getvalue()


def refusal(*ups: Upload) -> list:
    with pytest.raises(InputError) as exc:
        accept(list(ups))
    return exc.value.issues


def one_refusal(name: str, data: bytes) -> str:
    issues = refusal(Upload(name, data))
    assert len(issues) == 1 and issues[0].severity == "error"
    assert issues[0].file == safe_name(name)  # every refusal names the file
    return issues[0].message


# ---------------------------------------------------------------------------------------------- accepted
def test_workbook_and_exports_are_accepted_by_content_with_safe_names():
    book = workbook_bytes()
    inkar = (STATS / "inkar.csv").read_bytes()
    table = (STATS / "table_cp1252_datecol.csv").read_bytes()
    got = accept([Upload("C:\\Users\\amt\\Portfolio 2026.xlsx", book), Upload("../../bev.csv", flat_file()),
                  Upload("inkar export", inkar), Upload("tabelle.txt", table)])
    assert [(a.name, a.kind, a.target) for a in got] == [
        ("Portfolio 2026.xlsx", "portfolio", "portfolio/Portfolio 2026.xlsx"),
        ("bev.csv", "statistik", "statistik/bev.csv"),
        ("inkar export.csv", "statistik", "statistik/inkar export.csv"),  # a suffix the ETL reads
        ("tabelle.txt", "statistik", "statistik/tabelle.txt")]
    assert got[0].data == book and got[0].size == len(book) and len(got[0].sha256) == 64


def test_a_workbook_named_like_a_csv_is_still_a_workbook():
    (a,) = accept([Upload("portfolio.csv", workbook_bytes())])
    assert (a.kind, a.target) == ("portfolio", "portfolio/portfolio.xlsx")


@FAST
@given(st.text(max_size=300))
@example("../../../etc/passwd")
@example("..\\..\\boot.ini")
@example("\x00\n\t.xlsx")
@example("~$Portfolio.xlsx")
def test_safe_name_is_one_plain_file_name(name):
    for suffix in (None, ".xlsx", ".csv"):
        out = safe_name(name, suffix)
        assert out and "/" not in out and "\\" not in out and not out.startswith(".")
        assert out not in (".", "..") and len(out) <= uploads.MAX_NAME_CHARS
        assert all(ch.isprintable() and (ch.isalnum() or ch in " -_.()") for ch in out)
        if suffix:
            assert out.endswith(suffix) and len(out) > len(suffix)


# ---------------------------------------------------------------------------------------------- refused
def test_macro_workbook_is_refused_by_its_content_not_its_name():
    book = workbook_bytes()
    by_part = repacked(book, extra={"xl/vbaProject.bin": b"\x00" * 64})
    by_type = repacked(book, types_edit=lambda t: t.replace("spreadsheetml.sheet.main+xml",
                                                            "ms-excel.sheet.macroEnabled.main+xml"))
    for data in (by_part, by_type):
        assert "Makros" in one_refusal("Portfolio.xlsx", data)


def test_encrypted_workbook_and_old_xls_are_refused_with_what_to_do():
    ole = uploads.OLE_MAGIC + b"\x00" * 504
    encrypted = ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le")
    assert "Kennwort" in one_refusal("Portfolio.xlsx", encrypted)
    xls = one_refusal("Portfolio.xls", ole + "Workbook".encode("utf-16-le") + b"\x00" * 64)
    assert ".xls" in xls and ".xlsx" in xls and "speichern" in xls
    assert "anderen Programm" in one_refusal("Brief.doc", ole + "WordDocument".encode("utf-16-le"))


def test_zip_bomb_is_refused_from_the_directory_without_reading_a_part(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    write_zip_bomb_xlsx(path, 64 << 20)
    data = path.read_bytes()
    assert len(data) < 1 << 20  # really a bomb: 64 MB packed into less than 1 MB

    def no_reading(*a, **k):
        raise AssertionError("a part was opened")
    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    message = one_refusal("bomb.xlsx", data)
    assert "ZIP-Bombe" in message and "entpackt" in message


def test_declared_unpacked_total_beyond_the_reader_limit_is_refused(monkeypatch):
    from etl import portfolio

    book = workbook_bytes()
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(book)).infolist())
    monkeypatch.setattr(portfolio, "MAX_UNPACKED_BYTES", total - 1)
    assert "zu groß" in one_refusal("Portfolio.xlsx", book)


def test_files_of_other_tools_are_refused():
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    assert "OpenDocument" in one_refusal("Portfolio.ods", ods.getvalue())
    assert "PDF" in one_refusal("Portfolio.xlsx", b"%PDF-1.7\n" + b"x" * 100)
    other = Workbook()
    other.active.title = "Tabelle1"
    buf = io.BytesIO()
    other.save(buf)
    assert "Initiativen" in one_refusal("Haushalt.xlsx", buf.getvalue())
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "hallo")
    assert "keine Excel-Arbeitsmappe" in one_refusal("Daten.xlsx", plain_zip.getvalue())
    assert "Unbekanntes Dateiformat" in one_refusal("liste.csv", b"Name,Wert\nA,1\n")
    assert "HTML" in one_refusal("export.csv", (STATS / "html_error_page.csv").read_bytes())
    assert "leer" in one_refusal("leer.csv", b"")


def test_size_and_count_limits(monkeypatch):
    book, ff = workbook_bytes(), flat_file()
    monkeypatch.setattr(uploads, "MAX_WORKBOOK_BYTES", len(book) - 1)
    assert "zu groß" in one_refusal("Portfolio.xlsx", book)
    monkeypatch.setattr(uploads, "MAX_STATISTICS_BYTES", len(ff) - 1)
    assert "zu groß" in one_refusal("bev.csv", ff)
    monkeypatch.undo()
    issues = refusal(*[Upload(f"bev{i}.csv", ff) for i in range(uploads.MAX_FILES + 1)])
    assert len(issues) == 1 and f"höchstens {uploads.MAX_FILES}" in issues[0].expected


def test_limits_are_read_from_the_environment():
    code = ("from etl import uploads as u; print(u.MAX_WORKBOOK_BYTES >> 20, u.MAX_STATISTICS_BYTES >> 20, "
            "u.MAX_FILES)")
    env = {"REGIONALMONITOR_UPLOAD_WORKBOOK_MB": "7", "REGIONALMONITOR_UPLOAD_STATISTICS_MB": "9",
           "REGIONALMONITOR_UPLOAD_FILES": "3", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["7", "9", "3"]


def test_every_refused_file_is_named_in_one_error_and_two_workbooks_are_one_too_many():
    book = workbook_bytes()
    issues = refusal(Upload("a.xlsx", book), Upload("b.xlsx", book), Upload("c.pdf", b"%PDF-1.4"),
                     Upload("d.csv", b"x;y\n"))
    named = {i.file for i in issues}
    assert {"b.xlsx", "c.pdf", "d.csv"} <= named
    assert any("Mehr als eine Portfolio-Arbeitsmappe" in i.message for i in issues)
    twice = refusal(Upload("x/bev.csv", flat_file()), Upload("y/bev.csv", flat_file()))
    assert len(twice) == 1 and "demselben Namen" in twice[0].message


def test_a_package_with_two_parts_of_one_name_is_refused():
    book = workbook_bytes()
    with pytest.warns(UserWarning, match="Duplicate name"):
        twice = repacked(book, extra={"xl/workbook.xml": b"<workbook/>"})
    assert "beschädigt" in one_refusal("Portfolio.xlsx", twice)
    assert accept([Upload("Portfolio.xlsx", book)])  # the same package without the second part is fine


# ---------------------------------------------------------------------------------------------- properties
@FAST
@given(st.binary(max_size=4096))
@example(b"PK\x03\x04")
@example(b"PK\x05\x06" + b"\x00" * 18)
@example(uploads.OLE_MAGIC)
@example(b"\xef\xbb\xbfstatistics_code;x\n")
def test_random_bytes_are_accepted_or_refused_never_crash(data):
    try:
        got = accept([Upload("datei", data)])
    except InputError as exc:
        assert exc.issues and all(i.file and i.message for i in exc.issues)
    else:
        assert got[0].target.split("/")[0] in ("portfolio", "statistik") and ".." not in got[0].target


MEMBERS = st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin", "mimetype",
                           "content.xml", "xl/worksheets/sheet1.xml", "_rels/.rels", "../evil", "a/b/c"])
CONTENT = st.one_of(st.binary(max_size=300), st.sampled_from([
    b"<Types>spreadsheetml.sheet.main+xml</Types>", b"<Types>macroEnabled</Types>",
    b'<workbook><sheets><sheet name="Initiativen" sheetId="1"/></sheets></workbook>',
    b'<workbook><sheets><sheet name="initiativen " sheetId="1"/></sheets></workbook>']))


@FAST
@given(st.lists(st.tuples(MEMBERS, CONTENT), max_size=6, unique_by=lambda m: m[0]), st.booleans(),
       st.integers(0, 40))
@example([], False, 19)  # an empty package cut to 'PK\x05': read as a (refused) text file
def test_random_zip_packages_are_accepted_or_refused_never_crash(members, deflate, cut):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as z:
        for name, body in members:
            z.writestr(name, body)
    data = buf.getvalue()
    data = data[:-cut] if cut else data  # damaged directory records as well
    try:
        got = accept([Upload("paket.xlsx", data)])
    except InputError as exc:
        assert all(i.file == "paket.xlsx" for i in exc.issues)
    else:
        names = {n for n, _ in members}
        assert got[0].kind == "portfolio" and "xl/vbaProject.bin" not in names and "mimetype" not in names
