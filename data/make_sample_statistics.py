"""Generate the sample statistics exports (data/sample/statistik/*) and the indicator catalogue.

Deterministic: a fixed seed, no clock, no set iteration; running it again writes byte-identical files.

    .venv/bin/python data/make_sample_statistics.py [--reference PATH] [--out data/sample]

Facts used: the 53 municipalities of the Landkreis Görlitz with their official population on 31.12.2024
(2022-census basis, sum 243,958) from ``goerlitz_municipalities.csv``, and Görlitz city 56,694 on
31.12.2023 (2011-census basis). Everything else is synthetic but plausible and consistent: the district
is the sum of its municipalities where a figure is additive (a population-weighted mean otherwise),
Saxony (14) and Germany (DG) are benchmarks of the right size.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
from pathlib import Path

SEED = 14626
YEARS = list(range(2015, 2025))
HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = Path(__file__).resolve().parent / "reference" / "goerlitz_municipalities.csv"
DISTRICT = ("14626", "Görlitz, Landkreis")
SAXONY = ("14", "Sachsen")
GERMANY = ("DG", "Deutschland")
BOM = "\ufeff"

FFCSV_HEAD = ["statistics_code", "statistics_label", "time_code", "time_label", "time"]
FFCSV_TAIL = ["value", "value_unit", "value_variable_code", "value_variable_label"]

# Places with real tourism weight in the district (establishments with 10+ beds); others are small.
TOURISM_MAJOR = {"14626110": 5.0, "14626610": 2.2, "14626210": 9.0, "14626430": 9.5, "14626010": 4.5,
                 "14626400": 2.0, "14626140": 2.2, "14626060": 2.4, "14626180": 1.6, "14626250": 1.5,
                 "14626600": 0.9, "14626290": 0.8, "14626420": 1.8, "14626050": 3.0, "14626245": 0.9,
                 "14626490": 1.2, "14626460": 1.4, "14626370": 0.7, "14626085": 0.6}
# Municipalities with 1–2 establishments: figures kept secret ('.')
TOURISM_SECRET = ["14626170", "14626020", "14626580", "14626440", "14626570", "14626320", "14626560",
                  "14626190"]
CENTRES = {"14626110": "Oberzentrum", "14626290": "Mittelzentrum", "14626370": "Mittelzentrum",
           "14626600": "Mittelzentrum", "14626610": "Mittelzentrum"}


# ---------------------------------------------------------------------------------------- helpers
def read_municipalities(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows.sort(key=lambda r: r["ags"])
    assert len(rows) == 53 and sum(int(r["population"]) for r in rows) == 243958, "reference changed"
    return rows


def de(x: float, decimals: int) -> str:
    """Number with decimal comma, no thousands separator."""
    return f"{x:.{decimals}f}".replace(".", ",") if decimals else str(int(round(x)))


def write(path: Path, text: str, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


def table_text(rows: list[list[str]], line_end: str = "\r\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quotechar='"', lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return buf.getvalue()


def muni_label(m: dict) -> str:
    return f"{m['name']}, Stadt" if m["kind"] == "Stadt" else m["name"]


# ---------------------------------------------------------------------------------------- the model
class Model:
    """All synthetic series, computed once from the seed."""

    def __init__(self, munis: list[dict]):
        self.rng = random.Random(SEED)
        self.munis = munis
        self.keys = [m["ags"] for m in munis]
        self.pop = self._population()
        self.age = self._age_groups()

    # --- population: 2024 official (2022 census); 2015–2023 on the 2011-census basis
    def _population(self) -> dict[str, dict[int, int]]:
        rng = self.rng
        out: dict[str, dict[int, int]] = {}
        for m in self.munis:
            p24 = int(m["population"])
            if m["ags"] == "14626110":
                p23 = 56694  # fact: Görlitz on 31.12.2023 (2011 basis)
            else:
                factor = min(0.045, max(0.004, rng.gauss(0.021, 0.009)))
                p23 = round(p24 * (1 + factor) * (1 + rng.gauss(-0.006, 0.003)))
            series = {2024: p24, 2023: p23}
            growth = rng.gauss(-0.009, 0.004)
            for y in range(2022, 2014, -1):
                bump = 0.006 if y + 1 in (2015, 2022) else 0.0  # refugee years soften the decline
                series[y] = round(series[y + 1] / (1 + growth + bump + rng.gauss(0, 0.0025)))
            out[m["ags"]] = series
        out[DISTRICT[0]] = {y: sum(out[k][y] for k in self.keys) for y in YEARS}
        sax = {2024: 4041583, 2023: 4086152}
        for y in range(2022, 2014, -1):
            sax[y] = round(sax[y + 1] / (1 + (0.004 if y + 1 == 2022 else -0.0012)))
        de_ = {2024: 83577140, 2023: 84669326}
        for y in range(2022, 2014, -1):
            de_[y] = round(de_[y + 1] / (1 + (0.013 if y + 1 in (2015, 2022) else 0.0025)))
        out[SAXONY[0]] = sax
        out[GERMANY[0]] = de_
        return out

    def _age_groups(self) -> dict[str, dict[int, tuple[int, int]]]:
        """(under 18, 65 and over) per region and year."""
        rng = self.rng
        out: dict[str, dict[int, tuple[int, int]]] = {}
        for k in self.keys:
            u0 = rng.uniform(0.125, 0.165)
            o0 = rng.uniform(0.27, 0.34)
            d_o = rng.uniform(0.0025, 0.0045)
            series = {}
            for y in YEARS:
                t = y - 2015
                u = u0 + 0.0012 * min(t, 6) - 0.0006 * max(0, t - 6)
                o = o0 + d_o * t
                p = self.pop[k][y]
                series[y] = (round(p * u), round(p * o))
            out[k] = series
        out[DISTRICT[0]] = {y: (sum(out[k][y][0] for k in self.keys), sum(out[k][y][1] for k in self.keys))
                            for y in YEARS}
        for key, u0, o0, d in ((SAXONY[0], 0.150, 0.262, 0.0022), (GERMANY[0], 0.162, 0.212, 0.0025)):
            out[key] = {y: (round(self.pop[key][y] * (u0 + 0.0008 * min(y - 2015, 6))),
                            round(self.pop[key][y] * (o0 + d * (y - 2015)))) for y in YEARS}
        return out


# ---------------------------------------------------------------------------------------- files
def ffcsv(rows: list[dict], blocks: int, quality: bool = False) -> str:
    """GENESIS flat file, current English header; rows hold the cells by name."""
    head = list(FFCSV_HEAD)
    for n in range(1, blocks + 1):
        head += [f"{n}_variable_code", f"{n}_variable_label", f"{n}_variable_attribute_code",
                 f"{n}_variable_attribute_label"]
    head += FFCSV_TAIL + (["value_q"] if quality else [])
    return table_text([head] + [[r.get(h, "") for h in head] for r in rows], line_end="\n")


def region_block(n: int, key: str, name: str) -> dict:
    code, label = {2: ("DLAND", "Bundesländer"), 5: ("KREISE", "Kreise und kreisfreie Städte"),
                   8: ("GEMEIN", "Gemeinden")}.get(len(key), ("DINSG", "Deutschland"))
    return {f"{n}_variable_code": code, f"{n}_variable_label": label,
            f"{n}_variable_attribute_code": key, f"{n}_variable_attribute_label": name}


def regions(model: Model, with_germany: bool = True) -> list[tuple[str, str]]:
    out = [(m["ags"], muni_label(m)) for m in model.munis] + [DISTRICT, SAXONY]
    return out + ([GERMANY] if with_germany else [])


def file_population(model: Model) -> str:
    """12411 with three variable blocks: region, sex (total only), age group (total, <18, 65+)."""
    rows = []
    for y in YEARS:
        for key, name in regions(model):
            total = model.pop[key][y]
            under, over = model.age[key][y]
            for code, label, value in (("", "Insgesamt", total), ("ALT000B18", "unter 18 Jahre", under),
                                       ("ALT065UM", "65 Jahre und mehr", over)):
                r = {"statistics_code": "12411", "statistics_label": "Fortschreibung des Bevölkerungsstandes",
                     "time_code": "STAG", "time_label": "Stichtag", "time": f"{y}-12-31",
                     "2_variable_code": "GES", "2_variable_label": "Geschlecht",
                     "2_variable_attribute_code": "", "2_variable_attribute_label": "Insgesamt",
                     "3_variable_code": "ALTX20", "3_variable_label": "Altersgruppen (unter 18, 65 u. m.)",
                     "3_variable_attribute_code": code, "3_variable_attribute_label": label,
                     "value": str(value), "value_unit": "Anzahl", "value_variable_code": "BEVSTD",
                     "value_variable_label": "Bevölkerungsstand"}
                r.update(region_block(1, key, name))
                rows.append(r)
    return BOM + ffcsv(rows, 3)


def file_employees(model: Model) -> str:
    """13111 at the place of work (30.06.), one region block, value_q 'p' for the newest year."""
    rng = random.Random(SEED + 1)
    rows = []
    data: dict[str, dict[int, int]] = {}
    for m in model.munis:
        k = m["ags"]
        ratio = {"Oberzentrum": 0.42, "Mittelzentrum": 0.38}.get(CENTRES.get(k, ""), rng.uniform(0.12, 0.30))
        if k == "14626060":
            ratio = 0.36  # power station Boxberg
        trend = rng.gauss(0.004, 0.006)
        data[k] = {y: round(model.pop[k][min(y, 2023)] * ratio * (1 + trend) ** (y - 2015)) for y in YEARS}
    data[DISTRICT[0]] = {y: sum(data[k][y] for k in model.keys) for y in YEARS}
    data[SAXONY[0]] = {y: round(1_560_000 * 1.006 ** (y - 2015)) for y in YEARS}
    data[GERMANY[0]] = {y: round(30_800_000 * 1.012 ** (y - 2015)) for y in YEARS}
    for y in YEARS:
        for key, name in regions(model):
            r = {"statistics_code": "13111", "statistics_label": "Statistik der sozialversicherungspflichtig "
                                                                 "Beschäftigten",
                 "time_code": "STAG", "time_label": "Stichtag", "time": f"{y}-06-30",
                 "value": str(data[key][y]), "value_unit": "Anzahl", "value_variable_code": "ERW032",
                 "value_variable_label": "Sozialversicherungspflichtig Beschäftigte am Arbeitsort",
                 "value_q": "p" if y == 2024 else ""}
            r.update(region_block(1, key, name))
            rows.append(r)
    return BOM + ffcsv(rows, 1, quality=True)


def file_businesses(model: Model) -> str:
    """52111 business register: businesses, of which craft businesses (second block UNTHWK)."""
    rng = random.Random(SEED + 2)
    rows = []
    data: dict[str, dict[int, tuple[int, int]]] = {}
    for m in model.munis:
        k = m["ags"]
        per_1000 = rng.uniform(38, 55)
        craft_share = rng.uniform(0.24, 0.36)
        trend = rng.gauss(-0.006, 0.004)
        series = {}
        for y in YEARS:
            b = round(model.pop[k][min(y, 2023)] / 1000 * per_1000 * (1 + trend) ** (y - 2015))
            series[y] = (b, round(b * (craft_share - 0.002 * (y - 2015))))
        data[k] = series
    data[DISTRICT[0]] = {y: (sum(data[k][y][0] for k in model.keys), sum(data[k][y][1] for k in model.keys))
                         for y in YEARS}
    data[SAXONY[0]] = {y: (round(152_000 * 0.996 ** (y - 2015)), round(44_000 * 0.99 ** (y - 2015)))
                       for y in YEARS}
    for y in YEARS:
        for key, name in regions(model, with_germany=False):
            for code, label, idx in (("", "Insgesamt", 0), ("HWK", "Handwerksbetriebe", 1)):
                r = {"statistics_code": "52111", "statistics_label": "Statistisches Unternehmensregister",
                     "time_code": "STAG", "time_label": "Stichtag", "time": f"{y}-12-31",
                     "2_variable_code": "UNTHWK", "2_variable_label": "Handwerkseigenschaft",
                     "2_variable_attribute_code": code, "2_variable_attribute_label": label,
                     "value": str(data[key][y][idx]), "value_unit": "Anzahl", "value_variable_code": "UNT003",
                     "value_variable_label": "Niederlassungen"}
                r.update(region_block(1, key, name))
                rows.append(r)
    return BOM + ffcsv(rows, 2)


def file_registrations(model: Model) -> str:
    """52311 trade registrations per year; the newest year is not yet available ('...')."""
    rng = random.Random(SEED + 3)
    rows = []
    data: dict[str, dict[int, int]] = {}
    for m in model.munis:
        k = m["ags"]
        rate = rng.uniform(4.5, 8.0)
        data[k] = {y: max(0, round(model.pop[k][min(y, 2023)] / 1000 * rate * rng.uniform(0.85, 1.15)))
                   for y in YEARS}
    data[DISTRICT[0]] = {y: sum(data[k][y] for k in model.keys) for y in YEARS}
    data[SAXONY[0]] = {y: round(27_500 * rng.uniform(0.93, 1.05)) for y in YEARS}
    for y in YEARS:
        for key, name in regions(model, with_germany=False):
            r = {"statistics_code": "52311", "statistics_label": "Gewerbeanzeigenstatistik",
                 "time_code": "JAHR", "time_label": "Jahr", "time": str(y),
                 "2_variable_code": "GEWAN1", "2_variable_label": "Art der Gewerbeanzeige",
                 "2_variable_attribute_code": "GEWAN-01", "2_variable_attribute_label": "Gewerbeanmeldungen",
                 "value": "..." if y == 2024 else str(data[key][y]), "value_unit": "Anzahl",
                 "value_variable_code": "GEW001", "value_variable_label": "Gewerbeanzeigen"}
            r.update(region_block(1, key, name))
            rows.append(r)
    return BOM + ffcsv(rows, 2)


def file_cars(model: Model) -> str:
    """46251 vehicle stock in the older German flat-file layout: dates 31.12.2022, two value columns."""
    rng = random.Random(SEED + 4)
    head = ["Statistik_Code", "Statistik_Label", "Zeit_Code", "Zeit_Label", "Zeit", "1_Merkmal_Code",
            "1_Merkmal_Label", "1_Auspraegung_Code", "1_Auspraegung_Label",
            "PKW001__Personenkraftwagen__Anzahl", "KFZ001__Kraftfahrzeuge insgesamt__Anzahl"]
    data: dict[str, dict[int, tuple[int, int]]] = {}
    for m in model.munis:
        k = m["ags"]
        per_1000 = rng.uniform(560, 640) if k not in CENTRES else rng.uniform(470, 530)
        series = {}
        for y in YEARS:
            cars = round(model.pop[k][y] / 1000 * (per_1000 + 4.0 * (y - 2015)))
            series[y] = (cars, round(cars * rng.uniform(1.17, 1.24)))
        data[k] = series
    data[DISTRICT[0]] = {y: (sum(data[k][y][0] for k in model.keys), sum(data[k][y][1] for k in model.keys))
                         for y in YEARS}
    data[SAXONY[0]] = {y: (round(model.pop["14"][y] / 1000 * (528 + 3.5 * (y - 2015))),
                           round(model.pop["14"][y] / 1000 * (640 + 4.0 * (y - 2015)))) for y in YEARS}
    rows = [head]
    for y in YEARS:
        for key, name in regions(model, with_germany=False):
            blk = region_block(1, key, name)
            rows.append(["46251", "Kraftfahrzeugbestand", "STAG", "Stichtag", f"31.12.{y}",
                         blk["1_variable_code"], blk["1_variable_label"], key, name,
                         str(data[key][y][0]), str(data[key][y][1])])
    return table_text(rows, line_end="\n")


def kompetenzstelle_data(model: Model) -> dict[str, dict[int, tuple[int, int]]]:
    """(direct marketers, GPs) per municipality and the district, 2019–2024."""
    rng = random.Random(SEED + 5)
    data: dict[str, dict[int, tuple[int, int]]] = {}
    for m in model.munis:
        k = m["ags"]
        p = int(m["population"])
        base_dm = max(0, round(p / 1000 * rng.uniform(0.15, 0.6) + rng.uniform(-0.5, 1.5)))
        gp_rate = rng.uniform(4.2, 7.2) if p > 1500 else rng.uniform(0.0, 4.0)
        series = {}
        for y in range(2019, 2025):
            dm = (base_dm + (1 if y >= 2022 and rng.random() < 0.35 else 0)
                  + (1 if y >= 2024 and rng.random() < 0.2 else 0))
            gp = max(0, round(model.pop[k][y] / 10000 * gp_rate * (1 - 0.012 * (y - 2019))))
            series[y] = (dm, gp)
        data[k] = series
    data[DISTRICT[0]] = {y: (sum(data[k][y][0] for k in model.keys), sum(data[k][y][1] for k in model.keys))
                         for y in range(2019, 2025)}
    return data


def file_kompetenzstelle(model: Model) -> str:
    """Erhebung der Kompetenzstelle (synthetic): direct marketers and GPs per municipality, 2019–2024."""
    data = kompetenzstelle_data(model)
    rows = []
    for y in range(2019, 2025):
        for key, name in regions(model, with_germany=False)[:-1]:  # no Saxony: the survey covers the district
            for code, label, idx in (("DIRVM", "Direktvermarkter (Betriebe)", 0),
                                     ("HAUSARZT", "Hausärztinnen und Hausärzte (Personen)", 1)):
                r = {"statistics_code": "KST01", "statistics_label": "Erhebung der Kompetenzstelle Landkreis Görlitz",
                     "time_code": "STAG", "time_label": "Stichtag", "time": f"{y}-12-31",
                     "value": str(data[key][y][idx]), "value_unit": "Anzahl", "value_variable_code": code,
                     "value_variable_label": label}
                r.update(region_block(1, key, name))
                rows.append(r)
    return ffcsv(rows, 1)


def file_migration(model: Model) -> str:
    """GENESIS table CSV (Windows-1252): migration across municipal boundaries, year in the first column."""
    rng = random.Random(SEED + 6)
    data: dict[str, dict[int, tuple[int, int]]] = {}
    for k in model.keys:
        series = {}
        for y in YEARS:
            p = model.pop[k][min(y, 2023)]
            inflow = round(p * rng.uniform(0.035, 0.055) * (1.25 if y in (2015, 2022) else 1.0))
            net_rate = rng.gauss(-0.002, 0.004) + (0.006 if y in (2015, 2022) else 0.0)
            series[y] = (inflow, max(0, round(inflow - p * net_rate)))
        data[k] = series
    rows = [["GENESIS-Tabelle: 12711-01-03-5", "", "", "", "", ""],
            ["Wanderungen über die Gemeindegrenzen: Zu- und Fortzüge – Jahressumme – regionale Tiefe: "
             "Gemeinden", "", "", "", "", ""],
            ["Wanderungsstatistik", "", "", "", "", ""],
            ["Zu- und Fortzüge (über die Gemeindegrenzen) (Anzahl)", "", "", "", "", ""],
            ["", "", "", "Wanderungen über die Gemeindegrenzen", "", ""],
            ["", "", "", "Zuzüge", "Fortzüge", "Wanderungssaldo"],
            ["", "", "", "Anzahl", "Anzahl", "Anzahl"]]
    for y in YEARS:
        s_in = sum(data[k][y][0] for k in model.keys)
        s_out = sum(data[k][y][1] for k in model.keys)
        net = s_in - s_out
        d_in = round(s_in * 0.62)  # moves within the district cancel at district level
        sax_in = round(model.pop["14"][y] * 0.021 * (1.3 if y in (2015, 2022) else 1.0))
        sax_out = round(sax_in - model.pop["14"][y] * (0.005 if y in (2015, 2022) else 0.0008))
        rows.append([str(y), "14", "Sachsen", str(sax_in), str(sax_out), str(sax_in - sax_out)])
        rows.append([str(y), "14626", "  Görlitz, Landkreis", str(d_in), str(d_in - net), str(net)])
        for m in model.munis:
            i, o = data[m["ags"]][y]
            rows.append([str(y), m["ags"], "      " + muni_label(m), str(i), str(o), str(i - o)])
    rows += [["__________", "", "", "", "", ""],
             ["„Wanderungssaldo“: Zuzüge minus Fortzüge. Der Kreiswert zählt nur Wanderungen über die "
              "Kreisgrenze.", "", "", "", "", ""],
             ["Gebietsstand: 01.01.2025", "", "", "", "", ""],
             ["© Statistisches Landesamt des Freistaates Sachsen, Kamenz, 2025 (Beispieldaten, synthetisch)",
              "", "", "", "", ""],
             ["Stand: 27.06.2025 / 09:41:07", "", "", "", "", ""]]
    return table_text(rows)


def tourism_data(model: Model) -> dict[str, dict[int, tuple]]:
    """(establishments, beds, arrivals, overnight stays) per municipality; secret/zero kinds marked."""
    rng = random.Random(SEED + 7)
    covid = {2020: 0.55, 2021: 0.62, 2022: 0.9}
    data: dict[str, dict[int, tuple]] = {}
    for m in model.munis:
        k = m["ags"]
        p = int(m["population"])
        if k in TOURISM_MAJOR:
            beds0 = p * TOURISM_MAJOR[k] * 1.6 / 100 * rng.uniform(0.8, 1.2) + 40
            stay = rng.uniform(2.1, 3.4)
            util = rng.uniform(0.28, 0.40)
        elif k in TOURISM_SECRET:
            beds0 = rng.uniform(14, 40)
            stay = rng.uniform(1.8, 2.8)
            util = rng.uniform(0.15, 0.25)
        else:
            data[k] = {y: (0, 0, 0, 0) for y in YEARS}
            continue
        series = {}
        for y in YEARS:
            beds = round(beds0 * (1 + 0.008 * (y - 2015)))
            est = max(1, round(beds / 38)) if k in TOURISM_MAJOR else rng.choice((1, 2))
            nights = round(beds * 365 * util * covid.get(y, 1.0) * rng.uniform(0.95, 1.05))
            arrivals = round(nights / stay)
            series[y] = (est, beds, arrivals, nights)
        data[k] = series
    return data


def file_tourism(model: Model) -> str:
    """GENESIS table CSV (ISO-8859-15): years as column groups, '.' secret, '-' none, one '(…)'."""
    data = tourism_data(model)
    labels = ["Geöffnete Beherbergungsbetriebe", "Angebotene Gästebetten", "Gästeankünfte", "Gästeübernachtungen"]
    width = 2 + len(YEARS) * len(labels)
    pad = [""] * (width - 1)
    rows = [["GENESIS-Tabelle: 45412-01-03-5"] + pad,
            ["Beherbergungsbetriebe, Gästebetten, Gästeankünfte, Gästeübernachtungen - Jahressumme - "
             "regionale Tiefe: Gemeinden"] + pad,
            ["Monatserhebung im Tourismus"] + pad,
            ["", ""] + [str(y) for y in YEARS for _ in labels],
            ["", ""] + labels * len(YEARS),
            ["", ""] + ["Anzahl"] * (len(YEARS) * len(labels))]
    sax = {y: (round(2050 * (1 - 0.006 * (y - 2015))), round(128_000 * (1 + 0.004 * (y - 2015))),
               round(8_100_000 * {2020: 0.55, 2021: 0.6, 2022: 0.88}.get(y, 1.0) * (1 + 0.01 * (y - 2015))),
               round(20_400_000 * {2020: 0.58, 2021: 0.63, 2022: 0.9}.get(y, 1.0) * (1 + 0.01 * (y - 2015))))
           for y in YEARS}
    district = {y: tuple(sum(data[k][y][i] for k in model.keys) for i in range(4)) for y in YEARS}
    rows.append(["14", "Sachsen"] + [str(v) for y in YEARS for v in sax[y]])
    rows.append(["14626", "  Görlitz, Landkreis"] + [str(v) for y in YEARS for v in district[y]])
    for m in model.munis:
        k = m["ags"]
        cells = []
        for y in YEARS:
            vals = data[k][y]
            if k in TOURISM_SECRET:
                cells += ["."] * 4
            elif vals == (0, 0, 0, 0):
                cells += ["-"] * 4
            else:
                cells += [str(v) for v in vals]
        if k == "14626460":  # Rietschen 2020: arrivals of limited reliability
            idx = (2020 - YEARS[0]) * 4 + 2
            cells[idx] = f"({cells[idx]})"
        rows.append([k, "      " + muni_label(m)] + cells)
    rows += [["__________"] + pad,
             ["Beherbergungsbetriebe mit 10 und mehr Gästebetten (einschließlich Campingplätze); Übernachtungs"
              "preise in € werden nicht erhoben."] + pad,
             ["Gebietsstand: 01.01.2025"] + pad,
             ["© Statistisches Landesamt des Freistaates Sachsen, Kamenz, 2025 (Beispieldaten, synthetisch)"] + pad,
             ["Stand: 14.03.2025 / 08:15:52"] + pad]
    return table_text(rows)


INKAR_INDICATORS = [
    # Kuerzel, Indikator, Bereich, level (per municipality generator), years
    ("q_oev_20abf", "Bevölkerung im Umkreis einer Haltestelle mit mind. 20 Abfahrten am Tag (%)",
     "Erreichbarkeit", [2017, 2019, 2021, 2023]),
    ("q_zeit_mzoz", "Pkw-Fahrzeit zum nächsten Mittel- oder Oberzentrum (Minuten)", "Erreichbarkeit",
     [2016, 2018, 2020, 2022, 2023]),
    ("q_dist_supermarkt", "Luftliniendistanz zum nächsten Supermarkt/Discounter (m)", "Nahversorgung",
     [2017, 2019, 2021, 2023]),
    ("q_dist_apotheke", "Luftliniendistanz zur nächsten Apotheke (m)", "Nahversorgung", [2017, 2019, 2021, 2023]),
    ("q_dist_grundschule", "Luftliniendistanz zur nächsten Grundschule (m)", "Nahversorgung",
     [2017, 2019, 2021, 2023]),
    ("q_dist_hausarzt", "Luftliniendistanz zum nächsten Hausarzt (m)", "Nahversorgung", [2017, 2019, 2021, 2023]),
    ("q_breitband_100", "Haushalte mit Breitbandversorgung mind. 100 Mbit/s (%)", "Digitale Infrastruktur",
     YEARS),
]


def inkar_data(model: Model) -> dict[str, dict[str, dict[int, float]]]:
    """Per INKAR code, the values per municipality and year (unrounded)."""
    rng = random.Random(SEED + 8)
    out: dict[str, dict[str, dict[int, float]]] = {}
    for code, _label, _area, years in INKAR_INDICATORS:
        per_muni: dict[str, dict[int, float]] = {}
        for m in model.munis:
            k = m["ags"]
            centre = CENTRES.get(k)
            dens = int(m["population"]) / float(m["area_km2"])
            if code == "q_oev_20abf":
                base = 88 if centre else min(80.0, 15 + dens / 4 + rng.uniform(-8, 12))
                val = {y: max(2.0, min(99.0, base + 0.9 * (y - 2017) + rng.uniform(-1.5, 1.5))) for y in years}
            elif code == "q_zeit_mzoz":
                base = 4.0 if centre else rng.uniform(8, 26)
                val = {y: max(2.0, base + rng.uniform(-0.4, 0.4)) for y in years}
            elif code == "q_breitband_100":
                start = rng.uniform(4, 30) if not centre else rng.uniform(35, 55)
                slope = rng.uniform(4.0, 7.5)
                val = {y: min(99.5, start + (y - 2015) * slope * rng.uniform(0.9, 1.1)) for y in years}
            else:
                scale = {"q_dist_supermarkt": 1400, "q_dist_apotheke": 2200, "q_dist_grundschule": 1900,
                         "q_dist_hausarzt": 1800}[code]
                base = scale * (0.45 if centre else rng.uniform(0.7, 2.6))
                val = {y: base * (1 + 0.015 * (y - years[0])) * rng.uniform(0.98, 1.02) for y in years}
            per_muni[k] = val
        out[code] = per_muni
    return out


#: Decimals of the INKAR values as written (the others are whole metres).
INKAR_DECIMALS = {"q_oev_20abf": 1, "q_zeit_mzoz": 1, "q_breitband_100": 1}


def file_inkar(model: Model) -> str:
    """INKAR bulk export: municipalities (8-digit AGS), the district padded (14626000), Saxony, Germany."""
    lines = [["Bereich", "ID", "Kuerzel", "Indikator", "Raumbezug", "Kennziffer", "Name", "Zeitbezug", "Wert"]]
    weights = {m["ags"]: int(m["population"]) for m in model.munis}
    total_w = sum(weights.values())
    data = inkar_data(model)
    for idx, (code, label, area, years) in enumerate(INKAR_INDICATORS, start=1):
        per_muni = data[code]
        for y in years:
            district = sum(per_muni[k][y] * weights[k] for k in model.keys) / total_w
            sax = {"q_oev_20abf": 74.0, "q_zeit_mzoz": 10.8, "q_breitband_100": 35 + 5.5 * (y - 2015),
                   "q_dist_supermarkt": 1450.0, "q_dist_apotheke": 1900.0, "q_dist_grundschule": 1600.0,
                   "q_dist_hausarzt": 1550.0}[code]
            bund = {"q_oev_20abf": 79.0, "q_zeit_mzoz": 9.6, "q_breitband_100": 42 + 5.2 * (y - 2015),
                    "q_dist_supermarkt": 1150.0, "q_dist_apotheke": 1500.0, "q_dist_grundschule": 1300.0,
                    "q_dist_hausarzt": 1250.0}[code]
            dec = INKAR_DECIMALS.get(code, 0)
            if code == "q_breitband_100":
                sax, bund = min(sax, 97.5), min(bund, 98.0)
            base_row = [area, str(idx), code, label]
            lines.append(base_row + ["Bund", "00000000", "Deutschland", str(y), de(bund, dec)])
            lines.append(base_row + ["Länder", "14000000", "Sachsen", str(y), de(sax, dec)])
            lines.append(base_row + ["Kreise", "14626000", "Görlitz", str(y), de(district, dec)])
            for m in model.munis:
                lines.append(base_row + ["Gemeinden", m["ags"], m["name"], str(y), de(per_muni[m["ags"]][y], dec)])
    return table_text(lines, line_end="\r\n")


# ---------------------------------------------------------------------------------------- for the portfolio
def latest_municipal_values(model: Model) -> dict[str, dict[str, float | None]]:
    """For the indicators the sample's KPIs name: each municipality's latest value as the ETL loads it
    (None when withheld); the sample portfolio derives its KPI values from these."""
    tourism, survey, inkar = tourism_data(model), kompetenzstelle_data(model), inkar_data(model)
    last = YEARS[-1]

    def stays(k: str, idx: int) -> float | None:
        return None if k in TOURISM_SECRET else float(tourism[k][last][idx])

    oev_year = max(INKAR_INDICATORS[0][3])
    return {
        "population": {k: float(model.pop[k][last]) for k in model.keys},
        "stop_20dep_share": {k: float(de(inkar["q_oev_20abf"][k][oev_year], 1).replace(",", "."))
                             for k in model.keys},
        "beds": {k: stays(k, 1) for k in model.keys},
        "overnight_stays": {k: stays(k, 3) for k in model.keys},
        "direct_marketers": {k: float(survey[k][2024][0]) for k in model.keys},
    }


# ---------------------------------------------------------------------------------------- catalogue
SRC_SL = "Statistisches Landesamt Sachsen"
SYN = "(Beispieldaten, synthetisch)"
BREAK = "2024-12-31|Ab 31.12.2024 auf Basis des Zensus 2022"
LIC = "dl-de/by-2-0"

CATALOGUE = [
    # id, de, en, theme, unit, hib, dec, source, definition, method, file, stat, var, dims, formula, break
    ("population", "Einwohnerinnen und Einwohner", "Population", "demography", "Personen", "", 0,
     f"{SRC_SL}, GENESIS 12411 {SYN}", "Bevölkerungsstand am 31.12.; bis 31.12.2023 fortgeschrieben auf Basis "
     "des Zensus 2011, ab 31.12.2024 auf Basis des Zensus 2022. Wert 31.12.2024 amtlich, frühere Jahre synthetisch.",
     "file", "12411_bevoelkerung_altersgruppen.csv", "12411", "BEVSTD", "", "", BREAK),
    ("population_under18", "Einwohner unter 18 Jahren", "Population under 18", "demography", "Personen", "", 0,
     f"{SRC_SL}, GENESIS 12411 {SYN}", "Bevölkerung unter 18 Jahren am 31.12. (Code der Altersgruppe "
     "ALT000B18 illustrativ).", "file", "12411_bevoelkerung_altersgruppen.csv", "12411", "BEVSTD",
     "ALTX20=ALT000B18", "", BREAK),
    ("population_65plus", "Einwohner ab 65 Jahren", "Population aged 65 and over", "demography", "Personen", "", 0,
     f"{SRC_SL}, GENESIS 12411 {SYN}", "Bevölkerung von 65 Jahren und mehr am 31.12. (Code der Altersgruppe "
     "ALT065UM illustrativ).", "file", "12411_bevoelkerung_altersgruppen.csv", "12411", "BEVSTD",
     "ALTX20=ALT065UM", "", BREAK),
    ("share_under18", "Anteil unter 18-Jährige", "Share of population under 18", "demography", "%", "ja", 1,
     f"berechnet aus {SRC_SL}, GENESIS 12411 {SYN}", "Einwohner unter 18 Jahren je 100 Einwohner.", "formula",
     "", "", "", "", "{population_under18} / {population} * 100", ""),
    ("share_65plus", "Anteil ab 65-Jährige", "Share of population aged 65+", "demography", "%", "", 1,
     f"berechnet aus {SRC_SL}, GENESIS 12411 {SYN}", "Einwohner ab 65 Jahren je 100 Einwohner.", "formula",
     "", "", "", "", "{population_65plus} / {population} * 100", ""),
    ("population_change", "Bevölkerungsentwicklung zum Vorjahr", "Population change on previous year",
     "demography", "%", "ja", 1, f"berechnet aus {SRC_SL}, GENESIS 12411 {SYN}",
     "Veränderung des Bevölkerungsstands gegenüber dem 31.12. des Vorjahres in Prozent; über den Zensusbruch "
     "2024 hinweg nicht berechnet.", "formula", "", "", "", "", "change_pct({population})", ""),
    ("net_migration", "Wanderungssaldo", "Net migration", "demography", "Personen", "ja", 0,
     f"{SRC_SL}, GENESIS-Tabelle 12711-01-03-5 {SYN}", "Zuzüge minus Fortzüge über die Gemeindegrenzen im "
     "Kalenderjahr (Tabellencode illustrativ).", "file", "12711-01-03-5_wanderungen.csv", "12711-01-03-5",
     "Wanderungen über die Gemeindegrenzen - Wanderungssaldo", "", "", ""),
    ("net_migration_per_1000", "Wanderungssaldo je 1.000 Einwohner", "Net migration per 1,000 inhabitants",
     "demography", "je 1.000 EW", "ja", 1, f"berechnet aus {SRC_SL}, GENESIS 12711 und 12411 {SYN}",
     "Wanderungssaldo des Jahres je 1.000 Einwohner am 31.12.", "formula", "", "", "", "",
     "{net_migration} / {population} * 1000", ""),
    # mobility
    ("stop_20dep_share", "Bevölkerung nahe Haltestelle mit 20+ Abfahrten", "Population near a stop with 20+ "
     "departures a day", "mobility", "%", "ja", 1, f"BBSR, INKAR {SYN}",
     "Anteil der Einwohner im Umkreis (1 km Luftlinie) einer ÖV-Haltestelle mit mindestens 20 Abfahrten am "
     "Werktag (INKAR-Kürzel illustrativ).", "file", "inkar_erreichbarkeit.csv", "INKAR", "q_oev_20abf", "", "", ""),
    ("car_time_centre", "Pkw-Fahrzeit zum nächsten Mittel-/Oberzentrum", "Car travel time to the next "
     "middle/higher-order centre", "mobility", "Minuten", "nein", 1, f"BBSR, INKAR {SYN}",
     "Bevölkerungsgewichtete Pkw-Fahrzeit zum nächsten Mittel- oder Oberzentrum in Minuten (INKAR-Kürzel "
     "illustrativ).", "file", "inkar_erreichbarkeit.csv", "INKAR", "q_zeit_mzoz", "", "", ""),
    ("cars", "Pkw-Bestand", "Passenger cars", "mobility", "Anzahl", "", 0, f"Kraftfahrt-Bundesamt, GENESIS 46251 "
     f"{SYN}", "Zugelassene Personenkraftwagen zum Jahresende (Merkmalscode illustrativ).", "file",
     "46251_kfz_bestand.csv", "46251", "PKW001", "", "", ""),
    ("cars_per_1000", "Pkw je 1.000 Einwohner", "Cars per 1,000 inhabitants", "mobility", "je 1.000 EW", "", 0,
     f"berechnet aus Kraftfahrt-Bundesamt (46251) und {SRC_SL} (12411) {SYN}",
     "Pkw-Bestand je 1.000 Einwohner; ein hoher Wert zeigt Abhängigkeit vom Auto.", "formula", "", "", "", "",
     "{cars} / {population} * 1000", ""),
    # supply
    ("dist_supermarket", "Entfernung zum nächsten Supermarkt", "Distance to the next supermarket", "supply", "m",
     "nein", 0, f"BBSR, INKAR {SYN}", "Bevölkerungsgewichtete Luftliniendistanz zum nächsten Supermarkt oder "
     "Discounter in Metern (INKAR-Kürzel illustrativ).", "file", "inkar_erreichbarkeit.csv", "INKAR",
     "q_dist_supermarkt", "", "", ""),
    ("dist_pharmacy", "Entfernung zur nächsten Apotheke", "Distance to the next pharmacy", "supply", "m", "nein", 0,
     f"BBSR, INKAR {SYN}", "Bevölkerungsgewichtete Luftliniendistanz zur nächsten Apotheke in Metern "
     "(INKAR-Kürzel illustrativ).", "file", "inkar_erreichbarkeit.csv", "INKAR", "q_dist_apotheke", "", "", ""),
    ("dist_primary_school", "Entfernung zur nächsten Grundschule", "Distance to the next primary school", "supply",
     "m", "nein", 0, f"BBSR, INKAR {SYN}", "Bevölkerungsgewichtete Luftliniendistanz zur nächsten Grundschule in "
     "Metern (INKAR-Kürzel illustrativ).", "file", "inkar_erreichbarkeit.csv", "INKAR", "q_dist_grundschule", "",
     "", ""),
    ("dist_gp", "Entfernung zur nächsten Hausarztpraxis", "Distance to the next GP practice", "supply", "m", "nein",
     0, f"BBSR, INKAR {SYN}", "Bevölkerungsgewichtete Luftliniendistanz zur nächsten Hausarztpraxis in Metern "
     "(INKAR-Kürzel illustrativ).", "file", "inkar_erreichbarkeit.csv", "INKAR", "q_dist_hausarzt", "", "", ""),
    ("gp_count", "Hausärztinnen und Hausärzte", "General practitioners", "supply", "Personen", "ja", 0,
     f"Erhebung der Kompetenzstelle Landkreis Görlitz {SYN}", "Tätige Hausärztinnen und Hausärzte am 31.12. "
     "(Zusammenstellung der Kompetenzstelle; Code KST01 eigener Code).", "file",
     "kompetenzstelle_erhebung.csv", "KST01", "HAUSARZT", "", "", ""),
    ("gps_per_10000", "Hausärzte je 10.000 Einwohner", "GPs per 10,000 inhabitants", "supply", "je 10.000 EW",
     "ja", 1, f"berechnet aus Erhebung der Kompetenzstelle und {SRC_SL} (12411) {SYN}",
     "Hausärztinnen und Hausärzte je 10.000 Einwohner.", "formula", "", "", "", "",
     "{gp_count} / {population} * 10000", ""),
    ("broadband_100", "Haushalte mit mind. 100 Mbit/s", "Households with 100 Mbit/s or more", "supply", "%", "ja",
     1, f"BBSR, INKAR (Breitbandatlas) {SYN}", "Anteil der Haushalte, für die Breitband mit mindestens "
     "100 Mbit/s verfügbar ist (INKAR-Kürzel illustrativ).", "file", "inkar_erreichbarkeit.csv", "INKAR",
     "q_breitband_100", "", "", ""),
    # tourism
    ("beds", "Angebotene Gästebetten", "Guest beds offered", "tourism", "Anzahl", "ja", 0,
     f"{SRC_SL}, GENESIS-Tabelle 45412-01-03-5 {SYN}", "Angebotene Gästebetten in Betrieben mit 10 und mehr "
     "Betten, Jahreswert (Tabellencode illustrativ); kleine Gemeinden geheim gehalten.", "file",
     "45412-01-03-5_tourismus.csv", "45412-01-03-5", "Angebotene Gästebetten", "", "", ""),
    ("arrivals", "Gästeankünfte", "Guest arrivals", "tourism", "Anzahl", "ja", 0,
     f"{SRC_SL}, GENESIS-Tabelle 45412-01-03-5 {SYN}", "Ankünfte von Gästen in Beherbergungsbetrieben mit 10 "
     "und mehr Betten im Kalenderjahr (Tabellencode illustrativ).", "file", "45412-01-03-5_tourismus.csv",
     "45412-01-03-5", "Gästeankünfte", "", "", ""),
    ("overnight_stays", "Gästeübernachtungen", "Overnight stays", "tourism", "Anzahl", "ja", 0,
     f"{SRC_SL}, GENESIS-Tabelle 45412-01-03-5 {SYN}", "Übernachtungen von Gästen in Beherbergungsbetrieben "
     "mit 10 und mehr Betten im Kalenderjahr (Tabellencode illustrativ).", "file", "45412-01-03-5_tourismus.csv",
     "45412-01-03-5", "Gästeübernachtungen", "", "", ""),
    ("stays_per_inhabitant", "Übernachtungen je Einwohner", "Overnight stays per inhabitant", "tourism",
     "je EW", "ja", 1, f"berechnet aus {SRC_SL} (45412, 12411) {SYN}",
     "Gästeübernachtungen des Jahres je Einwohner am 31.12. (Tourismusintensität).", "formula", "", "", "", "",
     "{overnight_stays} / {population}", ""),
    ("avg_stay", "Durchschnittliche Aufenthaltsdauer", "Average length of stay", "tourism", "Tage", "ja", 1,
     f"berechnet aus {SRC_SL} (45412) {SYN}", "Gästeübernachtungen je Gästeankunft.", "formula", "", "", "", "",
     "{overnight_stays} / {arrivals}", ""),
    # value chains
    ("employees_workplace", "Sozialversicherungspflichtig Beschäftigte am Arbeitsort", "Employees subject to "
     "social insurance at place of work", "value_chains", "Personen", "ja", 0,
     f"Bundesagentur für Arbeit über {SRC_SL}, GENESIS 13111 {SYN}", "Sozialversicherungspflichtig "
     "Beschäftigte am Arbeitsort am 30.06. (Merkmalscode illustrativ); 2024 vorläufig.", "file",
     "13111_sv_beschaeftigte_arbeitsort.csv", "13111", "ERW032", "", "", ""),
    ("businesses", "Niederlassungen", "Business establishments", "value_chains", "Anzahl", "ja", 0,
     f"{SRC_SL}, Unternehmensregister 52111 {SYN}", "Niederlassungen mit steuerbarem Umsatz oder "
     "sozialversicherungspflichtig Beschäftigten am 31.12. (Merkmalscodes illustrativ).", "file",
     "52111_unternehmensregister.csv", "52111", "UNT003", "", "", ""),
    ("craft_businesses", "Handwerksbetriebe", "Craft businesses", "value_chains", "Anzahl", "ja", 0,
     f"{SRC_SL}, Unternehmensregister 52111 {SYN}", "Niederlassungen mit Handwerkseigenschaft am 31.12. "
     "(Merkmalscodes illustrativ).", "file", "52111_unternehmensregister.csv", "52111", "UNT003", "UNTHWK=HWK",
     "", ""),
    ("direct_marketers", "Direktvermarkter", "Direct marketers", "value_chains", "Anzahl", "ja", 0,
     f"Erhebung der Kompetenzstelle Landkreis Görlitz {SYN}", "Landwirtschaftliche und handwerkliche Betriebe, "
     "die eigene Erzeugnisse direkt an Endkunden verkaufen (Hofladen, Markt, Abokiste), am 31.12.; eigene "
     "Erhebung der Kompetenzstelle ab 2019.", "file", "kompetenzstelle_erhebung.csv", "KST01", "DIRVM", "", "", ""),
    ("business_registrations", "Gewerbeanmeldungen", "Business registrations", "value_chains", "Anzahl", "ja", 0,
     f"{SRC_SL}, Gewerbeanzeigenstatistik 52311 {SYN}", "Gewerbeanmeldungen im Kalenderjahr (Merkmalscodes "
     "illustrativ); 2024 noch nicht verfügbar.", "file", "52311_gewerbeanzeigen.csv", "52311", "GEW001",
     "GEWAN1=GEWAN-01", "", ""),
]
CAT_COLUMNS = ["indicator_id", "name_de", "name_en", "theme", "unit", "higher_is_better", "decimals", "source",
               "licence", "definition", "method", "source_file", "source_statistic", "source_variable",
               "source_dims", "formula", "series_break"]


def catalogue_text() -> str:
    rows = [CAT_COLUMNS]
    for (iid, name_de, name_en, theme, unit, hib, dec, source, definition, method, sfile, stat, var, dims,
         formula, brk) in CATALOGUE:
        rows.append([iid, name_de, name_en, theme, unit, hib, str(dec), source, LIC, definition, method, sfile,
                     stat, var, dims, formula, brk])
    return table_text(rows, line_end="\n")


#: The README's table of files: (file, format, content).
README_FILES = (
    ("12411_bevoelkerung_altersgruppen.csv", "GENESIS-Flatfile (englischer Kopf), UTF-8 mit BOM, 3 Merkmalsblöcke",
     "Bevölkerung insgesamt, unter 18, ab 65; Gemeinden, Kreis, Sachsen, Deutschland, 2015–2024; "
     "Bruch Zensus 2011 → 2022 ab 31.12.2024"),
    ("13111_sv_beschaeftigte_arbeitsort.csv", "GENESIS-Flatfile mit Qualitätsspalte `value_q`, UTF-8 mit BOM",
     "SV-Beschäftigte am Arbeitsort (30.06.); 2024 vorläufig (`p`)"),
    ("52111_unternehmensregister.csv", "GENESIS-Flatfile, 2 Merkmalsblöcke", "Niederlassungen, davon Handwerk"),
    ("52311_gewerbeanzeigen.csv", "GENESIS-Flatfile, Zeit als Jahr",
     "Gewerbeanmeldungen; 2024 noch nicht verfügbar (`...`)"),
    ("46251_kfz_bestand.csv",
     "GENESIS-Flatfile, älterer deutscher Kopf (`Statistik_Code;…`), Datum `31.12.2022`, zwei Wertspalten",
     "Pkw- und Kfz-Bestand"),
    ("kompetenzstelle_erhebung.csv", "GENESIS-Flatfile (UTF-8 ohne BOM)",
     "eigene Erhebung der Kompetenzstelle: Direktvermarkter, Hausärzte (2019–2024)"),
    ("12711-01-03-5_wanderungen.csv",
     "GENESIS-Tabelle, Windows-1252, Jahr in der ersten Spalte, Gruppen-Kopfzeile, Einheitenzeile, Fußzeilen",
     "Zu-, Fortzüge und Wanderungssaldo"),
    ("45412-01-03-5_tourismus.csv",
     "GENESIS-Tabelle, ISO-8859-15 (Zeichen `€` in der Fußnote), Jahre als Spaltengruppen",
     "Betriebe, Betten, Ankünfte, Übernachtungen; `.` geheim (kleine Gemeinden), `-` nichts vorhanden, "
     "`(…)` eingeschränkt aussagefähig"),
    ("inkar_erreichbarkeit.csv", "INKAR-Export (BBSR), Dezimalkomma, Kreis als `14626000`",
     "Erreichbarkeit (Haltestelle, Zentren, Supermarkt, Apotheke, Grundschule, Hausarzt), Breitband"),
)

README = """# Beispiel-Statistikdateien (Landkreis Görlitz)

Diese Dateien zeigen die drei Exportformate, die die ETL liest. Sie werden von
`data/make_sample_statistics.py` erzeugt (fester Zufallsstartwert, bei jedem Lauf byteidentisch).

**Alle Werte sind synthetisch** (plausibel, aber erfunden) – mit einer Ausnahme: die Einwohnerzahlen der
53 Gemeinden am 31.12.2024 (amtlich, Basis Zensus 2022, Summe 243.958) und Görlitz am 31.12.2023
(56.694, Basis Zensus 2011). Statistik- und Merkmalscodes sind teils nur illustrativ (siehe
`indikatoren.csv`, Spalte *definition*).

| Datei | Format | Inhalt |
| --- | --- | --- |
""" + "".join(f"| `{file}` | {fmt} | {content} |\n" for file, fmt, content in README_FILES) + """
Eine aufgelöste Gemeinde (Zeile nur mit `-`) enthalten die Beispieldateien nicht, weil Schlüssel und Name
einer real aufgelösten Gemeinde des Kreises hier nicht geprüft werden konnten; der Fall ist in den
Testdateien (`tests/fixtures/stats/`) mit einem erkennbar erfundenen Schlüssel abgedeckt.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--out", type=Path, default=HERE / "sample")
    args = ap.parse_args()
    model = Model(read_municipalities(args.reference))
    out = args.out / "statistik"
    write(out / "12411_bevoelkerung_altersgruppen.csv", file_population(model), "utf-8")
    write(out / "13111_sv_beschaeftigte_arbeitsort.csv", file_employees(model), "utf-8")
    write(out / "52111_unternehmensregister.csv", file_businesses(model), "utf-8")
    write(out / "52311_gewerbeanzeigen.csv", file_registrations(model), "utf-8")
    write(out / "46251_kfz_bestand.csv", file_cars(model), "utf-8")
    write(out / "kompetenzstelle_erhebung.csv", file_kompetenzstelle(model), "utf-8")
    write(out / "12711-01-03-5_wanderungen.csv", file_migration(model), "cp1252")
    write(out / "45412-01-03-5_tourismus.csv", file_tourism(model), "iso-8859-15")
    write(out / "inkar_erreichbarkeit.csv", file_inkar(model), "utf-8")
    write(out / "README.md", README, "utf-8")
    write(args.out / "indikatoren.csv", catalogue_text(), "utf-8")
    print(f"geschrieben: {out} und {args.out / 'indikatoren.csv'}")


if __name__ == "__main__":
    main()
