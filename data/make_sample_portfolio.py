"""Generate the sample portfolio workbook and the empty template (deterministic: same bytes on every run).

    .venv/bin/python data/make_sample_portfolio.py

writes ``data/sample/portfolio/Portfolio_Kompetenzstelle.xlsx`` (49 fictional but plausible initiatives of
the Kompetenzstelle Landkreis Görlitz, with milestones, status history, KPIs and coordination rounds) and
``data/vorlage/Portfolio_Vorlage.xlsx`` (the same sheets and headers, empty, with drop-down lists and a sheet of
notes). The sample looks like a workbook kept by hand: a merged title row above the header, some dates and
amounts typed as text, headers with trailing blanks or line breaks, ``ja``/``Ja``/``x``.

All content is synthetic. Contact persons are fictional (``…@example.org``, ``+49 3581 000-…``). Every date is
relative to the fixed date ``REFERENCE_DATE`` and reads like a living portfolio there: about 20–25 status steps
in the last twelve months, a few initiatives finished, started or dropped in that year, running ones reaching
milestones (also in the last quarter) and KPI targets, some ending within three months, a handful stuck for
more than six months (``Seed.stale``), some milestones overdue and some ``Stand`` dates older than a year.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import random
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from etl.datatests import COUNT_GROWTH  # noqa: E402  (the sample passes the ETL's KPI data tests)
from monitor.core.vocab import ORIGINS, STATUS_LINE, STATUSES, THEMES  # noqa: E402

sys.path.insert(0, str(ROOT / "data"))
import make_sample_statistics as stats_gen  # noqa: E402  (the indicator values KPIs are measured against)

SAMPLE_PATH = ROOT / "data" / "sample" / "portfolio" / "Portfolio_Kompetenzstelle.xlsx"
TEMPLATE_PATH = ROOT / "data" / "vorlage" / "Portfolio_Vorlage.xlsx"
SEED = 20261124
#: "Today" of the sample: overdue milestones and stale Stand are relative to this date.
REFERENCE_DATE = dt.date(2026, 11, 24)
#: Fixed timestamp written into the files (zip entries and document properties) for byte-identical output.
FILE_TIMESTAMP = dt.datetime(2026, 11, 24, 8, 0, 0)

#: Indicator ids of the catalogue that KPIs of the sample name in column Kennzahl.
INDICATOR_IDS_USED: tuple[str, ...] = ("population", "overnight_stays", "stop_20dep_share", "beds", "direct_marketers")

# The 53 municipalities of the Landkreis Görlitz (AGS, name), as in goerlitz_municipalities.csv.
MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("14626010", "Bad Muskau"), ("14626020", "Beiersdorf"), ("14626030", "Bernstadt a. d. Eigen"),
    ("14626050", "Bertsdorf-Hörnitz"), ("14626060", "Boxberg/O.L."), ("14626070", "Dürrhennersdorf"),
    ("14626085", "Ebersbach-Neugersdorf"), ("14626100", "Gablenz"), ("14626110", "Görlitz"),
    ("14626120", "Groß Düben"), ("14626140", "Großschönau"), ("14626150", "Großschweidnitz"),
    ("14626160", "Hähnichen"), ("14626170", "Hainewalde"), ("14626180", "Herrnhut"),
    ("14626190", "Hohendubrau"), ("14626200", "Horka"), ("14626210", "Jonsdorf"), ("14626230", "Kodersdorf"),
    ("14626240", "Königshain"), ("14626245", "Kottmar"), ("14626250", "Krauschwitz i.d. O.L."),
    ("14626260", "Kreba-Neudorf"), ("14626270", "Lawalde"), ("14626280", "Leutersdorf"), ("14626290", "Löbau"),
    ("14626300", "Markersdorf"), ("14626310", "Mittelherwigsdorf"), ("14626320", "Mücka"),
    ("14626330", "Neißeaue"), ("14626350", "Neusalza-Spremberg"), ("14626370", "Niesky"),
    ("14626390", "Oderwitz"), ("14626400", "Olbersdorf"), ("14626410", "Oppach"), ("14626420", "Ostritz"),
    ("14626430", "Oybin"), ("14626440", "Quitzdorf am See"), ("14626450", "Reichenbach/O.L."),
    ("14626460", "Rietschen"), ("14626470", "Rosenbach"), ("14626480", "Rothenburg/O.L."),
    ("14626490", "Schleife"), ("14626500", "Schönau-Berzdorf a. d. Eigen"), ("14626510", "Schönbach"),
    ("14626520", "Schöpstal"), ("14626530", "Seifhennersdorf"), ("14626560", "Trebendorf"),
    ("14626570", "Vierkirchen"), ("14626580", "Waldhufen"), ("14626590", "Weißkeißel"),
    ("14626600", "Weißwasser/O.L."), ("14626610", "Zittau"),
)

# ---------------------------------------------------------------------------------------------- headers
# Column headers of the template (DATA.md §4). The sample deliberately varies a few of them.

HEADERS: dict[str, list[str]] = {
    "Initiativen": [
        "ID", "Titel", "Kurzbeschreibung", "Thema", "Weitere Themen", "Gemeinden", "Träger", "Partner", "Herkunft",
        "Status", "Beginn", "Ende geplant", "Gesamtkosten €", "Fördermittel bewilligt €", "Eigenmittel €",
        "Förderprogramm(e)", "Ansprechperson", "E-Mail", "Telefon", "Öffentlich (ja/nein)", "Breitengrad",
        "Längengrad", "Stand",
    ],
    "Meilensteine": ["Initiative-ID", "Meilenstein", "Fällig am", "Erledigt am"],
    "Statusverlauf": ["Initiative-ID", "Datum", "Status", "Notiz"],
    "Kennzahlen": ["Initiative-ID", "Kennzahl", "Einheit", "Ausgangswert", "Zielwert", "Zieljahr", "Istwert", "Stand"],
    "Abstimmungsrunden": ["Datum", "Format", "Teilnehmende Organisationen", "Initiativen", "Ergebnisse"],
}
#: How the sample's (human) workbook spells some headers.
SAMPLE_HEADER_VARIANTS = {
    ("Initiativen", "Gemeinden"): "Gemeinden ",
    ("Initiativen", "Fördermittel bewilligt €"): "Fördermittel\nbewilligt €",
    ("Initiativen", "Öffentlich (ja/nein)"): "Öffentlich\n(ja/nein)",
    ("Initiativen", "Stand"): "Stand ",
    ("Meilensteine", "Fällig am"): "fällig am ",
    ("Kennzahlen", "Kennzahl"): "Kennzahl\n(Text oder Indikator-ID)",
}

WIDTHS = {
    "ID": 8, "Titel": 44, "Kurzbeschreibung": 60, "Thema": 26, "Weitere Themen": 26, "Gemeinden": 30,
    "Träger": 32, "Partner": 40, "Herkunft": 14, "Status": 16, "Förderprogramm(e)": 34, "Ansprechperson": 20,
    "E-Mail": 30, "Telefon": 18, "Meilenstein": 48, "Notiz": 50, "Kennzahl": 36, "Einheit": 18,
    "Teilnehmende Organisationen": 60, "Initiativen": 26, "Ergebnisse": 70, "Format": 22,
    "Initiative-ID": 13,
}

#: Explanations for the sheet "Hinweise" (sheet, column, explanation).
NOTES: tuple[tuple[str, str, str], ...] = (
    ("Initiativen", "ID", "Pflichtfeld. Eindeutige Kennung, z. B. I-001. Wird in den anderen Blättern verwendet."),
    ("Initiativen", "Titel", "Pflichtfeld. Kurzer Name der Initiative."),
    ("Initiativen", "Kurzbeschreibung", "Zwei bis drei Sätze: Was soll erreicht werden, für wen?"),
    ("Initiativen", "Thema", "Pflichtfeld. Hauptthema aus der Liste: " + ", ".join(t.name_de for t in THEMES) + "."),
    ("Initiativen", "Weitere Themen", "Optional. Weitere Themen aus derselben Liste, mehrere mit ; trennen."),
    ("Initiativen", "Gemeinden", "Gemeinden, in denen die Initiative wirkt: Name (auch sorbisch) oder 8-stelliger "
     "Gemeindeschlüssel (AGS), mehrere mit ; oder Zeilenumbruch trennen, oder „kreisweit“ für alle Gemeinden."),
    ("Initiativen", "Träger", "Organisation, die die Initiative federführend trägt."),
    ("Initiativen", "Partner", "Weitere beteiligte Organisationen, mehrere mit ; trennen."),
    ("Initiativen", "Herkunft", "Von wem kam der Anstoß: " + ", ".join(ORIGINS) + "."),
    ("Initiativen", "Status", "Pflichtfeld. Aktueller Stand: " + " → ".join(STATUS_LINE)
     + "; außerhalb der Linie: Ruht, Verworfen. Jede Änderung bitte auch im Blatt Statusverlauf eintragen."),
    ("Initiativen", "Beginn", "Datum TT.MM.JJJJ (tatsächlicher oder geplanter Beginn)."),
    ("Initiativen", "Ende geplant", "Datum TT.MM.JJJJ, nicht vor dem Beginn."),
    ("Initiativen", "Gesamtkosten €", "Betrag in Euro, z. B. 12.500,00 € oder 12500."),
    ("Initiativen", "Fördermittel bewilligt €", "Bewilligte Fördermittel in Euro; höchstens die Gesamtkosten."),
    ("Initiativen", "Eigenmittel €", "Eigenanteil des Trägers in Euro."),
    ("Initiativen", "Förderprogramm(e)", "Z. B. LEADER, STARK, Strukturentwicklung Braunkohleregionen (InvKG), EFRE, "
     "GRW, Regionalbudget, Eigenmittel; mehrere mit ; oder + trennen."),
    ("Initiativen", "Ansprechperson", "Personenbezogen: nur für die Kompetenzstelle, erscheint in keinem Export."),
    ("Initiativen", "E-Mail", "Personenbezogen: nur für die Kompetenzstelle, erscheint in keinem Export."),
    ("Initiativen", "Telefon", "Personenbezogen: nur für die Kompetenzstelle, erscheint in keinem Export."),
    ("Initiativen", "Öffentlich (ja/nein)", "ja (oder x): darf in Berichten nach außen erscheinen; nein oder leer: "
     "nur intern."),
    ("Initiativen", "Breitengrad", "Optional: Lage des Vorhabens in Dezimalgrad, z. B. 51,405."),
    ("Initiativen", "Längengrad", "Optional: Lage des Vorhabens in Dezimalgrad, z. B. 14,576."),
    ("Initiativen", "Stand", "Datum, an dem die Zeile zuletzt geprüft wurde (älter als ein Jahr: Warnung)."),
    ("Meilensteine", "Initiative-ID", "ID aus dem Blatt Initiativen."),
    ("Meilensteine", "Meilenstein", "Was erreicht sein soll, z. B. „Förderantrag eingereicht“."),
    ("Meilensteine", "Fällig am", "Geplanter Termin (TT.MM.JJJJ)."),
    ("Meilensteine", "Erledigt am",
     "Tatsächlicher Termin; leer = noch offen (nach dem Fälligkeitstermin: überfällig)."),
    ("Statusverlauf", "Initiative-ID", "ID aus dem Blatt Initiativen."),
    ("Statusverlauf", "Datum", "Datum des Statuswechsels."),
    ("Statusverlauf", "Status", "Neuer Status (Liste wie im Blatt Initiativen)."),
    ("Statusverlauf", "Notiz", "Anlass des Wechsels, z. B. „Zuwendungsbescheid erhalten“."),
    ("Kennzahlen", "Initiative-ID", "ID aus dem Blatt Initiativen."),
    ("Kennzahlen", "Kennzahl", "Freitext oder die ID eines Indikators aus dem Katalog (z. B. overnight_stays)."),
    ("Kennzahlen", "Einheit", "Einheit der Werte, z. B. Personen, Fahrgäste/Monat, %; bei einer Indikator-ID die "
                              "Einheit des Indikators (oder leer lassen)."),
    ("Kennzahlen", "Ausgangswert", "Wert zu Beginn."),
    ("Kennzahlen", "Zielwert", "Angestrebter Wert im Zieljahr."),
    ("Kennzahlen", "Zieljahr", "Jahr, in dem der Zielwert erreicht sein soll."),
    ("Kennzahlen", "Istwert", "Zuletzt gemessener Wert."),
    ("Kennzahlen", "Stand", "Datum des Istwerts."),
    ("Abstimmungsrunden", "Datum", "Datum des Treffens."),
    ("Abstimmungsrunden", "Format", "Z. B. Abstimmungsrunde, Workshop, Bürgerforum, Lenkungsgruppe."),
    ("Abstimmungsrunden", "Teilnehmende Organisationen",
     "Beteiligte Organisationen (keine Personennamen), mit ; trennen."),
    ("Abstimmungsrunden", "Initiativen", "Besprochene Initiativen (IDs), mit ; trennen."),
    ("Abstimmungsrunden", "Ergebnisse", "Wichtigste Ergebnisse und Verabredungen."),
)

# ---------------------------------------------------------------------------------------------- content

KS = "Kompetenzstelle Landratsamt Görlitz"
LRA = "Landratsamt Görlitz"
PBX = "Perspektive Boxberg e. V."
GBX = "Gemeinde Boxberg/O.L."
HSZG = "Hochschule Zittau/Görlitz"
ZVON = "ZVON Verkehrsverbund Oberlausitz-Niederschlesien"
MGO = "Marketing-Gesellschaft Oberlausitz-Niederschlesien"
SAB = "Sächsische Aufbaubank"
INVKG = "Strukturentwicklung Braunkohleregionen (InvKG)"


@dataclass(frozen=True)
class Seed:
    """Hand-written core of one sample initiative; dates, milestones and history are derived."""

    title: str
    summary: str
    theme: str  # German theme name as typed in the workbook
    more: str  # Weitere Themen
    places: str  # Gemeinden as typed
    lead: str
    partners: str
    origin: str
    status: str
    idea: str  # "YYYY-MM": first status entry (Idee)
    cost: float | None
    granted: float | None
    programmes: str
    public: str  # as typed: ja / Ja / x / nein / ""
    off_stage: str = ""  # for Ruht / Verworfen: last stage on the line before leaving it
    coords: tuple[float, float] | None = None
    stale: bool = False  # stuck: no status change (nor milestone) for many months
    recent: bool = False  # In Umsetzung, Abgeschlossen or Verworfen reached in the last twelve months


MOB, SUP, TOU, VAL = (t.name_de for t in THEMES)

SEEDS: tuple[Seed, ...] = (
    # ------------------------------------------------------------------ mobility
    Seed("Rufbus Boxberg – Bedarfsverkehr im Gemeindegebiet",
         "Ein Rufbus verbindet die Ortsteile von Boxberg/O.L. mit dem Ortszentrum und dem Bahnhof Weißwasser; "
         "Fahrten werden per Telefon oder App bis eine Stunde vorher bestellt.",
         MOB, SUP, "Boxberg/O.L.", GBX, f"{PBX}; {ZVON}; {KS}", "Gemeinde", "In Umsetzung", "2022-03",
         486000, 388800, f"STARK; {INVKG}", "ja", coords=(51.405, 14.576)),
    Seed("Mitfahrbänke im Heideland",
         "Gekennzeichnete Mitfahrbänke an zwölf Ortsausgängen laden zum Mitnehmen ein; eine Kampagne wirbt für "
         "nachbarschaftliches Mitfahren.",
         MOB, "", "Boxberg/O.L.; Weißkeißel; Rietschen\nSchleife", PBX, f"{GBX}; Gemeinde Rietschen",
         "Bürgerschaft", "Abgeschlossen", "2021-04", 18600, 16740, "Regionalbudget", "ja"),
    Seed("Radweg Boxberg – Bärwalder See: Lückenschluss",
         "Ein 4,2 km langer Radweg schließt die Lücke zwischen dem Ortskern Boxberg und dem Rundweg am Bärwalder "
         "See und verbindet Schulweg und Freizeitverkehr.",
         MOB, TOU, "Boxberg/O.L.", GBX, f"{LRA}; {PBX}", "Gemeinde", "Beantragt", "2023-02",
         1250000, None, f"{INVKG}; Förderrichtlinie Radverkehr", "ja", coords=(51.394, 14.545)),
    Seed("E-Carsharing in Kleinstädten",
         "Je zwei Elektroautos zum Teilen an den Rathäusern von Niesky, Weißwasser/O.L. und Löbau, nutzbar auch "
         "von Vereinen und Verwaltung.",
         MOB, "", "Niesky; 14626600; Löbau", "Stadtwerke Niesky (Arbeitsgemeinschaft)", f"{KS}; Große Kreisstadt "
         "Weißwasser/O.L.; Stadt Löbau", "Unternehmen", "In Vorbereitung", "2024-01", 262000, None, "EFRE",
         "Ja"),
    Seed("Mobilitätsplattform Oberlausitz",
         "Eine gemeinsame Auskunft- und Buchungsplattform bündelt Bus, Bahn, Rufbus, Bürgerbus und Mitfahrangebote "
         "des Landkreises.",
         MOB, "", "kreisweit", LRA, f"{ZVON}; {HSZG}", "Landratsamt", "In Beratung", "2025-05",
         None, None, "", "ja"),
    Seed("Bürgerbus Schleife–Trebendorf",
         "Ehrenamtliche Fahrerinnen und Fahrer bieten zweimal wöchentlich Einkaufs- und Arztfahrten zwischen "
         "Schleife, Trebendorf und Weißwasser an.",
         MOB, SUP, "Schleife; Trebendorf", "Bürgerbusverein Schleifer Kirchspiel e. V.", "Gemeinde Schleife",
         "Verein", "Ruht", "2022-06", 74000, None, "LEADER", "ja", off_stage="In Vorbereitung", stale=True),
    Seed("Sichere Schulwege Kottmar",
         "Schulwegplan, Querungshilfen und ein Elterntaxi-freier Bereich an der Grundschule; gemeinsam mit Eltern "
         "und Polizei erarbeitet.",
         MOB, "", "Kottmar", "Gemeinde Kottmar", "Elternrat der Grundschule; Polizeirevier Löbau", "Bürgerschaft",
         "Bewilligt", "2023-09", 96500, 72375, "Vitale Dorfkerne", "x"),
    Seed("Mobilstation am Bahnhof Weißwasser",
         "Umsteigepunkt mit Fahrradparkhaus, Ladesäulen, Rufbus-Haltestelle und digitaler Fahrgastinformation am "
         "Bahnhof Weißwasser.",
         MOB, "", "Weißwasser/O.L.", "Große Kreisstadt Weißwasser/O.L.", f"{ZVON}; {KS}", "Gemeinde",
         "Bewilligt", "2022-11", 1840000, 1656000, INVKG, "ja", coords=(51.503, 14.638)),
    Seed("Fahrradverleih an Haltepunkten Görlitz–Zittau",
         "Studierende der Hochschule untersuchen, wie ein Leihrad-System an den Haltepunkten der Bahnstrecke "
         "Görlitz–Zittau die letzte Meile überbrückt.",
         MOB, TOU, "Görlitz; Ostritz; Zittau",
         HSZG, f"{KS}; Stadt Zittau", "Wissenschaft", "Idee", "2026-08", None, None, "", "ja"),
    Seed("Lastenrad-Verleih Zittau",
         "Drei Lastenräder zum kostenlosen Ausleihen in Zittau, gebucht über eine Online-Plattform und betreut von "
         "einem Verein.",
         MOB, VAL, "Zittau", "Lastenrad Zittau e. V.", "Stadt Zittau", "Verein", "Abgeschlossen", "2021-02",
         14200, 12780, "Regionalbudget", "ja"),
    Seed("Wochenend-Rufbus Ostritz",
         "Prüfung eines Rufbusses an Wochenenden zwischen Ostritz, dem Kloster St. Marienthal und Görlitz.",
         MOB, TOU, "Ostritz; Görlitz", "Stadt Ostritz", ZVON, "Gemeinde", "Verworfen", "2022-08", 125000, None,
         "", "nein", off_stage="In Beratung"),
    Seed("Mobilitätsberatung für Seniorinnen und Senioren",
         "Geschulte Ehrenamtliche erklären Fahrplan-Apps, Rufbus und Bürgerbus in Sprechstunden in Rathäusern und "
         "Begegnungsstätten.",
         MOB, SUP, "kreisweit", LRA, f"{ZVON}; Seniorenbeirat des Landkreises", "Landratsamt", "In Umsetzung",
         "2023-03", 58000, 46400, "LEADER", "ja"),
    # ------------------------------------------------------------------ supply
    Seed("Dorfladen Boxberg – genossenschaftlicher Nahversorger",
         "Ein Dorfladen mit Café in der alten Sparkasse: Lebensmittel, regionale Produkte, Post- und "
         "Apothekenabholstation, getragen von einer Bürgergenossenschaft.",
         SUP, VAL, "Boxberg/O.L.", PBX, f"{GBX}; Bürgergenossenschaft Dorfladen Boxberg (in Gründung); {KS}",
         "Verein", "In Umsetzung", "2022-01", 312000, 187200, "LEADER + Eigenmittel", "ja",
         coords=(51.407, 14.579)),
    Seed("Ländliche Logistik: Paketstation und Lieferdienst für Dörfer",
         "Gemeinsame Paketstationen und ein gebündelter Lieferdienst für Einkäufe und Medikamente in Dörfern ohne "
         "Laden; Test mit lokalen Händlern.",
         SUP, MOB, "Boxberg/O.L.; Kreba-Neudorf; Mücka; Hohendubrau", LRA, f"{PBX}; {HSZG}; Handelsverband "
         "Sachsen", "Landratsamt", "Bewilligt", "2023-06", 420000, 378000, INVKG, "ja"),
    Seed("Gesundheitszentrum Weißwasser",
         "Ein Gesundheitszentrum mit Allgemeinmedizin, Fachärzten in Teilzeit und Telemedizin-Räumen soll die "
         "Versorgung im Norden des Landkreises sichern.",
         SUP, "", "14626600", "Große Kreisstadt Weißwasser/O.L.", f"{LRA}; Kassenärztliche Vereinigung Sachsen",
         "Gemeinde", "In Vorbereitung", "2023-10", 6800000, None, INVKG, "Ja", coords=(51.507, 14.643)),
    Seed("Digitale Sprechstunde in Landarztpraxen",
         "Telemedizinische Sprechstunden mit Praxisassistenz vor Ort entlasten Landarztpraxen und ersparen "
         "weite Wege.",
         SUP, "", "kreisweit", HSZG, f"{LRA}; Kassenärztliche Vereinigung Sachsen", "Wissenschaft",
         "In Umsetzung", "2022-09", 640000, 576000, "EFRE", "ja"),
    Seed("Verkaufswagen für Neißeaue und Schöpstal",
         "Ein Verkaufswagen fährt an vier Tagen pro Woche feste Haltepunkte in 14 Ortsteilen an; Bestellung "
         "auch per Telefon.",
         SUP, "", "Neißeaue; Schöpstal", "Landfleischerei Neißetal (Arbeitsgemeinschaft)",
         "Gemeinde Neißeaue; Gemeinde Schöpstal", "Unternehmen", "Abgeschlossen", "2021-03", 86000, 51600,
         "LEADER", "x"),
    Seed("Gemeindeschwester plus",
         "Aufsuchende Beratung für ältere Menschen zu Hause: Gesundheit, Pflege, Nachbarschaftshilfe; "
         "zunächst in fünf Gemeinden.",
         SUP, "", "Niesky; Hähnichen; Horka; Kodersdorf; Waldhufen", LRA, "Diakonie Oberlausitz; Pflegekassen",
         "Landratsamt", "Bewilligt", "2024-02", 390000, 312000, "Landesprogramm Pflege im Quartier", "ja"),
    Seed("Apothekenabholstation in Rietschen",
         "Idee aus einer Einwohnerversammlung: ein Abholfach-System für vorbestellte Medikamente im Rathaus.",
         SUP, "", "Rietschen", "Gemeinde Rietschen", "", "Bürgerschaft", "Idee", "2026-06", None, None, "", ""),
    Seed("Multifunktionshaus Dorfmitte Hähnichen",
         "Umbau des ehemaligen Gasthofs zu einem Dorfgemeinschaftshaus mit Café, Bürgerbüro, Postschalter und "
         "Räumen für Vereine.",
         SUP, TOU, "Hähnichen", "Gemeinde Hähnichen", "Heimatverein Hähnichen e. V.", "Gemeinde", "Beantragt",
         "2024-03", 1180000, None, "LEADER; Vitale Dorfkerne", "ja", stale=True),
    Seed("Breitband: Lückenschluss weißer Flecken",
         "Glasfaseranschluss für 1.900 Adressen in unterversorgten Ortsteilen; Ausbau abgeschlossen und "
         "abgenommen.",
         SUP, VAL, "kreisweit", LRA, "Breitbandkompetenzzentrum Sachsen", "Landratsamt", "Abgeschlossen",
         "2021-01", 24600000, 22140000, "Gigabitförderung des Bundes; Landesmittel", "ja", recent=True),
    Seed("Grundschule Kreba-Neudorf mit Hort sichern",
         "Konzept für den Erhalt des kleinen Schulstandorts durch jahrgangsübergreifenden Unterricht und einen "
         "gemeinsamen Hort mit Mücka.",
         SUP, "", "Kreba-Neudorf; Mücka", "Gemeinde Kreba-Neudorf", "Landesamt für Schule und Bildung; Gemeinde "
         "Mücka", "Gemeinde", "In Beratung", "2025-09", None, None, "", "nein"),
    Seed("Regiomaten im Oberland",
         "Verkaufsautomaten für regionale Lebensmittel an drei Standorten, beliefert von Höfen aus der Umgebung.",
         SUP, VAL, "Löbau; Herrnhut; Kottmar", "Erzeugergemeinschaft Oberland (Arbeitsgemeinschaft)",
         f"{KS}; Stadt Löbau", "Unternehmen", "In Umsetzung", "2023-04", 96000, 57600, "LEADER", "ja"),
    Seed("Pflegenachbarschaft Bad Muskau",
         "Ehrenamtliche Nachbarschaftshilfe für pflegende Angehörige mit Koordinationsstelle im Rathaus.",
         SUP, "", "Bad Muskau", "Stadt Bad Muskau", "Kirchgemeinde Bad Muskau", "Bürgerschaft", "Ruht",
         "2022-10", 42000, None, "Regionalbudget", "ja", off_stage="In Beratung", stale=True),
    Seed("Praxisnachfolge Zahnmedizin Niesky",
         "Stipendium und Praxisräume zu günstigen Konditionen sollen eine Zahnärztin oder einen Zahnarzt für "
         "Niesky gewinnen.",
         SUP, "", "Niesky", "Stadt Niesky", f"{LRA}; Landeszahnärztekammer Sachsen", "Gemeinde", "In Beratung",
         "2025-11", None, None, "", "ja"),
    Seed("Kita-Verbund Oberland",
         "Gemeinsame Trägerschaft kleiner Kitas in drei Gemeinden wurde geprüft und vom Gemeinderat abgelehnt.",
         SUP, "", "Oppach; Beiersdorf; Schönbach", "Gemeinde Oppach", "Gemeinde Beiersdorf; Gemeinde Schönbach",
         "Gemeinde", "Verworfen", "2022-05", None, None, "", "nein", off_stage="In Vorbereitung", recent=True),
    # ------------------------------------------------------------------ tourism
    Seed("Umgebindeland: Ferienwohnungen in Umgebindehäusern",
         "Beratung und Zuschüsse für Eigentümer, die Umgebindehäuser denkmalgerecht sanieren und als "
         "Ferienwohnung anbieten; gemeinsame Vermarktung.",
         TOU, VAL, "Großschönau; Jonsdorf; Oybin\nKottmar; Hainewalde", "Stiftung Umgebindehaus",
         f"{MGO}; Gemeinde Großschönau", "Verein", "In Umsetzung", "2021-10", 740000, 444000, "LEADER",
         "ja"),
    Seed("Erlebnispfad „Kohle und Wandel“ am Bärwalder See",
         "Ein Erlebnispfad mit zwölf Stationen erzählt vom Tagebau, vom Kraftwerk und von den neuen Seen; mit "
         "sorbischen und englischen Texten.",
         TOU, VAL, "Boxberg/O.L.", GBX, f"{PBX}; {MGO}; {KS}", "Verein", "Bewilligt", "2023-01", 565000, 508500,
         INVKG, "ja", coords=(51.383, 14.522)),
    Seed("Findlingspark Nochten: Besucherinformation",
         "Neues Besucherzentrum mit Ausstellung zur Eiszeit-Geologie, barrierefreien Wegen und Gastronomie im "
         "Findlingspark.",
         TOU, "", "Boxberg/O.L.", "Findlingspark Nochten gGmbH", f"{GBX}; {MGO}", "Unternehmen",
         "Abgeschlossen", "2021-05", 930000, 651000, f"{INVKG}; Eigenmittel", "ja", coords=(51.437, 14.567),
         recent=True),
    Seed("Oder-Neiße-Radweg: Rastplätze und Servicestationen",
         "Zehn Rastplätze mit Reparaturstation, Trinkwasser und Informationstafeln entlang des Oder-Neiße-Radwegs.",
         TOU, MOB, "Görlitz; Neißeaue; Ostritz; Rothenburg/O.L.", LRA, f"{MGO}; Stadt Görlitz", "Landratsamt",
         "Abgeschlossen", "2021-06", 380000, 323000, "Interreg Polen–Sachsen", "Ja"),
    Seed("Muskauer Park: barrierefreie Besucherlenkung",
         "Leitsystem, barrierefreie Wege und ein Shuttle zwischen den Parkteilen beiderseits der Neiße.",
         TOU, "", "Bad Muskau", "Stiftung Fürst-Pückler-Park Bad Muskau", "Stadt Bad Muskau; " + MGO,
         "Verein", "Beantragt", "2024-04", 1450000, None, "Interreg Polen–Sachsen; EFRE", "ja",
         coords=(51.548, 14.726)),
    Seed("Gästekarte Oberlausitz",
         "Eine Gästekarte mit freier Fahrt im Nahverkehr und Ermäßigungen bei Partnern; Finanzierung über den "
         "Gästebeitrag wird geprüft.",
         TOU, MOB, "kreisweit", MGO, f"{ZVON}; {LRA}", "Unternehmen", "In Vorbereitung", "2024-06", 210000, None,
         "", "ja"),
    Seed("Zittauer Gebirge: digitales Wanderwegeleitsystem",
         "QR-Codes an Wegweisern, aktuelle Sperrungen und Busanschlüsse in einer App; gemeinsam mit den "
         "Wandervereinen gepflegt.",
         TOU, "", "Jonsdorf; Oybin; Olbersdorf; Zittau; Bertsdorf-Hörnitz", "Naturpark Zittauer Gebirge",
         "Gebirgsvereine des Zittauer Gebirges; " + MGO, "Verein", "In Umsetzung", "2022-04", 168000, 134400,
         "LEADER", "ja"),
    Seed("Wohnmobilstellplätze an den Seen",
         "Idee: einfache Stellplätze mit Ver- und Entsorgung am Stausee Quitzdorf und am Bärwalder See.",
         TOU, "", "Quitzdorf am See; Boxberg/O.L.", "Gemeinde Quitzdorf am See", PBX, "Bürgerschaft", "Idee",
         "2026-02", None, None, "", "ja"),
    Seed("Sorbische Kultur erleben in Schleife",
         "Erlebnisangebote rund um Trachten, Ostereier und Handwerk des Schleifer Kirchspiels, buchbar für Gruppen.",
         TOU, VAL, "Schleife", "Sorbisches Kulturzentrum Schleife", "Domowina Regionalverband; " + MGO,
         "Verein", "In Beratung", "2025-03", None, None, "", "ja"),
    Seed("Baumhaushotel am Olbersdorfer See",
         "Ein privater Investor plante 15 Baumhäuser; nach Prüfung der Naturschutzbelange zurückgezogen.",
         TOU, "", "Olbersdorf", "Freizeit Olbersdorf GmbH (Projektgesellschaft)", "Gemeinde Olbersdorf",
         "Unternehmen", "Verworfen", "2022-02", 2300000, None, "GRW", "nein", off_stage="Beantragt"),
    Seed("Landschaftsführer im Lausitzer Seenland",
         "Ausbildung zertifizierter Landschaftsführerinnen und -führer für Touren zu Tagebaufolgelandschaften.",
         TOU, "", "Weißwasser/O.L.; Boxberg/O.L.; Krauschwitz i.d. O.L.", PBX, f"{HSZG}; {MGO}", "Verein",
         "Idee", "2026-09", None, None, "", "ja"),
    # ------------------------------------------------------------------ value chains
    Seed("Regionalmarke „Oberlausitz“",
         "Kriterien, Siegel und gemeinsame Vermarktung regionaler Produkte unter der Marke „Oberlausitz“; "
         "Vergabe durch einen Markenbeirat.",
         VAL, TOU, "kreisweit", LRA, f"{MGO}; Handwerkskammer Dresden; IHK Dresden; Regionalbauernverband",
         "Landratsamt", "In Umsetzung", "2021-09", 280000, 224000, "LEADER; Eigenmittel", "ja"),
    Seed("Hofläden-Netzwerk und Online-Bestellplattform",
         "Direktvermarktende Höfe bieten über eine gemeinsame Plattform an und liefern gebündelt an Abholstellen.",
         VAL, SUP, "Löbau; Lawalde; Kottmar; Rosenbach; Großschweidnitz", "Erzeugergemeinschaft Oberland "
         "(Arbeitsgemeinschaft)", f"{KS}; Regionalbauernverband", "Unternehmen", "In Umsetzung", "2022-07",
         152000, 91200, "LEADER", "Ja"),
    Seed("Ideenwerkstatt Strukturwandel Boxberg",
         "Zukunftswerkstätten mit Bürgerinnen und Bürgern, Unternehmen und Gemeinderat: 34 Projektideen für Boxberg "
         "nach der Kohle, fünf davon weiterverfolgt.",
         VAL, SUP, "Boxberg/O.L.", PBX, f"{GBX}; {KS}; {HSZG}", "Bürgerschaft", "Abgeschlossen", "2021-03",
         64000, 57600, "STARK", "ja"),
    Seed("Gewerbeflächen am Kraftwerksstandort Boxberg",
         "Erschließung von 28 ha Gewerbefläche im Umfeld des Kraftwerks für Ansiedlungen aus Energie- und "
         "Kreislaufwirtschaft.",
         VAL, "", "Boxberg/O.L.", GBX, f"{LRA}; Wirtschaftsförderung Sachsen; {PBX}", "Gemeinde",
         "In Vorbereitung", "2022-12", 14500000, None, INVKG, "ja", coords=(51.416, 14.565)),
    Seed("Handwerkerhof Niesky",
         "Gründer- und Werkstattzentrum für Handwerksbetriebe in einer ehemaligen Holzbaufabrik.",
         VAL, "", "Niesky", "Stadt Niesky", "Handwerkskammer Dresden; Kreishandwerkerschaft Görlitz", "Gemeinde",
         "Beantragt", "2023-11", 3200000, None, "GRW", "ja"),
    Seed("Holzbau aus der Oberlausitz",
         "Regionale Wertschöpfungskette vom Wald bis zum Holzhaus: Sägewerke, Zimmereien und Planende vernetzen "
         "sich; Modellbau eines Holz-Kindergartens.",
         VAL, "", "kreisweit", HSZG, f"{KS}; Sachsenforst; Kreishandwerkerschaft Görlitz", "Wissenschaft",
         "In Beratung", "2025-06", None, None, "", "ja"),
    Seed("Rückkehrerbörse „Heimkehr Oberlausitz“",
         "Jobbörse und Rückkehrertage zwischen den Jahren bringen Fachkräfte mit Betrieben der Region zusammen.",
         VAL, "", "kreisweit", LRA, "IHK Dresden; Handwerkskammer Dresden; Agentur für Arbeit Bautzen",
         "Landratsamt", "Abgeschlossen", "2021-08", 96000, 76800, "Eigenmittel; ESF Plus", "ja"),
    Seed("Wildfleisch aus der Lausitz",
         "Gemeinsame Zerlegung und Vermarktung von Wildfleisch aus den Revieren der Muskauer Heide.",
         VAL, SUP, "Rietschen; Weißkeißel; Krauschwitz i.d. O.L.", "Hegegemeinschaft Muskauer Heide",
         "", "Verein", "Idee", "2026-03", None, None, "", ""),
    Seed("Co-Working im Bahnhof Löbau",
         "Arbeitsplätze zum Mieten, Besprechungsraum und Café im sanierten Empfangsgebäude für Pendelnde und "
         "Gründerinnen.",
         VAL, MOB, "Löbau", "Stadt Löbau", f"{KS}; Gründerinitiative Oberlausitz", "Gemeinde", "Bewilligt",
         "2023-05", 780000, 585000, "STARK", "ja"),
    Seed("Wasserstoff: Machbarkeitsstudie Boxberg",
         "Studie zu Erzeugung und Nutzung von grünem Wasserstoff am Kraftwerksstandort; ruht bis zur "
         "Entscheidung über die Netzanbindung.",
         VAL, "", "Boxberg/O.L.", GBX, f"{HSZG}; {PBX}", "Wissenschaft", "Ruht", "2022-09", 180000, None,
         INVKG, "nein", off_stage="Beantragt", stale=True),
    Seed("Regionale Kantinenversorgung",
         "Kantinen von Landratsamt, Kliniken und Schulen sollen mehr Lebensmittel aus der Oberlausitz beziehen.",
         VAL, SUP, "Görlitz; Zittau", LRA, "Regionalbauernverband", "Landratsamt", "Idee", "2026-07", None, None,
         "", "ja"),
    Seed("Nahwärme und Dorfladen Rothenburg",
         "Ein Bürgerenergieverein plant ein Nahwärmenetz; die Erlöse sollen einen Dorfladen mitfinanzieren.",
         VAL, SUP, "Rothenburg/O.L.", "Bürgerenergie Rothenburg e. V.", "Stadt Rothenburg/O.L.",
         "Bürgerschaft", "In Vorbereitung", "2024-09", 2100000, None, "", "ja"),
)

FIRST_NAMES = ("Katrin", "Thomas", "Jana", "Michael", "Sabine", "Lukas", "Marie", "Stefan", "Franziska", "Jens",
               "Claudia", "Tobias", "Anja", "Robert", "Susanne", "Paul")
LAST_NAMES = ("Muster", "Mustermann", "Musterfrau", "Beispiel", "Platzhalter", "Probe", "Exempel", "Fiktiv")

NOTES_BY_STATUS = {
    "Idee": ("Idee in Abstimmungsrunde vorgestellt", "Idee bei der Kompetenzstelle eingegangen",
             "Anregung aus Bürgerforum"),
    "In Beratung": ("Erstberatung durch die Kompetenzstelle", "Fördermöglichkeiten geprüft",
                    "Gespräch mit Fachämtern"),
    "In Vorbereitung": ("Projektskizze abgestimmt", "Kostenschätzung liegt vor", "Gremienbeschluss gefasst"),
    "Beantragt": ("Förderantrag eingereicht", "Antrag bei der Bewilligungsstelle eingegangen"),
    "Bewilligt": ("Zuwendungsbescheid erhalten", "Bewilligung mit Auflagen"),
    "In Umsetzung": ("Projektstart", "Auftrag vergeben, Arbeiten begonnen"),
    "Abgeschlossen": ("Abschlussbericht eingereicht", "Verwendungsnachweis geprüft"),
    "Ruht": ("Ruht: Eigenanteil noch nicht gesichert", "Ruht bis zur Klärung der Trägerschaft"),
    "Verworfen": ("Verworfen: nicht förderfähig", "Verworfen nach Gremienbeschluss"),
}

MILESTONES_BY_STAGE = {
    "In Vorbereitung": "Projektskizze mit der Kompetenzstelle abgestimmt",
    "Beantragt": "Förderantrag eingereicht",
    "Bewilligt": "Zuwendungsbescheid liegt vor",
}
IMPLEMENTATION_MILESTONES = {
    "mobility": ("Fahrzeuge und Technik beschafft", "Probebetrieb gestartet", "Auswertung des ersten Betriebsjahres"),
    "supply": ("Räume hergerichtet bzw. Dienst eingerichtet", "Eröffnung", "Auswertung der Nutzung"),
    "tourism": ("Bauleistungen vergeben", "Eröffnung für Gäste", "Besucherbefragung ausgewertet"),
    "value_chains": ("Partnerbetriebe gewonnen", "Start des Angebots", "Wirkungsbericht vorgelegt"),
}

# KPI templates (Kennzahl, unit, baseline, target). A free-text KPI's values scale with the initiative; a KPI
# naming an indicator (unit, baseline None) measures that indicator in the initiative's municipalities: its
# baseline is their latest value (a share: the median; a count: the sum), in the indicator's unit, and its
# target the baseline raised by the given part (a share: by that part, at most 6 points; 0: hold the level).
KPI_TEMPLATES = {
    "mobility": (("Fahrgäste je Monat", "Fahrgäste/Monat", 0, 450), ("stop_20dep_share", None, None, 0.5),
                 ("Angebotene Fahrten je Woche", "Fahrten/Woche", 0, 60)),
    "supply": (("Kundinnen und Kunden je Woche", "Personen", 0, 600), ("Versorgte Haushalte", "Haushalte", 0, 1200),
               ("Öffnungsstunden je Woche", "Stunden", 0, 48)),
    "tourism": (("overnight_stays", None, None, 0.15),
                ("Besucherinnen und Besucher je Jahr", "Personen", 18000, 25000),
                ("Buchbare Angebote", "Angebote", 4, 15), ("beds", None, None, 0.1)),
    "value_chains": (("Beteiligte Erzeugerbetriebe", "Betriebe", 0, 25), ("Geschaffene Arbeitsplätze",
                     "Arbeitsplätze", 0, 12), ("Umsatz regionaler Produkte", "€/Jahr", 0, 250000),
                     ("direct_marketers", None, None, 0.15)),
}
#: Free-text KPIs that fit what an initiative does, by a word of its title (first match): they replace its
#: theme's free-text templates (a cycle path is not measured in passengers).
KIND_TEMPLATES: tuple[tuple[str, tuple[tuple, ...]], ...] = (
    ("Radweg", (("Radfahrten je Tag (Zählstelle)", "Radfahrten/Tag", 0, 180),
                ("Gebaute Radwegstrecke", "km", 0, 4))),
    ("Mitfahrbänke", (("Vermittelte Mitfahrten je Monat", "Mitfahrten/Monat", 0, 120),)),
    ("Carsharing", (("Buchungen je Monat", "Buchungen/Monat", 0, 160),)),
    ("Mobilitätsplattform", (("Buchungen über die Plattform je Monat", "Buchungen/Monat", 0, 1500),)),
    ("Schulwege", (("Schulkinder, die zu Fuß oder mit dem Rad kommen", "%", 40, 60),)),
    ("verleih", (("Ausleihen je Monat", "Ausleihen/Monat", 0, 300),)),
    ("Mobilitätsberatung", (("Beratene Personen je Jahr", "Personen", 0, 200),)),
)
#: Unit of each indicator (indikatoren.csv): a KPI naming an indicator is given in it.
INDICATOR_UNITS: dict[str, str] = {row[0]: row[4] for row in stats_gen.CATALOGUE}
#: Each municipality's latest value of the indicators KPIs name (None: withheld), as the ETL loads them.
LATEST_VALUES = stats_gen.latest_municipal_values(
    stats_gen.Model(stats_gen.read_municipalities(stats_gen.DEFAULT_REFERENCE)))

ROUND_FORMATS = ("Abstimmungsrunde", "Workshop", "Bürgerforum", "Lenkungsgruppe", "Fachgespräch")
ROUND_RESULTS = {
    "Abstimmungsrunde": "Stand der Vorhaben besprochen; nächste Schritte und Zuständigkeiten vereinbart.",
    "Workshop": "Ideen gesammelt und priorisiert; Arbeitsgruppen für die drei wichtigsten Vorhaben gebildet.",
    "Bürgerforum": "Vorhaben öffentlich vorgestellt; Anregungen der Einwohnerinnen und Einwohner aufgenommen.",
    "Lenkungsgruppe": "Prioritäten für die Förderanträge festgelegt; Eigenanteile mit den Gemeinden geklärt.",
    "Fachgespräch": "Fördervoraussetzungen mit Fachämtern und Bewilligungsstelle geklärt.",
    "Abstimmungsrunde Boxberg": "Gemeinsame Runde von Gemeinde, Verein und Kompetenzstelle: Fortschritt der "
                                "Boxberger Vorhaben, offene Fragen an Fachämter.",
}
ROUND_ORGS_EXTRA = (HSZG, ZVON, MGO, SAB, "Landesdirektion Sachsen", "Handwerkskammer Dresden", "IHK Dresden",
                    "Sächsische Agentur für Strukturentwicklung", "Regionalbauernverband", "Stadt Weißwasser/O.L.",
                    "Stadt Niesky", "Gemeinde Rietschen", "Gemeinde Schleife", "Stiftung Umgebindehaus")

# ---------------------------------------------------------------------------------------------- derivation


#: Days between entering the previous status and entering this one (drawn uniformly).
GAP_DAYS = {
    "In Beratung": (30, 120), "In Vorbereitung": (45, 150), "Beantragt": (30, 120), "Bewilligt": (60, 180),
    "In Umsetzung": (20, 90), "Abgeschlossen": (240, 720), "Ruht": (60, 200), "Verworfen": (60, 200),
}
#: When the last status change happened, in days before ``REFERENCE_DATE`` (drawn uniformly), so the sample
#: reads like a living portfolio: open initiatives moved in the last half year; some were finished, dropped or
#: started in the last twelve months, the others earlier; a few (``Seed.stale``) are stuck.
LAST_CHANGE_DAYS = {
    "open": (14, 170),  # In Beratung … Bewilligt
    "recent": (20, 330),  # In Umsetzung, Abgeschlossen or Verworfen reached in the last twelve months
    "earlier": (400, 1300),  # … or before
    "stuck": (230, 330),  # stale, still on the line: e.g. waiting for a grant decision
    "resting": (480, 760),  # stale and Ruht
}
#: Every how-many-th running initiative (not started recently) ends within the next three months.
ENDING_SOON_EVERY = 3


def _add_days(d: dt.date, days: int) -> dt.date:
    return d + dt.timedelta(days=days)


def _clip(d: dt.date, lo: dt.date, hi: dt.date) -> dt.date:
    return max(lo, min(hi, d))


def _path(seed: Seed) -> list[str]:
    """Status sequence from Idee to the current status (through the line; Ruht/Verworfen after off_stage)."""
    if seed.status in STATUS_LINE:
        return list(STATUS_LINE[: STATUS_LINE.index(seed.status) + 1])
    return list(STATUS_LINE[: STATUS_LINE.index(seed.off_stage) + 1]) + [seed.status]


def _last_change_kind(seed: Seed) -> str:
    """Which ``LAST_CHANGE_DAYS`` range the initiative's last status change falls into."""
    if seed.stale:
        return "resting" if seed.status == "Ruht" else "stuck"
    if seed.status in ("In Umsetzung", "Abgeschlossen", "Verworfen", "Ruht"):
        return "recent" if seed.recent else "earlier"
    return "open"


def _history_dates(rng: random.Random, d0: dt.date, path: list[str], last: dt.date) -> list[dt.date]:
    """Dates of the statuses in ``path``: ``d0`` for the idea, the current status entered on ``last``, the
    steps in between ``GAP_DAYS`` apart, all gaps stretched or compressed in proportion so that they fit
    between the two (8 days minimum)."""
    if len(path) == 1:
        return [d0]
    last = max(last, _add_days(d0, 8 * (len(path) - 1)))
    gaps = [rng.randint(*GAP_DAYS[status]) for status in path[1:]]
    factor = (last - d0).days / sum(gaps)
    gaps = [max(8, int(g * factor)) for g in gaps]
    dates = [d0]
    for g in gaps[:-1]:
        dates.append(_add_days(dates[-1], g))
    return dates + [max(last, dates[-1])]


@dataclass
class Initiative:
    iid: str
    seed: Seed
    history: list[tuple[dt.date, str, str]]
    start: dt.date | None
    end: dt.date | None
    as_of: dt.date
    contact: tuple[str, str, str] | None
    milestones: list[tuple[str, dt.date | None, dt.date | None]]
    kpis: list[tuple]


def derive(rng: random.Random) -> list[Initiative]:
    """All initiatives with their derived timeline, milestones and KPIs (deterministic for a given rng)."""
    out: list[Initiative] = []
    turns: dict[str, int] = {}
    used: set[str] = set()
    running = 0  # In Umsetzung seen so far (not started recently)
    for n, seed in enumerate(SEEDS, start=1):
        iid = f"I-{n:03d}"
        # Each initiative draws from its own generator: changing one rule does not reshuffle the others.
        irng = random.Random(f"{rng.random()}-{iid}")
        path = _path(seed)
        year, month = map(int, seed.idea.split("-"))
        d0 = dt.date(year, month, irng.randint(2, 27))
        last = _add_days(REFERENCE_DATE, -irng.randint(*LAST_CHANGE_DAYS[_last_change_kind(seed)]))
        dates = _history_dates(irng, d0, path, last)
        history = [(d, s, irng.choice(NOTES_BY_STATUS[s])) for d, s in zip(dates, path)]

        reached = dict(zip(path, dates))
        if "In Umsetzung" in reached:
            start = reached["In Umsetzung"]
        elif seed.status in ("Bewilligt", "Beantragt", "In Vorbereitung"):  # planned start, mostly ahead
            start = max(_add_days(dates[-1], irng.randint(60, 240)), _add_days(REFERENCE_DATE, irng.randint(-90, 30)))
            start = _clip(start, dt.date(2021, 1, 1), dt.date(2026, 12, 15))
        elif seed.status in ("In Beratung", "Idee") and irng.random() < 0.6:
            start = _clip(_add_days(dates[-1], irng.randint(150, 300)), dt.date(2021, 1, 1), dt.date(2026, 12, 15))
        else:
            start = None
        if seed.status == "Abgeschlossen":
            end = _add_days(reached["Abgeschlossen"], -irng.randint(0, 40))
            end = max(end, _add_days(start, 30)) if start else end
        elif seed.status == "In Umsetzung":
            running += 0 if seed.recent else 1
            soon = not seed.recent and running % ENDING_SOON_EVERY == 1
            ahead = irng.randint(15, 85) if soon else irng.randint(150, 720)
            end = max(_add_days(REFERENCE_DATE, ahead), _add_days(start, 240))
        elif start:
            end = _add_days(start, irng.randint(12, 36) * 30)
        else:
            end = None
        if seed.stale and seed.status == "Ruht":  # nobody looked at the row for a long time
            as_of = _add_days(dates[-1], irng.randint(20, 100))
        else:
            as_of = _clip(_add_days(REFERENCE_DATE, -irng.randint(4, 75)), dates[-1], REFERENCE_DATE)
        contact = None
        if n % 11 != 5:  # a few rows without a contact person
            first, last_name = irng.choice(FIRST_NAMES), irng.choice(LAST_NAMES)
            mail = f"{first.lower()}.{last_name.lower()}@example.org"
            phone = f"+49 3581 000-{100 + n:03d}"
            contact = (f"{first} {last_name}", mail, phone)
        # KPIs draw from their own generator: changing a KPI rule does not reshuffle the milestones
        kpis = _kpis(random.Random(f"kpi-{iid}"), seed, start, end, as_of, turns.get(seed.theme, 0), used)
        out.append(Initiative(iid, seed, history, start, end, as_of, contact,
                              _milestones(irng, seed, reached, start, end), kpis))
        turns[seed.theme] = turns.get(seed.theme, 0) + (len(kpis) > 1)
    return out


def _theme_id(name: str) -> str:
    return next(t.theme_id for t in THEMES if t.name_de == name)


def _milestones(rng: random.Random, seed: Seed, reached: dict[str, dt.date], start: dt.date | None,
                end: dt.date | None):
    """Milestones: passed stages are done (some late), open stages planned (a few already overdue); the
    implementation steps spread over the running time, done when due (mostly; stuck ones not), so running
    initiatives reach milestones now and then."""
    rows: list[tuple[str, dt.date | None, dt.date | None]] = []
    # Next stages are planned from now on; for a stuck initiative they were planned long ago (now overdue).
    planned = max(reached.values()) if seed.stale else max(max(reached.values()), _add_days(REFERENCE_DATE, -75))
    for stage, title in MILESTONES_BY_STAGE.items():
        if stage in reached:
            done = reached[stage]
            late = rng.random() < 0.35
            due = _add_days(done, -rng.randint(10, 75) if late else rng.randint(0, 25))
            rows.append((title, due, done))
        elif seed.status in STATUS_LINE and STATUS_LINE.index(seed.status) >= 2 and stage in ("Beantragt",
                                                                                               "Bewilligt"):
            planned = _add_days(planned, rng.randint(40, 180))  # open; a few already overdue
            rows.append((title, planned, None))
    if "In Umsetzung" in reached and start and end:
        finished = "Abgeschlossen" in reached
        span = max((end - start).days, 90)
        steps = [(title, _add_days(start, span * (k + 1) // 4 + rng.randint(-20, 20)))
                 for k, title in enumerate(IMPLEMENTATION_MILESTONES[_theme_id(seed.theme)])]
        if seed.granted:  # funded: a yearly interim report (Zwischennachweis) to the granting body, due 30 June
            last_year = reached["Abgeschlossen"].year if finished else REFERENCE_DATE.year
            steps += [(f"Zwischennachweis {y - 1} an die Bewilligungsstelle", dt.date(y, 6, 30))
                      for y in range(start.year + 1, last_year + 1)
                      if _add_days(start, 120) < dt.date(y, 6, 30) <= (reached.get("Abgeschlossen") or end)]
        for title, due in sorted(steps, key=lambda s: s[1]):
            if finished:
                done = min(_add_days(due, rng.randint(-20, 45)), reached["Abgeschlossen"])
            elif due < _add_days(REFERENCE_DATE, -7) and rng.random() < 0.8:
                done = min(_add_days(due, rng.randint(-15, 50)), _add_days(REFERENCE_DATE, -3))
            else:
                done = None  # open: overdue if due < REFERENCE_DATE
            rows.append((title, due, done))
    return rows


def _places_ags(places: str) -> list[str]:
    """The AGS of the municipalities in a Gemeinden cell as typed (names, AGS, kreisweit)."""
    by_name = {name: ags for ags, name in MUNICIPALITIES}
    out: list[str] = []
    for token in re.split(r"\s*[;,\n]\s*", places.strip()):
        if token == "kreisweit":
            return [ags for ags, _ in MUNICIPALITIES]
        out.append(token if token.isdigit() else by_name[token])
    return out


def _area_values(indicator: str, seed: Seed) -> list[float]:
    """The known latest values of ``indicator`` in the initiative's municipalities."""
    return [v for k in _places_ags(seed.places) if (v := LATEST_VALUES[indicator].get(k)) is not None]


def _kpi_templates(seed: Seed) -> list[tuple]:
    """The KPI templates that fit the initiative: free-text ones for what it does (``KIND_TEMPLATES``, else its
    theme's), indicator ones only where its municipalities have values of the indicator."""
    templates = list(KPI_TEMPLATES[_theme_id(seed.theme)])
    if "Boxberg" in seed.places and _theme_id(seed.theme) == "value_chains":
        templates.insert(0, ("population", None, None, 0))
    kind = next((t for word, t in KIND_TEMPLATES if word in seed.title), None)
    if kind:
        templates = list(kind) + [t for t in templates if t[0] in INDICATOR_IDS_USED]
    return [t for t in templates if t[0] not in INDICATOR_IDS_USED or sum(_area_values(t[0], seed)) > 0]


def _indicator_kpi(seed: Seed, indicator: str, change: float) -> tuple[str, float, float]:
    """(unit, baseline, target) of a KPI measuring ``indicator`` in the initiative's municipalities."""
    unit, values = INDICATOR_UNITS[indicator], _area_values(indicator, seed)
    if unit == "%":
        base = round(median(values), 1)
        return unit, base, round(min(base + min(6.0, base * change), 99.0), 1)
    base = round(sum(values))
    return unit, base, round(base * (1 + change))


def _kpis(rng: random.Random, seed: Seed, start: dt.date | None, end: dt.date | None, as_of: dt.date,
          turn: int, used: set[str]):
    """0–2 KPIs per initiative from the templates that fit it (``turn``: how many initiatives of the theme had
    a second KPI before; ``used``: KPI names used so far, updated); an actual value once the initiative runs,
    growing with the share of its running time passed (completed ones mostly reached their target)."""
    if seed.status in ("Idee", "Verworfen"):
        return []
    templates = _kpi_templates(seed)
    count = 1 if seed.status in ("In Beratung", "Ruht") else rng.choice((1, 2, 2))
    # The second KPI: an indicator template not used in the sample yet (so every one appears), else the
    # theme's other templates in turn.
    unused = [t for t in templates[1:] if t[0] in INDICATOR_IDS_USED and t[0] not in used]
    second = unused[0] if unused else templates[1 + turn % (len(templates) - 1)]
    chosen = templates[:1] + [second] if count > 1 else templates[:1]
    used.update(name for name, *_ in chosen)
    rows = []
    for name, unit, base, target in chosen:
        if name in INDICATOR_IDS_USED:
            unit, base, target = _indicator_kpi(seed, name, target)
        else:  # free-text KPIs: scale to the initiative's size
            factor = rng.choice((0.5, 1, 1, 2))
            target = round(target * factor) if base == 0 else round(base + (target - base) * factor)
        if seed.status == "Abgeschlossen":
            year = as_of.year if start is None else min(as_of.year, start.year + rng.randint(1, 2))
        else:
            year = max((start.year if start else REFERENCE_DATE.year) + rng.randint(1, 3), REFERENCE_DATE.year + 1)
        actual = None
        if seed.status == "Abgeschlossen":
            share = rng.uniform(0.85, 1.25)
        elif seed.status == "In Umsetzung" and start and end:
            passed = (REFERENCE_DATE - start).days / max((end - start).days, 1)
            share = min(max(passed, 0.1), 1.0) * rng.uniform(0.8, 1.35)
        else:
            share = None
        if share is not None:
            actual = round(base + (target - base) * share, 1 if unit == "%" else 0)
            if unit == "%":
                actual = min(actual, 100.0)
            elif name in INDICATOR_IDS_USED:  # a count: at most the growth the ETL's data test allows
                actual = min(actual, math.floor(base * COUNT_GROWTH))
        rows.append((name, unit, base, target, year, actual, as_of if actual is not None else None))
    return rows


def _rounds(rng: random.Random, initiatives: list[Initiative]):
    """About 20 coordination rounds 2022–2026 with organisations and the initiatives discussed."""
    rows = []
    dates = sorted({dt.date(2022, 2, 15) + dt.timedelta(days=int(i * 1700 / 20) + rng.randint(-12, 12))
                    for i in range(21)})
    for k, d in enumerate(dates):
        fmt = ROUND_FORMATS[k % len(ROUND_FORMATS)] if k % 4 else "Abstimmungsrunde Boxberg"
        known = [i for i in initiatives if i.history[0][0] <= d]
        if fmt == "Abstimmungsrunde Boxberg":
            pool = [i for i in known if "Boxberg" in i.seed.places or PBX in (i.seed.lead + i.seed.partners)]
            orgs = [KS, GBX, PBX] + rng.sample(ROUND_ORGS_EXTRA, 1)
        else:
            pool = known
            orgs = [KS] + rng.sample(ROUND_ORGS_EXTRA, rng.randint(2, 5))
            if rng.random() < 0.6:
                orgs.insert(1, PBX)
            if rng.random() < 0.5:
                orgs.insert(1, GBX)
        chosen = sorted(rng.sample(pool, min(len(pool), rng.randint(2, 5))), key=lambda i: i.iid)
        focus = rng.choice(chosen).seed.title if chosen else ""
        results = ROUND_RESULTS[fmt] + (f" Schwerpunkt: {focus}." if focus else "")
        rows.append((d, fmt, orgs, [i.iid for i in chosen], results))
    return rows


# ---------------------------------------------------------------------------------------------- writing

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F4E79")
DATE_FORMAT = "DD.MM.YYYY"
EUR_FORMAT = '#,##0.00 "€"'
LIST_ROWS = 2000  # rows covered by the drop-down lists


def _write_header(ws, sheet: str, row: int, variants: bool) -> None:
    for col, name in enumerate(HEADERS[sheet], start=1):
        text = SAMPLE_HEADER_VARIANTS.get((sheet, name), name) if variants else name
        cell = ws.cell(row=row, column=col, value=text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(name, 15)
    ws.row_dimensions[row].height = 32
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _lists_sheet(wb: Workbook) -> None:
    """Hidden sheet 'Listen' with the values of the drop-down lists."""
    ws = wb.create_sheet("Listen")
    columns = (
        ("Thema", [t.name_de for t in THEMES]),
        ("Status", list(STATUSES)),
        ("Herkunft", list(ORIGINS)),
        ("Öffentlich", ["ja", "nein"]),
        ("Gemeinden", ["kreisweit"] + [name for _, name in MUNICIPALITIES]),
    )
    for col, (title, values) in enumerate(columns, start=1):
        ws.cell(row=1, column=col, value=title).font = Font(bold=True)
        for r, value in enumerate(values, start=2):
            ws.cell(row=r, column=col, value=value)
    ws.sheet_state = "hidden"


def _list_range(col: str, count: int) -> str:
    return f"=Listen!${col}$2:${col}${count + 1}"


def _validations(wb: Workbook, header_rows: dict[str, int]) -> None:
    """Drop-down lists for Thema, Status, Herkunft, Öffentlich and Gemeinden (Gemeinden allows free text)."""
    def add(ws, header_row: int, sheet: str, column: str, formula: str, strict: bool, prompt: str) -> None:
        idx = HEADERS[sheet].index(column) + 1
        letter = get_column_letter(idx)
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
        dv.showErrorMessage = strict
        dv.errorTitle, dv.error = "Ungültiger Wert", "Bitte einen Wert aus der Liste wählen."
        dv.promptTitle, dv.prompt = column, prompt
        dv.showInputMessage = True
        dv.add(f"{letter}{header_row + 1}:{letter}{header_row + LIST_ROWS}")
        ws.add_data_validation(dv)

    ini, hist = wb["Initiativen"], wb["Statusverlauf"]
    r = header_rows["Initiativen"]
    add(ini, r, "Initiativen", "Thema", _list_range("A", len(THEMES)), True, "Hauptthema aus der Liste")
    add(ini, r, "Initiativen", "Weitere Themen", _list_range("A", len(THEMES)), False,
        "Themen aus der Liste; mehrere mit ; trennen")
    add(ini, r, "Initiativen", "Status", _list_range("B", len(STATUSES)), True, "Aktueller Status")
    add(ini, r, "Initiativen", "Herkunft", _list_range("C", len(ORIGINS)), True, "Von wem kam der Anstoß?")
    add(ini, r, "Initiativen", "Öffentlich (ja/nein)", _list_range("D", 2), False,
        "ja: darf in Berichten nach außen erscheinen")
    add(ini, r, "Initiativen", "Gemeinden", _list_range("E", len(MUNICIPALITIES) + 1), False,
        "Gemeinde wählen oder mehrere mit ; trennen; kreisweit = alle Gemeinden")
    add(hist, header_rows["Statusverlauf"], "Statusverlauf", "Status", _list_range("B", len(STATUSES)), True,
        "Neuer Status")


def _notes_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet("Hinweise", 0)
    ws["A1"] = "Hinweise zur Portfolio-Arbeitsmappe der Kompetenzstelle"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = ("Bitte Blatt- und Spaltennamen nicht ändern. Datumsangaben als TT.MM.JJJJ, Beträge in Euro. "
                "Personenbezogene Angaben (Ansprechperson, E-Mail, Telefon) bleiben in der Kompetenzstelle und "
                "erscheinen in keinem Bericht.")
    ws["A2"].alignment = Alignment(wrap_text=True)
    ws.merge_cells("A2:C2")
    ws.row_dimensions[2].height = 45
    for col, text in enumerate(("Blatt", "Spalte", "Erläuterung"), start=1):
        cell = ws.cell(row=4, column=col, value=text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for r, (sheet, column, text) in enumerate(NOTES, start=5):
        ws.cell(row=r, column=1, value=sheet)
        ws.cell(row=r, column=2, value=column)
        ws.cell(row=r, column=3, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = 20, 28, 100
    ws.freeze_panes = "A5"


def _new_workbook(header_rows: dict[str, int], variants: bool) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in HEADERS:
        ws = wb.create_sheet(sheet)
        _write_header(ws, sheet, header_rows[sheet], variants)
    _notes_sheet(wb)
    _lists_sheet(wb)
    _validations(wb, header_rows)
    wb.active = 1  # Initiativen
    wb.properties.creator = "Kompetenzstelle Landratsamt Görlitz"
    wb.properties.title = "Initiativenportfolio"
    wb.properties.created = FILE_TIMESTAMP
    wb.properties.modified = FILE_TIMESTAMP
    wb.properties.lastModifiedBy = "Kompetenzstelle"
    return wb


def _date_cell(ws, row: int, col: int, value: dt.date | None, as_text: bool) -> None:
    if value is None:
        return
    if as_text:
        ws.cell(row=row, column=col, value=value.strftime("%d.%m.%Y"))
    else:
        ws.cell(row=row, column=col, value=dt.datetime(value.year, value.month, value.day)).number_format = \
            DATE_FORMAT


def _amount_cell(ws, row: int, col: int, value: float | None, style: int) -> None:
    """Amounts as a human types them: number with € format (0), '12.500,00 €' text (1), plain text (2)."""
    if value is None:
        return
    if style == 1:
        text = f"{value:,.2f}".replace(",", "\u0001").replace(".", ",").replace("\u0001", ".") + " €"
        ws.cell(row=row, column=col, value=text)
    elif style == 2:
        ws.cell(row=row, column=col, value=str(int(value)))
    else:
        ws.cell(row=row, column=col, value=value).number_format = EUR_FORMAT


def _title_rows(ws, sheet: str, title: str, subtitle: str | None) -> None:
    last = get_column_letter(len(HEADERS[sheet]))
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws.merge_cells(f"A1:{last}1")
    if subtitle:
        ws["A2"] = subtitle
        ws["A2"].font = Font(italic=True, color="555555")
        ws.merge_cells(f"A2:{last}2")


def build_sample() -> Workbook:
    """The filled sample workbook (fictional data, deterministic)."""
    rng = random.Random(SEED)
    initiatives = derive(rng)
    header_rows = {"Initiativen": 3, "Meilensteine": 1, "Statusverlauf": 2, "Kennzahlen": 1, "Abstimmungsrunden": 2}
    wb = _new_workbook(header_rows, variants=True)
    _title_rows(wb["Initiativen"], "Initiativen", "Initiativenportfolio der Kompetenzstelle – Landkreis Görlitz",
                "Beispieldaten (fiktiv) · gepflegt von der Kompetenzstelle · Stand 24.11.2026")
    _title_rows(wb["Statusverlauf"], "Statusverlauf", "Statusverlauf der Initiativen", None)
    _title_rows(wb["Abstimmungsrunden"], "Abstimmungsrunden", "Abstimmungsrunden, Workshops und Foren", None)

    ws = wb["Initiativen"]
    cols = {name: i + 1 for i, name in enumerate(HEADERS["Initiativen"])}
    r = header_rows["Initiativen"]
    for k, ini in enumerate(initiatives):
        r += 1
        if k in (17, 33):  # empty rows left over from sorting by hand
            r += 1
        s = ini.seed
        theme = s.theme
        if ini.iid == "I-015":
            theme = "Nahversorgung"
        elif ini.iid == "I-033":
            theme = "tourismus"
        values = {
            "ID": ini.iid, "Titel": s.title, "Kurzbeschreibung": s.summary, "Thema": theme,
            "Weitere Themen": s.more or None, "Gemeinden": s.places, "Träger": s.lead,
            "Partner": s.partners or None, "Herkunft": s.origin, "Status": s.status,
            "Förderprogramm(e)": s.programmes or None, "Öffentlich (ja/nein)": s.public or None,
        }
        if ini.contact:
            values["Ansprechperson"], values["E-Mail"], values["Telefon"] = ini.contact
        for name, value in values.items():
            if value is not None:
                cell = ws.cell(row=r, column=cols[name], value=value)
                if name in ("Kurzbeschreibung", "Gemeinden", "Partner"):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        text_dates = rng.random() < 0.2
        _date_cell(ws, r, cols["Beginn"], ini.start, text_dates)
        _date_cell(ws, r, cols["Ende geplant"], ini.end, text_dates)
        _date_cell(ws, r, cols["Stand"], ini.as_of, rng.random() < 0.15)
        style = 0 if k % 5 in (0, 2, 3) else (1 if k % 5 == 1 else 2)
        own = None
        if s.cost is not None:
            own = (s.cost - s.granted) if s.granted is not None else None
        _amount_cell(ws, r, cols["Gesamtkosten €"], s.cost, style)
        _amount_cell(ws, r, cols["Fördermittel bewilligt €"], s.granted, style)
        _amount_cell(ws, r, cols["Eigenmittel €"], own, 0 if style == 2 else style)
        if s.coords:
            ws.cell(row=r, column=cols["Breitengrad"], value=s.coords[0]).number_format = "0.000"
            ws.cell(row=r, column=cols["Längengrad"], value=s.coords[1]).number_format = "0.000"

    ws = wb["Meilensteine"]
    r = header_rows["Meilensteine"]
    for ini in initiatives:
        if not ini.milestones:
            continue
        for title, due, done in ini.milestones:
            r += 1
            ws.cell(row=r, column=1, value=ini.iid)
            ws.cell(row=r, column=2, value=title)
            as_text = rng.random() < 0.15
            _date_cell(ws, r, 3, due, as_text)
            _date_cell(ws, r, 4, done, as_text)
        if ini.iid in ("I-013", "I-028"):
            r += 1  # an empty row between groups

    ws = wb["Statusverlauf"]
    r = header_rows["Statusverlauf"]
    for ini in initiatives:
        for d, status, note in ini.history:
            r += 1
            ws.cell(row=r, column=1, value=ini.iid)
            _date_cell(ws, r, 2, d, rng.random() < 0.1)
            ws.cell(row=r, column=3, value=status)
            ws.cell(row=r, column=4, value=note)

    ws = wb["Kennzahlen"]
    r = header_rows["Kennzahlen"]
    for ini in initiatives:
        for name, unit, base, target, year, actual, as_of in ini.kpis:
            r += 1
            ws.cell(row=r, column=1, value=ini.iid)
            ws.cell(row=r, column=2, value=name)
            ws.cell(row=r, column=3, value=unit)
            if name == "overnight_stays" and base >= 1000:  # typed as text with a thousands separator
                ws.cell(row=r, column=4, value=f"{int(base):,}".replace(",", "."))
            else:
                ws.cell(row=r, column=4, value=base)
            ws.cell(row=r, column=5, value=target)
            ws.cell(row=r, column=6, value=year)
            if actual is not None:
                ws.cell(row=r, column=7, value=actual)
            _date_cell(ws, r, 8, as_of, False)

    ws = wb["Abstimmungsrunden"]
    r = header_rows["Abstimmungsrunden"]
    for d, fmt, orgs, ids, results in _rounds(rng, initiatives):
        r += 1
        _date_cell(ws, r, 1, d, rng.random() < 0.2)
        ws.cell(row=r, column=2, value=fmt)
        ws.cell(row=r, column=3, value="; ".join(orgs)).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=4, value=", ".join(ids))
        ws.cell(row=r, column=5, value=results).alignment = Alignment(wrap_text=True, vertical="top")
    return wb


def build_template() -> Workbook:
    """The empty template: same sheets and headers, notes, drop-down lists, frozen header row."""
    return _new_workbook({sheet: 1 for sheet in HEADERS}, variants=False)


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save ``wb`` so the file has the same bytes on every run (fixed zip times and document timestamps)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FILE_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FILE_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())


def main() -> None:
    save_deterministic(build_sample(), SAMPLE_PATH)
    save_deterministic(build_template(), TEMPLATE_PATH)
    print(f"geschrieben: {SAMPLE_PATH.relative_to(ROOT)} ({len(SEEDS)} Initiativen)")
    print(f"geschrieben: {TEMPLATE_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
