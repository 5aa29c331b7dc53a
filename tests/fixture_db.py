"""A small hand-made Regionalmonitor database for tests, built from the Python lists below.

Tests derive the numbers they expect from these lists (never type a number twice):

    from tests.fixture_db import INITIATIVES, MILESTONES, FIXTURE_TODAY, initiatives_where

Contents (all synthetic except the facts of the five municipalities, copied from the project's verified
reference ``goerlitz_municipalities.csv``):

- ``meta``: district 14626 'Landkreis Görlitz', Stand ``STAND`` (2026-06-30), synthetic 'true'.
- ``REGIONS``: five municipalities (incl. Boxberg/O.L. 14626060 and Görlitz 14626110), the district
  ``14626`` and Saxony ``14``.
- ``INDICATORS``: one per theme + population (with a series break on 2024-12-31) + a formula indicator;
  ``VALUES``: 2019–2024 for every region, incl. NULL values flagged 'secret' (Boxberg's overnight stays, also in
  the latest year) and (Niesky's latest supermarket distance) 'later', and 0s flagged 'zero' (one in the latest
  year): the traps of the honesty audit (tests/app/test_honesty_audit.py).
- ``INITIATIVES`` (11, all four themes, seven statuses): one not public, one districtwide, two titled with
  markup (escaping: ``<img src=x onerror=alert(1)>``, ``<iframe srcdoc="<script>...">``) and one titled
  ``=HYPERLINK(...)`` (export sanitising).
- ``MILESTONES`` (some overdue relative to ``FIXTURE_TODAY``), ``STATUS_HISTORY`` (every initiative),
  ``KPIS``, programmes, organisations, ``ROUNDS`` (coordination rounds), ``SOURCES``,
  ``VALIDATION_ISSUES``, ``DATA_TESTS`` and one ``etl_run``.

The conftest sets ``REGIONALMONITOR_TODAY`` to ``FIXTURE_TODAY`` so "today" is reproducible.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb

from etl.catalogue import inherit_series_breaks
from etl.marts import build_marts
from monitor.core import vocab

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "etl" / "schema.sql"

FIXTURE_TODAY = date(2026, 7, 15)
STAND = date(2026, 6, 30)
#: The sidebar's default period for this fixture: 12 months up to the data Stand.
DEFAULT_FROM, DEFAULT_TO = date(2025, 7, 1), STAND
RUN_ID = "fixture-run-1"
DISTRICT_KEY, DISTRICT_NAME = "14626", "Landkreis Görlitz"
STATE_KEY, STATE_NAME = "14", "Sachsen"

META = {
    "district_key": DISTRICT_KEY,
    "district_name": DISTRICT_NAME,
    "stand": STAND.isoformat(),
    "synthetic": "true",
    "built_at": "2026-07-01T08:00:00",
}

# ---------------------------------------------------------------- regions
MUNICIPALITY_KEYS = ("14626060", "14626110", "14626370", "14626600", "14626610")
BOXBERG, GOERLITZ, NIESKY, WEISSWASSER, ZITTAU = MUNICIPALITY_KEYS
#: Official facts (GV-ISys, 31.12.2024), copied from data/reference/goerlitz_municipalities.csv so the
#: fixture needs no file outside the repository; test_overview.py checks them against data/sample/gemeinden.csv.
#: (ags, name, name_sorbian, kind, association, population, area_km2, lat, lon, central_place)
_MUNICIPALITY_FACTS = (
    ("14626060", "Boxberg/O.L.", "Hamor", "Gemeinde", None, 4303, 217.67, 51.405, 14.576, None),
    ("14626110", "Görlitz", None, "Stadt", None, 55186, 67.53, 51.155, 14.988, "Oberzentrum"),
    ("14626370", "Niesky", None, "Stadt", None, 8956, 53.81, 51.294, 14.823, "Mittelzentrum"),
    ("14626600", "Weißwasser/O.L.", "Běła Woda", "Stadt", "Verwaltungsgemeinschaft Weißwasser/O.L.", 15002, 63.43,
     51.507, 14.643, "Mittelzentrum"),
    ("14626610", "Zittau", None, "Stadt", None, 25286, 66.75, 50.896, 14.806, "Mittelzentrum"),
)
MUNICIPALITIES: list[dict] = [
    {"ags": ags, "name": name, "name_sorbian": sorb, "kind": kind, "association": assoc, "population": pop,
     "population_date": date(2024, 12, 31), "area_km2": area, "lat": lat, "lon": lon, "central_place": central,
     "valid_from": None, "valid_to": None, "source": "Gemeindeverzeichnis GV-ISys (31.12.2024)"}
    for ags, name, sorb, kind, assoc, pop, area, lat, lon, central in _MUNICIPALITY_FACTS
]
MUNICIPALITY_NAME = {m["ags"]: m["name"] for m in MUNICIPALITIES}
REGIONS: list[dict] = (
    [{"region_key": m["ags"], "name": m["name"], "level": "gemeinde", "parent_key": DISTRICT_KEY}
     for m in MUNICIPALITIES]
    + [{"region_key": DISTRICT_KEY, "name": DISTRICT_NAME, "level": "kreis", "parent_key": STATE_KEY},
       {"region_key": STATE_KEY, "name": STATE_NAME, "level": "land", "parent_key": "DG"}]
)

# ---------------------------------------------------------------- sources
SOURCES: list[dict] = [
    {"source_id": "stat_fixture", "file_name": "statistik_beispiel.csv", "kind": "statistics",
     "format": "genesis_ffcsv", "title": "Beispielstatistik (synthetisch)", "origin": "Testdaten Regionalmonitor",
     "reference_date": date(2024, 12, 31), "licence": "CC0-1.0", "attribution": None, "synthetic": True,
     "note": "Erfundene Werte für Tests", "size_bytes": 2048, "sha256": "a" * 64, "rows_loaded": None},
    {"source_id": "portfolio_fixture", "file_name": "initiativen_beispiel.xlsx", "kind": "portfolio",
     "format": "xlsx", "title": "Initiativen (Beispiel)", "origin": "Kompetenzstelle (Beispiel)",
     "reference_date": STAND, "licence": "intern", "attribution": None, "synthetic": True,
     "note": None, "size_bytes": 4096, "sha256": "b" * 64, "rows_loaded": 11},
    {"source_id": "municipalities_reference", "file_name": "goerlitz_municipalities.csv", "kind": "municipalities",
     "format": "csv", "title": "Gemeinden des Landkreises Görlitz", "origin": "Gemeindeverzeichnis (GV-ISys)",
     "reference_date": date(2024, 12, 31), "licence": "dl-de/by-2-0",
     "attribution": "© Statistisches Bundesamt (Destatis)", "synthetic": False, "note": None,
     "size_bytes": 9000, "sha256": "c" * 64, "rows_loaded": 5},
]

# ---------------------------------------------------------------- indicators and values
POPULATION_BREAK = "2024-12-31|Ab 31.12.2024 auf Basis des Zensus 2022"
INDICATORS: list[dict] = [
    {"indicator_id": "population", "name_de": "Bevölkerung", "name_en": "Population", "theme": "demography",
     "unit": "Personen", "higher_is_better": True, "decimals": 0, "definition": "Einwohner am 31.12.",
     "method": "file", "formula": None, "series_break": POPULATION_BREAK},
    {"indicator_id": "stop_distance", "name_de": "Entfernung zur nächsten ÖV-Haltestelle",
     "name_en": "Distance to next public transport stop", "theme": "mobility", "unit": "m",
     "higher_is_better": False, "decimals": 0, "definition": "Luftlinie zur nächsten Haltestelle mit 20+ Abfahrten/Tag",
     "method": "file", "formula": None, "series_break": None},
    {"indicator_id": "supermarket_distance", "name_de": "Entfernung zum nächsten Supermarkt",
     "name_en": "Distance to next supermarket", "theme": "supply", "unit": "m", "higher_is_better": False,
     "decimals": 0, "definition": "Luftlinie zum nächsten Supermarkt oder Discounter", "method": "file",
     "formula": None, "series_break": None},
    {"indicator_id": "overnight_stays", "name_de": "Gästeübernachtungen", "name_en": "Overnight stays",
     "theme": "tourism", "unit": "Übernachtungen", "higher_is_better": True, "decimals": 0,
     "definition": "Übernachtungen in Beherbergungsbetrieben mit 10+ Betten im Jahr", "method": "file",
     "formula": None, "series_break": None},
    {"indicator_id": "employees", "name_de": "Beschäftigte am Arbeitsort", "name_en": "Employees at workplace",
     "theme": "value_chains", "unit": "Personen", "higher_is_better": True, "decimals": 0,
     "definition": "Sozialversicherungspflichtig Beschäftigte am 30.06.", "method": "file",
     "formula": None, "series_break": None},
    {"indicator_id": "employees_per_1000", "name_de": "Beschäftigte je 1.000 Einwohner",
     "name_en": "Employees per 1,000 inhabitants", "theme": "value_chains", "unit": "je 1.000 EW",
     "higher_is_better": True, "decimals": 1, "definition": "Beschäftigte am Arbeitsort je 1.000 Einwohner",
     "method": "formula", "formula": "{employees} / {population} * 1000", "series_break": None},
]
YEARS = tuple(range(2019, 2025))
_BASE = {  # region -> indicator -> value in 2019 (synthetic except population scale)
    BOXBERG: {"population": 4700, "stop_distance": 1800, "supermarket_distance": 2600, "overnight_stays": 9000,
              "employees": 1900},
    GOERLITZ: {"population": 56400, "stop_distance": 350, "supermarket_distance": 600, "overnight_stays": 480000,
               "employees": 24000},
    NIESKY: {"population": 9400, "stop_distance": 700, "supermarket_distance": 900, "overnight_stays": 21000,
             "employees": 3900},
    WEISSWASSER: {"population": 16200, "stop_distance": 600, "supermarket_distance": 800,
                  "overnight_stays": 30000, "employees": 6100},
    ZITTAU: {"population": 25600, "stop_distance": 450, "supermarket_distance": 700, "overnight_stays": 150000,
             "employees": 11000},
    DISTRICT_KEY: {"population": 254000, "stop_distance": 900, "supermarket_distance": 1300,
                   "overnight_stays": 1400000, "employees": 88000},
    STATE_KEY: {"population": 4077000, "stop_distance": 650, "supermarket_distance": 1000,
                "overnight_stays": 19500000, "employees": 1620000},
}
_TREND = {"population": -0.008, "stop_distance": -0.02, "supermarket_distance": 0.01, "overnight_stays": 0.04,
          "employees": 0.005}
#: (indicator, region, year) -> (value, flag) overriding the generated value.
SPECIAL_VALUES = {
    ("overnight_stays", BOXBERG, 2021): (None, "secret"),
    ("overnight_stays", BOXBERG, 2020): (0.0, "zero"),
    # the latest year not yet published while the year before has a value: never show 2023's under 2024
    ("supermarket_distance", NIESKY, 2024): (None, "later"),
    # the latest year withheld ('.') and a '-' (true zero, stored as 0 with its flag) in the latest year: the
    # rankings, comparisons, Steckbrief and report tables of 2024 must name both, never show 0 or a blank
    ("overnight_stays", BOXBERG, 2024): (None, "secret"),
    ("overnight_stays", WEISSWASSER, 2024): (0.0, "zero"),
}


def _values() -> list[dict]:
    out = []
    for region, base in _BASE.items():
        for year in YEARS:
            raw = {}
            for ind, v0 in base.items():
                v = round(v0 * (1 + _TREND[ind]) ** (year - 2019))
                if ind == "population" and year == 2024 and region in MUNICIPALITY_NAME:
                    v = next(m["population"] for m in MUNICIPALITIES if m["ags"] == region)
                raw[ind] = float(v)
            raw["employees_per_1000"] = round(raw["employees"] / raw["population"] * 1000, 1)
            for ind, v in raw.items():
                flag = "break" if ind == "population" and year == 2024 else None
                v, flag = SPECIAL_VALUES.get((ind, region, year), (v, flag))
                out.append({"indicator_id": ind, "region_key": region, "period": date(year, 12, 31),
                            "year": year, "value": v, "flag": flag, "source_id": "stat_fixture"})
    return out


VALUES: list[dict] = _values()

# ---------------------------------------------------------------- initiatives
#: Fields beyond the table columns: municipalities (AGS), programmes, partners, themes (further themes).
INITIATIVES: list[dict] = [
    dict(initiative_id="INI-001", title="Rufbus Boxberg", summary="Bedarfsverkehr zwischen den Ortsteilen.",
         theme="mobility", themes=["supply"], districtwide=False, municipalities=[BOXBERG],
         lead_organisation="Gemeinde Boxberg/O.L.", partners=["Perspektive Boxberg e. V.", "ZVON"],
         origin="Gemeinde", status="In Umsetzung", start_date=date(2025, 3, 1), end_planned=date(2026, 9, 30),
         total_cost_eur=250000.0, funding_granted_eur=180000.0, own_funds_eur=70000.0, programmes=["LEADER"],
         contact_name="Anna Beispiel", contact_email="anna.beispiel@example.org", contact_phone="03581 100-101",
         is_public=True, lat=51.405, lon=14.576),
    dict(initiative_id="INI-002", title="Dorfladen Kringelsdorf", summary="Genossenschaftlicher Dorfladen.",
         theme="supply", themes=[], districtwide=False, municipalities=[BOXBERG],
         lead_organisation="Perspektive Boxberg e. V.", partners=["Gemeinde Boxberg/O.L."], origin="Verein",
         status="Bewilligt", start_date=date(2025, 9, 1), end_planned=date(2027, 6, 30),
         total_cost_eur=120000.0, funding_granted_eur=90000.0, own_funds_eur=30000.0, programmes=["LEADER"],
         contact_name="Bernd Muster", contact_email="bernd.muster@example.org", contact_phone="03581 100-102",
         is_public=True, lat=51.43, lon=14.55),
    dict(initiative_id="INI-003", title="Mitfahrbänke im ganzen Kreis", summary="Mitfahrbänke an Ortsausgängen.",
         theme="mobility", themes=[], districtwide=True, municipalities=list(MUNICIPALITY_KEYS),
         lead_organisation="Landratsamt Görlitz", partners=["Gemeinde Boxberg/O.L.", "Stadt Niesky"],
         origin="Landratsamt", status="Abgeschlossen", start_date=date(2024, 4, 1), end_planned=date(2025, 12, 31),
         total_cost_eur=40000.0, funding_granted_eur=30000.0, own_funds_eur=10000.0, programmes=["Regionalbudget"],
         contact_name="Clara Probe", contact_email="clara.probe@example.org", contact_phone="03581 100-103",
         is_public=True, lat=None, lon=None),
    dict(initiative_id="INI-004", title="Radroute Neißetal", summary="Lückenschluss des Oder-Neiße-Radwegs.",
         theme="tourism", themes=[], districtwide=False, municipalities=[GOERLITZ, ZITTAU],
         lead_organisation="Tourismusverband Oberlausitz", partners=["Stadt Görlitz", "Stadt Zittau"],
         origin="Verein", status="Beantragt", start_date=date(2026, 1, 1), end_planned=date(2028, 12, 31),
         total_cost_eur=800000.0, funding_granted_eur=None, own_funds_eur=160000.0, programmes=["EFRE"],
         contact_name="Dora Test", contact_email="dora.test@example.org", contact_phone="03581 100-104",
         is_public=True, lat=51.0, lon=14.9),
    dict(initiative_id="INI-005", title="<img src=x onerror=alert(1)>", summary="<b>fett</b> & <script>x</script>",
         theme="tourism", themes=[], districtwide=False, municipalities=[NIESKY],
         lead_organisation="Bürgerinitiative Niesky", partners=[], origin="Bürgerschaft", status="Idee",
         start_date=None, end_planned=None, total_cost_eur=None, funding_granted_eur=None, own_funds_eur=None,
         programmes=[], contact_name="Emil Beispiel", contact_email="emil.beispiel@example.org",
         contact_phone="03581 100-105", is_public=True, lat=51.29, lon=14.82),
    dict(initiative_id="INI-006", title='=HYPERLINK("http://example.com","Klick")',
         summary="-Werkstattverbund für Handwerk", theme="value_chains", themes=[], districtwide=False,
         municipalities=[WEISSWASSER], lead_organisation="Lausitzer Werkstatt GmbH", partners=[],
         origin="Unternehmen", status="In Beratung", start_date=None, end_planned=None, total_cost_eur=50000.0,
         funding_granted_eur=None, own_funds_eur=None, programmes=[], contact_name="Frieda Muster",
         contact_email="frieda.muster@example.org", contact_phone="+49 3576 100-106", is_public=True,
         lat=51.507, lon=14.643),
    dict(initiative_id="INI-007", title="Regionalmarkt Oberlausitz", summary="Online-Marktplatz für Erzeuger.",
         theme="value_chains", themes=["tourism"], districtwide=False, municipalities=[GOERLITZ],
         lead_organisation="Regionalmarkt Oberlausitz eG", partners=["Hochschule Zittau/Görlitz"],
         origin="Unternehmen", status="In Umsetzung", start_date=date(2024, 10, 1), end_planned=date(2026, 12, 31),
         total_cost_eur=150000.0, funding_granted_eur=100000.0, own_funds_eur=50000.0,
         programmes=["LEADER", "STARK"], contact_name="Gustav Probe", contact_email="gustav.probe@example.org",
         contact_phone="03581 100-107", is_public=True, lat=51.155, lon=14.988),
    dict(initiative_id="INI-008", title="Landarztpraxis Niesky", summary="Praxisräume für eine Hausärztin.",
         theme="supply", themes=[], districtwide=False, municipalities=[NIESKY], lead_organisation="Stadt Niesky",
         partners=[], origin="Gemeinde", status="Ruht", start_date=date(2023, 9, 1), end_planned=date(2025, 12, 31),
         total_cost_eur=300000.0, funding_granted_eur=0.0, own_funds_eur=None, programmes=["EFRE"],
         contact_name="Hanna Test", contact_email="hanna.test@example.org", contact_phone="03588 100-108",
         is_public=True, lat=51.294, lon=14.823),
    dict(initiative_id="INI-009", title="Lieferdienst Zittauer Gebirge", summary="Lieferung von Einkäufen.",
         theme="supply", themes=[], districtwide=False, municipalities=[ZITTAU],
         lead_organisation="Zittauer Lieferdienst GmbH", partners=[], origin="Unternehmen", status="Verworfen",
         start_date=date(2024, 9, 1), end_planned=date(2026, 8, 31), total_cost_eur=60000.0,
         funding_granted_eur=None, own_funds_eur=None, programmes=[], contact_name="Ida Beispiel",
         contact_email="ida.beispiel@example.org", contact_phone="03583 100-109", is_public=True,
         lat=50.896, lon=14.806),
    dict(initiative_id="INI-010", title="Datenplattform Mobilität (intern)", summary="Internes Pilotprojekt.",
         theme="mobility", themes=[], districtwide=False, municipalities=[GOERLITZ],
         lead_organisation="Hochschule Zittau/Görlitz", partners=["Landratsamt Görlitz"], origin="Wissenschaft",
         status="In Vorbereitung", start_date=date(2026, 4, 1), end_planned=date(2026, 10, 1),
         total_cost_eur=75000.0, funding_granted_eur=None, own_funds_eur=15000.0, programmes=["STARK"],
         contact_name="Jakob Muster", contact_email="jakob.muster@example.org", contact_phone="03581 100-110",
         is_public=False, lat=51.16, lon=14.99),
    dict(initiative_id="INI-011", title="<iframe srcdoc=\"<script>parent.document.title='pwned'</script>\">",
         summary="Titel mit eingebettetem Rahmen (Test der Darstellung).", theme="supply", themes=[],
         districtwide=False, municipalities=[ZITTAU], lead_organisation="Stadt Zittau", partners=[],
         origin="Gemeinde", status="Idee", start_date=None, end_planned=None, total_cost_eur=None,
         funding_granted_eur=None, own_funds_eur=None, programmes=[], contact_name="Karl Test",
         contact_email="karl.test@example.org", contact_phone="03583 100-111", is_public=True, lat=50.9, lon=14.81),
]
INITIATIVE = {i["initiative_id"]: i for i in INITIATIVES}

#: (initiative_id, date, status, note) in order per initiative.
STATUS_HISTORY: list[tuple] = [
    ("INI-001", date(2024, 5, 10), "Idee", None), ("INI-001", date(2024, 8, 1), "In Beratung", None),
    ("INI-001", date(2024, 11, 15), "Beantragt", None), ("INI-001", date(2025, 2, 1), "Bewilligt", None),
    ("INI-001", date(2025, 9, 1), "In Umsetzung", "Start des Probebetriebs"),
    ("INI-002", date(2025, 1, 10), "Idee", None), ("INI-002", date(2025, 3, 1), "In Beratung", None),
    ("INI-002", date(2025, 6, 1), "Beantragt", None), ("INI-002", date(2026, 3, 15), "Bewilligt", "Bescheid"),
    ("INI-003", date(2023, 11, 1), "Idee", None), ("INI-003", date(2024, 1, 15), "In Vorbereitung", None),
    ("INI-003", date(2024, 3, 20), "Bewilligt", None), ("INI-003", date(2024, 4, 1), "In Umsetzung", None),
    ("INI-003", date(2025, 12, 15), "Abgeschlossen", "Abschlussbericht"),
    ("INI-004", date(2025, 10, 1), "Idee", None), ("INI-004", date(2025, 12, 1), "In Beratung", None),
    ("INI-004", date(2026, 5, 20), "Beantragt", None),
    ("INI-005", date(2026, 6, 1), "Idee", None),
    ("INI-006", date(2025, 2, 1), "Idee", None), ("INI-006", date(2025, 11, 10), "In Beratung", None),
    ("INI-007", date(2024, 2, 1), "Idee", None), ("INI-007", date(2024, 6, 1), "Beantragt", None),
    ("INI-007", date(2024, 10, 1), "Bewilligt", None), ("INI-007", date(2025, 1, 15), "In Umsetzung", None),
    ("INI-008", date(2023, 5, 1), "Idee", None), ("INI-008", date(2023, 9, 1), "In Beratung", None),
    ("INI-008", date(2024, 12, 1), "Ruht", "Keine Ärztin gefunden"),
    ("INI-009", date(2024, 9, 1), "Idee", None), ("INI-009", date(2025, 8, 20), "Verworfen", "Kein Betreiber"),
    ("INI-010", date(2026, 2, 1), "Idee", None), ("INI-010", date(2026, 4, 15), "In Vorbereitung", None),
    ("INI-011", date(2026, 6, 15), "Idee", None),
]

#: (initiative_id, title, due_date, done_date) in order per initiative.
MILESTONES: list[tuple] = [
    ("INI-001", "Fahrzeug beschafft", date(2025, 8, 1), date(2025, 7, 20)),
    ("INI-001", "Fahrplan veröffentlicht", date(2025, 10, 1), date(2025, 10, 20)),
    ("INI-001", "Evaluation Probebetrieb", date(2026, 6, 30), None),
    ("INI-002", "Förderbescheid", date(2026, 3, 31), date(2026, 3, 15)),
    ("INI-002", "Eröffnung", date(2026, 10, 1), None),
    ("INI-003", "Bänke aufgestellt", date(2024, 9, 30), date(2024, 9, 15)),
    ("INI-003", "Abschlussbericht", date(2025, 12, 31), date(2025, 12, 10)),
    ("INI-004", "Antrag eingereicht", date(2026, 5, 31), date(2026, 5, 20)),
    ("INI-004", "Förderbescheid", date(2026, 9, 30), None),
    ("INI-007", "Marktplatz online", date(2025, 6, 30), date(2025, 6, 28)),
    ("INI-007", "Erste Sammelbestellung ausgeliefert", date(2026, 2, 28), date(2026, 3, 10)),
    ("INI-007", "Zehn Erzeuger gewonnen", date(2026, 3, 31), None),
    ("INI-008", "Praxisräume gefunden", date(2024, 6, 30), None),
    ("INI-009", "Machbarkeitsstudie", date(2025, 10, 31), None),
    ("INI-010", "Konzept", date(2026, 7, 31), None),
]

#: (initiative_id, name, indicator_id, unit, baseline, target, target_year, actual, as_of)
KPIS: list[tuple] = [
    ("INI-001", "Fahrgäste pro Monat", None, "Fahrgäste", 0.0, 400.0, 2026, 420.0, date(2026, 6, 1)),
    ("INI-001", "Bediente Haltestellen", None, "Anzahl", 0.0, 12.0, 2026, 9.0, date(2026, 6, 1)),
    ("INI-002", "Öffnungsstunden pro Woche", None, "Stunden", 0.0, 40.0, 2027, None, None),
    ("INI-003", "Aufgestellte Mitfahrbänke", None, "Anzahl", 0.0, 30.0, 2025, 30.0, date(2025, 12, 10)),
    ("INI-004", "Neue Radwege", None, "km", 0.0, 45.0, 2028, 0.0, date(2026, 5, 20)),
    # names an indicator of the catalogue (column Kennzahl = indicator id), no unit of its own
    ("INI-004", "overnight_stays", "overnight_stays", None, 480000.0, 520000.0, 2028, 497000.0, date(2026, 5, 31)),
    ("INI-007", "Beteiligte Erzeuger", None, "Anzahl", 4.0, 10.0, 2026, 6.0, date(2026, 6, 1)),
    ("INI-008", "Wartezeit auf Hausarzttermin", None, "Tage", 60.0, 30.0, 2026, 25.0, date(2026, 5, 1)),
]

#: Coordination rounds: date, format, results, organisations, initiatives.
ROUNDS: list[dict] = [
    dict(date=date(2025, 9, 10), format="Vor Ort", results="Rufbus startet im September.",
         organisations=["Landratsamt Görlitz", "Gemeinde Boxberg/O.L.", "Perspektive Boxberg e. V."],
         initiatives=["INI-001", "INI-002"]),
    dict(date=date(2026, 2, 20), format="Online", results="Antrag für die Radroute wird eingereicht.",
         organisations=["Landratsamt Görlitz", "Tourismusverband Oberlausitz", "Stadt Görlitz", "Stadt Zittau"],
         initiatives=["INI-004"]),
    dict(date=date(2026, 5, 5), format="Fachrunde Daseinsvorsorge", results="Praxissuche wird neu ausgeschrieben.",
         organisations=["Landratsamt Görlitz", "Stadt Niesky", "Hochschule Zittau/Görlitz"],
         initiatives=["INI-008", "INI-010", "INI-002"]),
]

#: validation_issue rows (warnings of the build).
VALIDATION_ISSUES: list[dict] = [
    dict(severity="warning", file="initiativen_beispiel.xlsx", sheet="Meilensteine", row=13, col="Erledigt am",
         value=None, message="Meilenstein überfällig: Praxisräume gefunden (fällig 30.06.2024)", expected=None),
    dict(severity="warning", file="initiativen_beispiel.xlsx", sheet="Initiativen", row=7, col="Förderprogramm(e)",
         value=None, message="Optionales Feld leer: Förderprogramm(e)", expected="Name eines Förderprogramms"),
    dict(severity="warning", file="statistik_beispiel.csv", sheet=None, row=42, col="value", value=".",
         message="Wert geheim gehalten (Boxberg/O.L., 2021)", expected=None),
]

#: data_test rows: test name, description, failing rows, sample.
DATA_TESTS: list[dict] = [
    dict(test_name="initiative_id_unique", description="Jede Initiative-ID kommt genau einmal vor.",
         failing_rows=0, sample=None),
    dict(test_name="milestone_initiative_exists", description="Jeder Meilenstein gehört zu einer Initiative.",
         failing_rows=0, sample=None),
    dict(test_name="kpi_has_actual", description="Jede Kennzahl hat einen Istwert.", failing_rows=1,
         sample="INI-002 Öffnungsstunden pro Woche"),
]

ETL_RUN = dict(run_id=RUN_ID, started_at=datetime(2026, 7, 1, 7, 59, 50), finished_at=datetime(2026, 7, 1, 8, 0, 0),
               duration_s=10.0, status="ok", source_dir="tests/fixture", warnings=len(VALIDATION_ISSUES), errors=0,
               message="Aufbau erfolgreich")


# ---------------------------------------------------------------- helpers tests use
def status_dates(initiative_id: str) -> list[tuple[date, str]]:
    """The status history of one initiative as (date, status), in order."""
    return [(d, s) for i, d, s, _ in STATUS_HISTORY if i == initiative_id]


def last_activity(initiative_id: str, today: date = FIXTURE_TODAY) -> date:
    """The later of the last status change and the last milestone done by ``today`` of one initiative."""
    done = [m[3] for m in MILESTONES if m[0] == initiative_id and m[3] is not None and m[3] <= today]
    return max([status_dates(initiative_id)[-1][0], *done])


def initiatives_where(*, date_from: date = DEFAULT_FROM, date_to: date = DEFAULT_TO, themes=(), municipalities=(),
                      statuses=()) -> list[dict]:
    """Initiatives matching the sidebar filters, computed in Python (an independent check of the SQL).

    Period rule: the initiative existed by ``date_to`` (first status date) and was not closed
    (Abgeschlossen/Verworfen) before ``date_from``.
    """
    out = []
    for ini in INITIATIVES:
        hist = status_dates(ini["initiative_id"])
        first, (last_date, last_status) = hist[0][0], hist[-1]
        if first > date_to:
            continue
        if last_status in ("Abgeschlossen", "Verworfen") and last_date < date_from:
            continue
        if themes and ini["theme"] not in themes:
            continue
        if statuses and ini["status"] not in statuses:
            continue
        if municipalities and not set(ini["municipalities"]) & set(municipalities):
            continue
        out.append(ini)
    return out


def overdue_milestones(today: date = FIXTURE_TODAY, ids=None) -> list[tuple]:
    """Milestones open and past due on ``today`` of initiatives not Verworfen (optionally only ``ids``)."""
    return [m for m in MILESTONES if m[3] is None and m[2] < today
            and INITIATIVE[m[0]]["status"] != "Verworfen" and (ids is None or m[0] in ids)]


# ---------------------------------------------------------------- build
def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    sql = f"insert into {table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})"
    con.executemany(sql, [[r[c] for c in cols] for r in rows])


_INITIATIVE_COLS = ("initiative_id", "title", "summary", "theme", "districtwide", "lead_organisation", "origin",
                    "status", "start_date", "end_planned", "total_cost_eur", "funding_granted_eur",
                    "own_funds_eur", "contact_name", "contact_email", "contact_phone", "is_public", "lat", "lon")
_INDICATOR_DEFAULTS = dict(source="Beispielstatistik (synthetisch)", licence="CC0-1.0", source_file=None,
                           source_statistic=None, source_variable=None, source_dims=None)


def build_fixture_db(path: Path) -> None:
    """Create the fixture database at ``path`` (replacing a file there): schema + the lists above + the marts
    (``etl/marts``)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        _insert(con, "meta", [{"key": k, "value": v} for k, v in META.items()])
        _insert(con, "theme", [dict(theme_id=t.theme_id, name_de=t.name_de, name_en=t.name_en, colour=t.colour,
                                    sort=n) for n, t in enumerate(vocab.INDICATOR_THEMES, 1)])
        _insert(con, "status", [dict(status=s, rank=vocab.STATUS_RANK[s], on_track=s in vocab.STATUS_LINE)
                                for s in vocab.STATUSES])
        _insert(con, "region", REGIONS)
        _insert(con, "municipality", MUNICIPALITIES)
        _insert(con, "source", SOURCES)
        _insert(con, "indicator", [{**_INDICATOR_DEFAULTS, **ind} for ind in INDICATORS])
        inherit_series_breaks(con)  # as the ETL does after loading the catalogue
        _insert(con, "indicator_value", VALUES)
        _insert(con, "initiative", [
            {**{c: ini[c] for c in _INITIATIVE_COLS}, "as_of": STAND, "source_row": n}
            for n, ini in enumerate(INITIATIVES, 2)])
        _insert(con, "initiative_theme", [
            dict(initiative_id=i["initiative_id"], theme=t, is_primary=(t == i["theme"]))
            for i in INITIATIVES for t in [i["theme"], *i["themes"]]])
        _insert(con, "initiative_municipality", [dict(initiative_id=i["initiative_id"], ags=a)
                                                 for i in INITIATIVES for a in i["municipalities"]])
        _insert(con, "initiative_programme", [dict(initiative_id=i["initiative_id"], programme=p)
                                              for i in INITIATIVES for p in i["programmes"]])
        _insert(con, "initiative_organisation", [
            dict(initiative_id=i["initiative_id"], organisation=o, role=r)
            for i in INITIATIVES
            for o, r in [(i["lead_organisation"], "Träger"), *((p, "Partner") for p in i["partners"])]])
        seq: dict[str, int] = {}

        def _next(key: str) -> int:
            seq[key] = seq.get(key, 0) + 1
            return seq[key]

        _insert(con, "status_history", [dict(initiative_id=i, date=d, status=s, note=n, seq=_next("h" + i))
                                        for i, d, s, n in STATUS_HISTORY])
        _insert(con, "milestone", [dict(initiative_id=i, seq=_next("m" + i), title=t, due_date=due, done_date=done)
                                   for i, t, due, done in MILESTONES])
        _insert(con, "kpi", [dict(initiative_id=i, seq=_next("k" + i), name=n, indicator_id=ind, unit=u,
                                  baseline=b, target=t, target_year=ty, actual=a, as_of=asof)
                             for i, n, ind, u, b, t, ty, a, asof in KPIS])
        _insert(con, "coordination_round", [dict(round_id=n, date=r["date"], format=r["format"], results=r["results"])
                                            for n, r in enumerate(ROUNDS, 1)])
        _insert(con, "coordination_round_organisation", [dict(round_id=n, organisation=o)
                                                         for n, r in enumerate(ROUNDS, 1) for o in r["organisations"]])
        _insert(con, "coordination_round_initiative", [dict(round_id=n, initiative_id=i)
                                                       for n, r in enumerate(ROUNDS, 1) for i in r["initiatives"]])
        _insert(con, "validation_issue", [{"run_id": RUN_ID, **v} for v in VALIDATION_ISSUES])
        _insert(con, "data_test", [{"run_id": RUN_ID, **t} for t in DATA_TESTS])
        _insert(con, "etl_run", [{
            **ETL_RUN,
            "files": json.dumps([{"name": s["file_name"], "size_bytes": s["size_bytes"], "sha256": s["sha256"]}
                                 for s in SOURCES]),
            "row_counts": json.dumps({"initiative": len(INITIATIVES), "indicator_value": len(VALUES)}),
            "data_tests": json.dumps({t["test_name"]: t["failing_rows"] for t in DATA_TESTS}),
        }])
        build_marts(con)  # the tables the app reads, as the ETL builds them
    finally:
        con.close()


if __name__ == "__main__":  # python -m tests.fixture_db out.duckdb
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/regionalmonitor_fixture.duckdb")
    build_fixture_db(target)
    print(target)


# ---------------------------------------------------------------- Germany (a variant of the fixture)
#: Germany as the third benchmark, for tests on a fixture variant (``conftest.fixture_variant``): the region (named
#: otherwise than the label the app gives it, 'Deutschland') and values for ``GERMANY_INDICATORS`` only — none for
#: the other indicators, where nothing may be shown for Germany.
GERMANY_KEY, GERMANY_REGION_NAME = "DG", "Bundesrepublik Deutschland"
GERMANY_INDICATORS = ("population", "stop_distance")
GERMANY_FACTOR = {"population": 20.5, "stop_distance": 0.8}  # Germany's value = Saxony's of the year times this
#: An indicator of a theme with Germany's values (not demography), and a file indicator of another theme without.
WITH_GERMANY = next(i for i in INDICATORS if i["indicator_id"] in GERMANY_INDICATORS and i["theme"] != "demography")
WITHOUT_GERMANY = next(i for i in INDICATORS if i["indicator_id"] not in GERMANY_INDICATORS
                       and i["method"] == "file" and i["theme"] != WITH_GERMANY["theme"])


def germany_values() -> list[dict]:
    """Germany's rows: Saxony's values of ``GERMANY_INDICATORS`` scaled by ``GERMANY_FACTOR`` (NULLs stay NULL)."""
    return [{**v, "region_key": GERMANY_KEY,
             "value": None if v["value"] is None else round(v["value"] * GERMANY_FACTOR[v["indicator_id"]])}
            for v in VALUES if v["region_key"] == STATE_KEY and v["indicator_id"] in GERMANY_INDICATORS]


def germany_statements() -> list[tuple[str, tuple]]:
    """SQL (statement, parameters) that add Germany to a copy of the fixture database."""
    rows = [("insert into region values (?, ?, 'bund', null)", (GERMANY_KEY, GERMANY_REGION_NAME))]
    rows += [("insert into indicator_value values (?, ?, ?, ?, ?, ?, ?)",
              (v["indicator_id"], v["region_key"], v["period"], v["year"], v["value"], v["flag"], v["source_id"]))
             for v in germany_values()]
    return rows
