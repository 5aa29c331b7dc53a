"""The bad-input corpus (``tests/fixtures/bad/``) and the big inputs of ``tests/etl/test_oversized.py``.

    python tests/make_bad_inputs.py          # (re)writes tests/fixtures/bad/

Each case of the corpus is a folder ``tests/fixtures/bad/<case>/`` holding the files that replace or join the
files of the minimal good source folder (``tests/minimal_source.py``) and a ``case.json``:
``{"what": German description, "remove": [files to delete], "expect": [fragments stderr must contain]}``.
The fragments name the file, the place (sheet, row/line, column) and what is wrong.

The big inputs (hundreds of MB, a zip bomb) are never committed: ``write_big_ffcsv``, ``write_big_workbook``,
``write_long_line``, ``write_zip_bomb_xlsx`` and ``write_phantom_rows_xlsx`` write them into a temp folder.
"""
from __future__ import annotations

import io
import json
import random
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.minimal_source import (CATALOGUE, FF_HEADER, INITIATIVE_HEADER, MANIFEST, MUNIS,  # noqa: E402
                                  initiative_row, make_workbook, statistics_lines)

BAD = ROOT / "tests" / "fixtures" / "bad"
STAT = "statistik/bev.csv"
BOOK = "portfolio/portfolio.xlsx"


# ---------------------------------------------------------------------------------------------- the corpus
def _case(name: str, what: str, expect: list[str], files: dict[str, bytes | str], remove: list[str] = ()) -> None:
    folder = BAD / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for rel, content in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    (folder / "case.json").write_text(json.dumps({"what": what, "remove": list(remove), "expect": expect},
                                                 ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _ff(lines: list[str]) -> bytes:
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _book(**kw) -> bytes:
    buf = io.BytesIO()
    make_workbook(buf, **kw)
    return buf.getvalue()


def _book_edit(edit) -> bytes:
    """The minimal workbook, changed by ``edit(workbook)``."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(_book()))
    edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _drop_columns(*names: str):
    def edit(wb):
        ws = wb["Initiativen"]
        header = [c.value for c in ws[1]]
        for name in sorted(names, key=header.index, reverse=True):
            ws.delete_cols(header.index(name) + 1)
    return edit


def write_corpus() -> list[str]:
    """Write every case folder under tests/fixtures/bad/; returns the case names."""
    if BAD.exists():
        shutil.rmtree(BAD)
    BAD.mkdir(parents=True)
    rng = random.Random(20260715)
    lines = statistics_lines()
    n = len(lines)  # the last line of the file is line n

    # --- statistics files
    _case("statistik_leer", "leere Statistikdatei (0 Bytes)", ["Datei bev.csv", "leer"], {STAT: b""})
    _case("statistik_binaer", "Binärdaten statt CSV", ["Datei bev.csv", "Binärdaten"],
          {STAT: bytes(rng.randrange(256) for _ in range(4096))})
    cut = "\n".join(lines)
    cut = cut[: len(cut) - 40]  # the last row ends in the middle, without newline
    _case("statistik_abgeschnitten", "CSV mitten in einer Zeile abgeschnitten",
          ["Datei bev.csv", f"Zeile {n}", "zu wenige Felder"], {STAT: ("\ufeff" + cut).encode("utf-8")})
    mixed = lines[:4] + [lines[4].replace("Name", "Görlitz Name")] + lines[5:]
    data = b"\n".join(ln.encode("cp1252") if i == 4 else ln.encode("utf-8") for i, ln in enumerate(mixed))
    _case("statistik_kodierung_gemischt", "als UTF-8 (BOM) gekennzeichnet, eine Zeile in Windows-1252",
          ["Datei bev.csv", "Zeile 5", "Zeichenkodierung"], {STAT: b"\xef\xbb\xbf" + data + b"\n"})
    _case("statistik_bom_aber_cp1252", "UTF-8-Kennung (BOM), der Text aber in Windows-1252",
          ["Datei bev.csv", "Zeile 2", "Zeichenkodierung", "BOM"],
          {STAT: b"\xef\xbb\xbf" + "\n".join(lines).encode("cp1252") + b"\n"})
    tabbed = "\r\n".join(ln.replace(";", "\t") for ln in lines) + "\r\n"
    _case("statistik_excel_unicode_text", "in Excel als 'Unicode-Text' gespeichert (UTF-16, Tabulatoren)",
          ["Datei bev.csv", "Zeile 1", "Unbekanntes Dateiformat", "Tabulator"],
          {STAT: b"\xff\xfe" + tabbed.encode("utf-16-le")})
    _case("statistik_kopf_umbenannt", "GENESIS-Flatfile mit umbenannter Spalte value → wert",
          ["Datei bev.csv", "Zeile 1", "Spalte value", "Kopfzeile ist verändert"],
          {STAT: _ff([FF_HEADER.replace(";value;", ";wert;")] + lines[1:])})
    _case("statistik_html", "eine Fehlerseite des Portals als .csv gespeichert",
          ["Datei bev.csv", "HTML-Seite"],
          {STAT: "<!DOCTYPE html>\n<html><head><title>Fehler 503</title></head>\n"
                 "<body><h1>Service Unavailable</h1><p>Bitte versuchen Sie es später erneut.</p></body></html>\n"})
    _case("statistik_datum_31_02", "Zeitbezug 31.02.2024 (gibt es nicht)",
          ["Datei bev.csv", "Zeile 3", "Spalte time", "Zeitbezug", "31.02.2024"],
          {STAT: _ff(lines[:2] + [lines[2].replace("2022-12-31", "31.02.2024")] + lines[3:])})
    _case("statistik_wert_text", "Wert als Text ('ca. 4300') und als Exponentialzahl",
          ["Datei bev.csv", "Zeile 2", "Spalte value", "ca. 4300", "Zeile 3", "1e15"],
          {STAT: _ff(lines[:1] + [lines[1].replace(";4389;", ";ca. 4300;"),
                                  lines[2].replace(";56290;", ";1e15;")] + lines[3:])})
    _case("statistik_ohne_herkunft", "quellen.csv ohne Zeile für die Statistikdatei",
          ["statistik/bev.csv", "Herkunftsangabe", "quellen.csv"],
          {"quellen.csv": "".join(ln + "\n" for ln in MANIFEST.splitlines() if not ln.startswith(STAT))})
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("bev.csv", "\n".join(lines))
    _case("statistik_zip", "ZIP-Archiv statt entpackter CSV-Datei", ["Datei bev.csv", "ZIP-Archiv"],
          {STAT: zbuf.getvalue()})
    _case("statistik_doppelte_spalte", "Kopfzeile mit doppelter Spalte time",
          ["Datei bev.csv", "Zeile 1", "Spalte time", "doppelt"],
          {STAT: _ff([FF_HEADER.replace("time_label;time;", "time_label;time;time;", 1)]
                     + [ln.replace("Stichtag;", "Stichtag;2024-12-31;", 1) for ln in lines[1:]])})

    # --- portfolio workbook
    def rename_sheet(wb):
        wb["Initiativen"].title = "Tabelle1"
    _case("portfolio_ohne_blatt", "Arbeitsmappe ohne Blatt Initiativen",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "fehlt"], {BOOK: _book_edit(rename_sheet)})
    _case("portfolio_spalten_fehlen", "Blatt Initiativen ohne die Pflichtspalten Thema und Status",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "Zeile 1", "Spalte Status", "Pflichtspalte Status fehlt",
           "Pflichtspalte Thema fehlt"], {BOOK: _book_edit(_drop_columns("Thema", "Status"))})
    _case("portfolio_doppelte_id", "dieselbe Initiative-ID zweimal",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "Zeile 3", "Spalte ID", "Doppelte ID", "Zeile 2"],
          {BOOK: _book(initiatives=[initiative_row(), initiative_row(title="Rufbus Boxberg II")])})
    _case("portfolio_unbekannte_gemeinde", "Gemeinde, die es im Landkreis nicht gibt, und ein fremder AGS",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "Zeile 2", "Spalte Gemeinden", "Unbekannte Gemeinde",
           "Atlantis", "Zeile 3", "14612000"],
          {BOOK: _book(initiatives=[initiative_row(Gemeinden="Atlantis"),
                                    initiative_row("I-002", Gemeinden="14612000")])})

    def unknown_id(wb):
        wb["Meilensteine"].append(["I-999", "Gibt es nicht", "30.06.2025", None])
    _case("portfolio_unbekannte_id", "Meilenstein einer Initiative, die es nicht gibt",
          ["Datei portfolio.xlsx", "Blatt Meilensteine", "Zeile 3", "Spalte Initiative-ID", "I-999"],
          {BOOK: _book_edit(unknown_id)})
    _case("portfolio_datum_31_02", "Beginn 31.02.2024",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "Zeile 2", "Spalte Beginn", "unmögliches Datum",
           "31.02.2024"], {BOOK: _book(initiatives=[initiative_row(Beginn="31.02.2024")])})
    _case("portfolio_betrag_negativ", "negative Gesamtkosten",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "Zeile 2", "Spalte Gesamtkosten €", "Negativer Betrag"],
          {BOOK: _book(initiatives=[initiative_row(**{"Gesamtkosten €": "-120.000,00 €",
                                                      "Fördermittel bewilligt €": None})])})
    _case("portfolio_betrag_absurd", "Gesamtkosten von 10^15 Euro (Tippfehler)",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "Zeile 2", "Spalte Gesamtkosten €", "Unplausibel hoher Betrag"],
          {BOOK: _book(initiatives=[initiative_row(**{"Gesamtkosten €": 1e15})])})
    _case("portfolio_betrag_text", "Betrag als Text ('etwa 10.000')",
          ["Datei portfolio.xlsx", "Blatt Initiativen", "Zeile 2", "Spalte Eigenmittel €", "keine Zahl",
           "etwa 10.000"], {BOOK: _book(initiatives=[initiative_row(**{"Eigenmittel €": "etwa 10.000"})])})
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("[Content_Types].xml", bytes(rng.randrange(256) for _ in range(512)))
        z.writestr("xl/workbook.xml", bytes(rng.randrange(256) for _ in range(512)))
    _case("portfolio_zip_muell", "ZIP-Datei mit Datenmüll unter dem Namen .xlsx",
          ["Datei portfolio.xlsx", "keine lesbare Excel-Arbeitsmappe"], {BOOK: zbuf.getvalue()})
    _case("portfolio_csv_als_xlsx", "CSV-Text unter dem Namen .xlsx",
          ["Datei portfolio.xlsx", "keine lesbare Excel-Arbeitsmappe"],
          {BOOK: ";".join(INITIATIVE_HEADER) + "\nI-001;Rufbus\n"})
    _case("portfolio_leer", "leere Datei (0 Bytes) als Arbeitsmappe",
          ["Datei portfolio.xlsx", "keine lesbare Excel-Arbeitsmappe"], {BOOK: b""})

    # --- reference files, catalogue, manifest
    muni_head = "ags;name;kind;population;population_date;lat;lon\n"
    rows = [f"{a};{nm};Gemeinde;{p};2024-12-31;51.2;14.7\n" for a, nm, p in MUNIS]
    _case("gemeinden_doppelter_ags", "gemeinden.csv mit einem AGS zweimal",
          ["Datei gemeinden.csv", "Zeile 4", "Spalte ags", "doppelt", "14626110"],
          {"gemeinden.csv": muni_head + "".join(rows) + "14626110;Görlitz (doppelt);Stadt;1;2024-12-31;51.2;14.9\n"})
    _case("gemeinden_spalte_fehlt", "gemeinden.csv ohne Spalte lat",
          ["Datei gemeinden.csv", "Zeile 1", "Spalte lat", "Pflichtspalte"],
          {"gemeinden.csv": "ags;name;kind;population;population_date;lon\n"
                            + "".join(f"{a};{nm};Gemeinde;{p};2024-12-31;14.7\n" for a, nm, p in MUNIS)})
    _case("gebiete_fehlt", "gebiete.csv fehlt im Quellordner", ["gebiete.csv", "Pflichtdatei fehlt"], {},
          remove=["gebiete.csv"])
    cycle = (CATALOGUE
             + "ratio_a;A;A;demography;%;;1;x;CC0;a;formula;;;;;{ratio_b} * 2;\n"
             + "ratio_b;B;B;demography;%;;1;x;CC0;b;formula;;;;;{ratio_a} / 2;\n")
    _case("katalog_formelkreis", "zwei Formeln, die sich gegenseitig brauchen",
          ["Datei indikatoren.csv", "Zeile 4", "Spalte formula", "im Kreis"], {"indikatoren.csv": cycle})
    _case("quellen_leer", "quellen.csv ist leer", ["Datei quellen.csv", "leer"], {"quellen.csv": b""})
    manifest_rows = len(MANIFEST.splitlines())
    _case("quellen_pfad_ausserhalb", "quellen.csv nennt Pfade außerhalb des Quellordners (../, absolut)",
          ["Datei quellen.csv", f"Zeile {manifest_rows + 1}", "Spalte datei", "verlässt den Quellordner",
           "../../etc/passwd", f"Zeile {manifest_rows + 2}", "/etc/hostname"],
          {"quellen.csv": MANIFEST + "statistik/../../../etc/passwd;Fremd;Test;31.12.2024;dl-de/by-2-0;ja\n"
                          "/etc/hostname;Fremd;Test;31.12.2024;dl-de/by-2-0;ja\n"})
    _case("grenzen_kaputt", "eine Grenzdatei, die kein GeoJSON ist",
          ["Datei gemeindegrenzen.geojson", "GeoJSON"],
          {"gemeindegrenzen.geojson": '{"type": "FeatureCollection", "features": [',
           "quellen.csv": MANIFEST + "gemeindegrenzen.geojson;Grenzen;BKG;01.01.2024;dl-de/by-2-0;nein\n"})
    return sorted(p.name for p in BAD.iterdir() if p.is_dir())


# ---------------------------------------------------------------------------------------------- big inputs
def write_big_ffcsv(path: Path, target_bytes: int, keys: list[str] | None = None) -> int:
    """A valid GENESIS flat file of about ``target_bytes`` (population values of ``keys`` for many synthetic
    variables), written in blocks; returns the number of data rows."""
    keys = keys or [a for a, _, _ in MUNIS]
    rows = 0
    with path.open("wb") as fh:
        fh.write(("\ufeff" + FF_HEADER + "\n").encode("utf-8"))
        size = fh.tell()
        var = 0
        while size < target_bytes:
            block = []
            for year in range(2000, 2025):
                for k in keys:
                    block.append(f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{year}-12-31;GEMEIN;"
                                 f"Gemeinden;{k};Name {k};GES;Geschlecht;;Insgesamt;{1000 + var % 997},5;Anzahl;"
                                 f"X{var:06d};Synthetisches Merkmal {var}\n")
            data = "".join(block).encode("utf-8")
            fh.write(data)
            size += len(data)
            rows += len(block)
            var += 1
    return rows


def write_long_line(path: Path, size: int, fill: bytes = b"x") -> None:
    """A flat-file header, then one line of ``size`` bytes without any newline (``fill`` repeated, e.g.
    ``b"x;"``: a line of countless fields)."""
    with path.open("wb") as fh:
        fh.write(("\ufeff" + FF_HEADER + "\n").encode("utf-8"))
        chunk = fill * ((1 << 20) // len(fill))
        left = size
        while left > 0:
            fh.write(chunk[:left])
            left -= len(chunk)


def _cell_xml(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def write_xlsx(path: Path, sheets: dict[str, object]) -> None:
    """A minimal .xlsx (inline strings, no styles) with sheets {name: iterable of rows}; rows are streamed
    into the zip, so a workbook of any length is written in bounded memory and in seconds."""
    names = list(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                    f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(len(names)))
          + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
          + "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                         f'2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                         for i in range(len(names)))
               + "</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        for i, name in enumerate(names):
            with z.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as fh:
                fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
                         b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                buf = []
                for r, row in enumerate(sheets[name], start=1):
                    cells = "".join(_cell_xml(f"{_col(c)}{r}", v) for c, v in enumerate(row))
                    buf.append(f'<row r="{r}">{cells}</row>')
                    if len(buf) >= 2000:
                        fh.write("".join(buf).encode("utf-8"))
                        buf = []
                fh.write("".join(buf).encode("utf-8") + b"</sheetData></worksheet>")


def write_big_workbook(path: Path, rows: int) -> None:
    """A valid portfolio workbook with ``rows`` initiatives (and a status history row for the first)."""
    def initiatives():
        yield INITIATIVE_HEADER
        for i in range(1, rows + 1):
            yield initiative_row(f"I-{i:06d}", f"Vorhaben {i}", Gemeinden=MUNIS[i % 2][1])
    write_xlsx(path, {
        "Initiativen": initiatives(),
        "Meilensteine": [["Initiative-ID", "Meilenstein", "Fällig am", "Erledigt am"]],
        "Statusverlauf": [["Initiative-ID", "Datum", "Status", "Notiz"], ["I-000001", "01.03.2024", "Idee", None]],
    })


def write_phantom_rows_xlsx(path: Path, rows: int) -> None:
    """A small workbook whose sheet Initiativen claims ``rows`` formatted but empty rows (as Excel writes after
    formatting whole columns): a dimension of A1:W<rows> and one empty styled <row> element per row."""
    buf = io.BytesIO()
    make_workbook(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    sheet = "xl/worksheets/sheet1.xml"
    xml = src.read(sheet).decode("utf-8")
    start = xml.index("</sheetData>")
    filler = "".join(f'<row r="{r}" spans="1:23" s="1" customFormat="1"/>' for r in range(4, rows + 1))
    xml = xml[:start] + filler + xml[start:]
    import re
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:W{rows}"/>', xml)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, xml if item.filename == sheet else src.read(item.filename))


def write_zip_bomb_xlsx(path: Path, unpacked_bytes: int) -> None:
    """A workbook whose sheet XML unpacks to ``unpacked_bytes`` (blanks in a cell; ~1000:1 compression)."""
    buf = io.BytesIO()
    make_workbook(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    sheet = "xl/worksheets/sheet1.xml"
    xml = src.read(sheet)
    cut = xml.index(b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for item in src.infolist():
            if item.filename != sheet:
                out.writestr(item, src.read(item.filename))
                continue
            with out.open(sheet, "w", force_zip64=True) as fh:
                fh.write(xml[:cut] + b'<row r="4"><c r="A4" t="inlineStr"><is><t>')
                block = b" " * (1 << 20)
                left = unpacked_bytes
                while left > 0:
                    fh.write(block[:left])
                    left -= len(block)
                fh.write(b"</t></is></c></row>" + xml[cut:])


if __name__ == "__main__":
    names = write_corpus()
    print(f"{len(names)} Fälle in {BAD.relative_to(ROOT)}: " + ", ".join(names))
