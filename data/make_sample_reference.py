"""Writes the municipality reference and the benchmark regions of the sample (data/sample/gemeinden.csv,
data/sample/gebiete.csv) from the verified facts in data/reference/goerlitz_municipalities.csv.

Only facts are used here (keys, names, kind, grouping, population 31.12.2024, area, coordinates); the two
Sorbian names and the central places are those named in MISSION.md. Run: python data/make_sample_reference.py
"""
from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "data" / "reference" / "goerlitz_municipalities.csv"
OUT = ROOT / "data" / "sample"

SORBIAN = {"14626060": "Hamor", "14626600": "Běła Woda"}
CENTRAL = {"14626110": "Oberzentrum", "14626290": "Mittelzentrum", "14626370": "Mittelzentrum",
           "14626600": "Mittelzentrum", "14626610": "Mittelzentrum"}
SOURCE = "Statistisches Bundesamt, Gemeindeverzeichnis GV-ISys (Stand 31.12.2024); Koordinaten: Gemeindemittelpunkt"

FIELDS = ["ags", "name", "name_sorbian", "kind", "association", "population", "population_date", "area_km2",
          "lat", "lon", "central_place", "valid_from", "valid_to", "source"]


def main() -> None:
    with FACTS.open(encoding="utf-8", newline="") as fh:
        facts = list(csv.DictReader(fh))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "gemeinden.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS, delimiter=";", lineterminator="\n")
        w.writeheader()
        for f in facts:
            w.writerow({
                "ags": f["ags"], "name": f["name"], "name_sorbian": SORBIAN.get(f["ags"], ""),
                "kind": f["kind"], "association": f["verwaltungsverband_or_vg"],
                "population": f["population"], "population_date": f["population_date"],
                "area_km2": f["area_km2"], "lat": f["lat"], "lon": f["lon"],
                "central_place": CENTRAL.get(f["ags"], ""), "valid_from": "", "valid_to": "", "source": SOURCE,
            })
    with (OUT / "gebiete.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["region_key", "name", "level", "parent_key"])
        w.writerow(["14626", "Landkreis Görlitz", "kreis", "14"])
        w.writerow(["14", "Sachsen", "land", "DG"])
        w.writerow(["DG", "Deutschland", "bund", ""])
    print(f"{len(facts)} Gemeinden, Einwohner {sum(int(f['population']) for f in facts):,}")


if __name__ == "__main__":
    main()
