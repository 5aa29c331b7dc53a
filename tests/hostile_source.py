"""A valid ETL source folder whose every free-text column carries Markdown, HTML and LaTeX (the markup corpus).

``make_hostile_source(dest)`` writes the minimal source (``tests/minimal_source.py``) with :data:`PAYLOAD` added
to every text the office or a statistics office could write: in ``gemeinden.csv`` the names, the Sorbian name,
the association, the central place; in ``gebiete.csv`` the names; in ``indikatoren.csv`` names, unit, source,
licence, definition and the series-break note; in ``quellen.csv`` title, origin and licence; in the portfolio
workbook titles, summaries, lead organisations, partners, programmes, contact fields, milestones, status notes,
KPI names and units, round formats, participants and results. Keys, dates, numbers and vocabulary words stay
valid, so the ETL loads it and every page and export shows the payload.

:data:`MARKERS` are what must never appear unescaped where markup is read (see :func:`live_markup`).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import Workbook

from tests.minimal_source import INITIATIVE_HEADER, MUNIS, initiative_row, make_minimal_source

#: Markdown image (a request to its address from every browser), link, bold, LaTeX, HTML a link, a styled
#: span and an image with a script, a plain address and a www address (GFM links them by themselves), an e-mail.
PAYLOAD = ('![bild](http://hostile.invalid/b.png) [klick](http://hostile.invalid/l) **fett** $x^2$ '
           '<a href="http://hostile.invalid/a">anker</a> <span style="color:red">rot</span> '
           '<img src=x onerror=alert(1)> http://hostile.invalid/frei www.hostile.invalid info@hostile.invalid')

#: What shows that the payload was read as markup rather than text, in a text whose backslash-escaped
#: characters are blanked out (:func:`live_markup`).
MARKERS = ("![", "](", "**fett**", "$x", "<a ", "<span", "<img", "http://hostile", "www.hostile", "@hostile")
#: Tags plotly reads in labels, titles and hover texts.
PLOTLY_TAGS = ("<a ", "<a>", "<span", "<img", "<b>", "<i>")


def hostile(text: str) -> str:
    return f"{text} {PAYLOAD}"


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def hostile_municipality(name: str) -> str:
    """The municipality's hostile name (its own name first, so the workbook's references still resolve)."""
    return hostile(name)


def _workbook(path: Path) -> None:
    lead, partner = hostile("Perspektive Boxberg e. V."), hostile("Gemeinde Boxberg")
    row = initiative_row(
        title=hostile("Rufbus Boxberg"), **{
            "Kurzbeschreibung": hostile("Bedarfsverkehr"), "Träger": lead, "Partner": partner,
            "Gemeinden": MUNIS[0][0], "Förderprogramm(e)": hostile("LEADER"), "Status": "In Umsetzung",
            "Ansprechperson": hostile("Erika Muster"), "Telefon": hostile("+49 3581 000-1")})
    wb = Workbook()
    ws = wb.active
    ws.title = "Initiativen"
    ws.append(INITIATIVE_HEADER)
    ws.append(row)
    wb.create_sheet("Meilensteine").append(["Initiative-ID", "Meilenstein", "Fällig am", "Erledigt am"])
    wb["Meilensteine"].append(["I-001", hostile("Fahrplan steht"), "30.06.2024", "15.06.2024"])
    wb["Meilensteine"].append(["I-001", hostile("Zweite Linie"), "30.06.2025", None])
    sh = wb.create_sheet("Statusverlauf")
    sh.append(["Initiative-ID", "Datum", "Status", "Notiz"])
    sh.append(["I-001", "01.03.2024", "Idee", hostile("erste Runde")])
    sh.append(["I-001", "01.09.2024", "In Umsetzung", hostile("Start")])
    wb.create_sheet("Kennzahlen").append(["Initiative-ID", "Kennzahl", "Einheit", "Ausgangswert", "Zielwert",
                                          "Zieljahr", "Istwert", "Stand"])
    wb["Kennzahlen"].append(["I-001", hostile("Fahrgäste je Monat"), hostile("Personen"), 0, 400, 2026, 150,
                             "30.06.2026"])
    ar = wb.create_sheet("Abstimmungsrunden")
    ar.append(["Datum", "Format", "Teilnehmende Organisationen", "Initiativen (IDs)", "Ergebnisse"])
    ar.append(["12.04.2024", hostile("Abstimmungsrunde"), f"{lead}; {hostile('Landratsamt Görlitz')}", "I-001",
               hostile("ok")])
    wb.save(path)


def make_hostile_source(dest: Path) -> Path:
    """Write the hostile source folder into ``dest`` (created) and return it."""
    src = make_minimal_source(dest)
    (src / "gemeinden.csv").write_text(_csv(
        ["ags", "name", "name_sorbian", "kind", "association", "central_place", "population", "population_date",
         "lat", "lon"],
        [[a, hostile_municipality(n), hostile("Sorbisch"), "Gemeinde", hostile("Verwaltungsverband"),
          hostile("Grundzentrum"), p, "2024-12-31", 51.2 + i / 10, 14.7 + i / 10]
         for i, (a, n, p) in enumerate(MUNIS)]), encoding="utf-8")
    (src / "gebiete.csv").write_text(_csv(["region_key", "name", "level", "parent_key"], [
        ["14626", hostile("Landkreis Görlitz"), "kreis", "14"], ["14", hostile("Sachsen"), "land", "DG"]]),
        encoding="utf-8")
    catalogue = list(csv.reader(io.StringIO((src / "indikatoren.csv").read_text(encoding="utf-8")), delimiter=";"))
    header = catalogue[0]
    for row in catalogue[1:]:
        rec = dict(zip(header, row))
        for col in ("name_de", "name_en", "unit", "source", "licence", "definition"):
            rec[col] = hostile(rec[col])
        if rec["series_break"]:
            day, note = rec["series_break"].split("|", 1)
            rec["series_break"] = f"{day}|{hostile(note)}"
        row[:] = [rec[h] for h in header]
    (src / "indikatoren.csv").write_text(_csv(header, catalogue[1:]), encoding="utf-8")
    manifest = list(csv.reader(io.StringIO((src / "quellen.csv").read_text(encoding="utf-8")), delimiter=";"))
    for row in manifest[1:]:
        row[1], row[2], row[4] = hostile(row[1]), hostile(row[2]), hostile(row[4])
    (src / "quellen.csv").write_text(_csv(manifest[0], manifest[1:]), encoding="utf-8")
    _workbook(src / "portfolio" / "portfolio.xlsx")
    return src


_ESCAPED = re.compile(r"\\.", re.S)


def live_markup(markdown: str) -> list[str]:
    """The :data:`MARKERS` that ``markdown`` (as sent to Streamlit) would render as markup: backslash-escaped
    characters do not count, and the invisible word joiner of ``md_text`` breaks an automatic link."""
    text = _ESCAPED.sub("\x00", markdown)
    return [m for m in MARKERS if m in text]
