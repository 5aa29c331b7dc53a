"""Generate a synthetic national-scale source folder for the ETL benchmark.

Default size: 16 Länder, 400 districts, 10,800 municipalities × 15 years × 40 indicators ≈ 6.5 M values as
GENESIS flat files (ffcsv, UTF-8 with BOM, `;`, decimal comma), plus a portfolio workbook of 5,000
initiatives, the municipality reference, regions, catalogue and provenance manifest. Everything is
synthetic (keys and names are invented). The bulk rows are written by DuckDB's COPY, so generating
takes seconds, not minutes.

    python bench/generate_national.py [--out bench/data/national] [--municipalities 10800] [--years 15]
        [--indicators 40] [--initiatives 5000]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
FF_HEADER = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
             "1_variable_attribute_code;1_variable_attribute_label;2_variable_code;2_variable_label;"
             "2_variable_attribute_code;2_variable_attribute_label;value;value_unit;value_variable_code;"
             "value_variable_label")
PER_FILE = 5  # indicators per statistics file
THEMES = ["mobility", "supply", "tourism", "value_chains", "demography"]
STATUSES = ["Idee", "In Beratung", "In Vorbereitung", "Beantragt", "Bewilligt", "In Umsetzung", "Abgeschlossen",
            "Ruht", "Verworfen"]
THEME_DE = {"mobility": "Mobilität", "supply": "Daseinsvorsorge & Nahversorgung", "tourism": "Tourismus",
            "value_chains": "Regionale Wertschöpfung"}


def municipality_keys(n: int) -> list[tuple[str, str, str]]:
    """(ags, district key, land key) for n municipalities spread over 16 Länder and n/27 districts."""
    districts = max(1, round(n / 27))
    out = []
    for i in range(n):
        d = i % districts
        land = f"{d % 16 + 1:02d}"
        district = f"{land}{d // 16:03d}"
        out.append((f"{district}{i // districts + 1:03d}", district, land))
    return out


def write_reference(out: Path, keys: list[tuple[str, str, str]], rng: random.Random) -> None:
    with (out / "gemeinden.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["ags", "name", "kind", "population", "population_date", "area_km2", "lat", "lon"])
        for ags, _, _ in keys:
            w.writerow([ags, f"Gemeinde {ags}", rng.choice(["Stadt", "Gemeinde"]), rng.randint(300, 60000),
                        "2024-12-31", round(rng.uniform(5, 250), 2), round(rng.uniform(47.5, 54.8), 4),
                        round(rng.uniform(6.0, 14.9), 4)])
    with (out / "gebiete.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["region_key", "name", "level", "parent_key"])
        for district in sorted({k[1] for k in keys}):
            w.writerow([district, f"Landkreis {district}", "kreis", district[:2]])
        for land in sorted({k[2] for k in keys}):
            w.writerow([land, f"Land {land}", "land", "DG"])
        w.writerow(["DG", "Deutschland", "bund", ""])


def write_statistics(out: Path, n_muni: int, years: int, indicators: int, keys_csv: Path) -> list[str]:
    """One ffcsv file per PER_FILE indicators, rows written by DuckDB."""
    stat_dir = out / "statistik"
    stat_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"create table m as select ags, row_number() over () as i from read_csv('{keys_csv}', delim=';', "
                "header=true, all_varchar=true)")
    files = []
    first_year = 2024 - years + 1
    for f in range(0, indicators, PER_FILE):
        stat = f"{99000 + f // PER_FILE}"
        name = f"statistik/{stat}_national_ffcsv.csv"
        body = out / (name + ".body")
        con.execute(f"""
            copy (
              select '{stat}', 'Synthetische Statistik {stat}', 'JAHR', 'Jahr', y::varchar,
                     'GEMEIN', 'Gemeinden', m.ags, 'Gemeinde ' || m.ags,
                     'GES', 'Geschlecht', '', 'Insgesamt',
                     case when (m.i * 7 + y + v) % 997 = 0 then '.'
                          when (m.i * 3 + y + v) % 1499 = 0 then '-'
                          else replace(printf('%.1f', 50 + ((m.i * 31 + y * 17 + v * 13) % 1000) / 10.0), '.', ',')
                     end,
                     'Anzahl', 'V' || lpad(v::varchar, 3, '0'), 'Merkmal ' || v
              from m, range({first_year}, 2025) t(y), range({f}, {min(f + PER_FILE, indicators)}) s(v)
              order by v, m.i, y
            ) to '{body}' (delimiter ';', header false, quote '')
        """)
        target = out / name
        with target.open("wb") as dst, body.open("rb") as src:
            dst.write(b"\xef\xbb\xbf" + FF_HEADER.encode() + b"\n")
            shutil.copyfileobj(src, dst, 1 << 22)
        body.unlink()
        files.append(name)
    return files


def write_catalogue(out: Path, indicators: int) -> None:
    with (out / "indikatoren.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["indicator_id", "name_de", "name_en", "theme", "unit", "higher_is_better", "decimals", "source",
                    "licence", "definition", "method", "source_file", "source_statistic", "source_variable",
                    "source_dims", "formula", "series_break"])
        for v in range(indicators):
            stat = f"{99000 + v // PER_FILE}"
            w.writerow([f"ind_{v:03d}", f"Indikator {v}", f"Indicator {v}", THEMES[v % len(THEMES)], "Anzahl",
                        "ja", 1, "Synthetisch (Benchmark)", "dl-de/by-2-0", "Synthetischer Benchmark-Indikator",
                        "file", "", stat, f"V{v:03d}", "", "", ""])


def write_portfolio(out: Path, keys: list[tuple[str, str, str]], n: int, rng: random.Random) -> str:
    from openpyxl import Workbook

    (out / "portfolio").mkdir(exist_ok=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Initiativen")
    ws.append(["ID", "Titel", "Kurzbeschreibung", "Thema", "Weitere Themen", "Gemeinden", "Träger", "Partner",
               "Herkunft", "Status", "Beginn", "Ende geplant", "Gesamtkosten €", "Fördermittel bewilligt €",
               "Eigenmittel €", "Förderprogramm(e)", "Ansprechperson", "E-Mail", "Telefon", "Öffentlich",
               "Breitengrad", "Längengrad", "Stand"])
    ms = wb.create_sheet("Meilensteine")
    ms.append(["Initiative-ID", "Meilenstein", "Fällig am", "Erledigt am"])
    sh = wb.create_sheet("Statusverlauf")
    sh.append(["Initiative-ID", "Datum", "Status", "Notiz"])
    kp = wb.create_sheet("Kennzahlen")
    kp.append(["Initiative-ID", "Kennzahl", "Einheit", "Ausgangswert", "Zielwert", "Zieljahr", "Istwert", "Stand"])
    ar = wb.create_sheet("Abstimmungsrunden")
    ar.append(["Datum", "Format", "Teilnehmende Organisationen", "Initiativen (IDs)", "Ergebnisse"])
    for i in range(1, n + 1):
        iid = f"B-{i:05d}"
        status_idx = rng.randrange(len(STATUSES))
        start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1500))
        cost = rng.randrange(10, 2000) * 1000
        ws.append([iid, f"Vorhaben {i}", "Synthetisches Benchmark-Vorhaben", THEME_DE[THEMES[i % 4]], "",
                   ", ".join(rng.choice(keys)[0] for _ in range(rng.randint(1, 3))), f"Träger {i % 700}",
                   f"Partner {i % 311}; Partner {i % 97}", "Gemeinde", STATUSES[status_idx], start,
                   start + dt.timedelta(days=rng.randrange(200, 1500)), cost, cost // 2, cost // 4, "LEADER",
                   "Erika Muster", "erika.muster@example.org", "+49 000 000000", "ja", None, None,
                   dt.date(2026, 6, 30)])
        for k in range(1, 3):
            ms.append([iid, f"Meilenstein {k}", start + dt.timedelta(days=120 * k),
                       start + dt.timedelta(days=120 * k + 5) if k == 1 else None])
        for k in range(min(status_idx, 6) + 1):
            sh.append([iid, start + dt.timedelta(days=40 * k), STATUSES[k], None])
        kp.append([iid, "Teilnehmende", "Personen", 0, 100, 2026, rng.randrange(120), dt.date(2026, 6, 30)])
    for r in range(1, n // 20 + 1):
        ar.append([dt.date(2022, 1, 1) + dt.timedelta(days=r % 1400), "Abstimmungsrunde",
                   f"Träger {r % 700}; Partner {r % 311}", f"B-{r:05d}, B-{(r * 7) % n + 1:05d}", "Ergebnis"])
    name = "portfolio/Portfolio_national.xlsx"
    wb.save(out / name)
    return name


def write_manifest(out: Path, files: list[str]) -> None:
    with (out / "quellen.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["datei", "titel", "herkunft", "stichtag", "lizenz", "synthetisch", "namensnennung", "hinweis"])
        for name in files:
            w.writerow([name, f"Benchmark {name}", "Synthetisch erzeugt (bench/generate_national.py)", "2024-12-31",
                        "dl-de/by-2-0", "ja", "", "nur für Messungen"])


def generate(out: Path, n_muni: int = 10800, years: int = 15, indicators: int = 40, initiatives: int = 5000,
             seed: int = 7) -> dict:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    keys = municipality_keys(n_muni)
    write_reference(out, keys, rng)
    stat_files = write_statistics(out, n_muni, years, indicators, out / "gemeinden.csv")
    write_catalogue(out, indicators)
    portfolio = write_portfolio(out, keys, initiatives, rng) if initiatives else None
    files = ["gemeinden.csv", "gebiete.csv", "indikatoren.csv", "quellen.csv", *stat_files]
    write_manifest(out, files + ([portfolio] if portfolio else []))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"out": str(out), "municipalities": n_muni, "values": n_muni * years * indicators,
            "statistics_files": [str(out / f) for f in stat_files], "bytes": size,
            "seconds": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "data" / "national")
    ap.add_argument("--municipalities", type=int, default=10800)
    ap.add_argument("--years", type=int, default=15)
    ap.add_argument("--indicators", type=int, default=40)
    ap.add_argument("--initiatives", type=int, default=5000)
    a = ap.parse_args()
    info = generate(a.out, a.municipalities, a.years, a.indicators, a.initiatives)
    print(f"{info['values']:,} Werte, {info['bytes'] / 1e6:,.0f} MB in {info['seconds']:.1f} s -> {info['out']}")


if __name__ == "__main__":
    main()
