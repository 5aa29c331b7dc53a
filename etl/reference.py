"""Reference files of a source folder: municipalities, benchmark regions, the provenance manifest.

Each reader returns a DataFrame whose columns match ``etl/schema.sql`` plus a list of :class:`Issue`;
user errors never raise (except an unreadable file, which raises :class:`InputError`).

- ``gemeinden.csv``: one row per municipality (AGS, name, kind, population, area, coordinates, validity).
- ``gebiete.csv``: benchmark aggregates (district, Land, Germany) with their level.
- ``quellen.csv``: provenance of every file in the folder (origin, reference date, licence, synthetic).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from etl.issues import InputError, Issue, short

AGS_RE = re.compile(r"^[0-9]{8}\Z")
LEVELS = ("gemeinde", "kreis", "land", "bund", "regbez", "verband")
YES = {"ja", "j", "x", "yes", "true", "1", "wahr"}
NO = {"nein", "n", "no", "false", "0", "falsch", ""}
#: Reference files are read whole; a national municipality list is under 1 MB.
MAX_REFERENCE_BYTES = 64 << 20


def read_text_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a small CSV: UTF-8 (with or without BOM) or Windows-1252, `;` or `,` separated.
    Files above MAX_REFERENCE_BYTES are refused (they are read whole)."""
    size = path.stat().st_size
    if size > MAX_REFERENCE_BYTES:
        raise InputError(Issue("error", f"Die Datei ist mit {size / 2**20:,.0f} MB unplausibel groß für eine "
                                        "Liste dieser Art.".replace(",", "."), file=path.name,
                               expected=f"höchstens {MAX_REFERENCE_BYTES >> 20} MB (Gemeinden, Gebiete, "
                                        "Indikatoren, Quellen)"))
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(Issue("error", "Die Datei ist leer.", file=path.name,
                               expected="eine Kopfzeile und Datenzeilen"))
    if b"\x00" in raw[:4096]:
        raise InputError(Issue("error", "Die Datei ist keine Textdatei (Binärdaten).", file=path.name,
                               expected="CSV-Text in UTF-8"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = list(reader)
    except csv.Error:
        raise InputError(Issue("error", "Die Zeile kann nicht gelesen werden: ein Feld ist länger als 128 KiB "
                                        "oder ein Anführungszeichen ist nicht geschlossen.", file=path.name,
                               row=reader.line_num, expected="CSV-Text mit einer Zeile je Eintrag")) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    header = [h.strip().lower() for h in rows[0]]
    return header, [[c.strip() for c in r] for r in rows[1:]]


def _frame(path: Path, required: list[str], optional: list[str]) -> tuple[pd.DataFrame, list[Issue]]:
    header, rows = read_text_table(path)
    missing = [c for c in required if c not in header]
    if missing:
        return pd.DataFrame(), [Issue("error", f"Pflichtspalte {c!r} fehlt.", file=path.name, row=1, column=c,
                                      expected="Spalten " + ", ".join(required)) for c in missing]
    issues: list[Issue] = []
    width = len(header)
    data = []
    for i, r in enumerate(rows, start=2):
        if len(r) != width:
            issues.append(Issue("error", f"Zeile hat {len(r)} statt {width} Felder.", file=path.name, row=i,
                                expected=f"{width} Felder wie die Kopfzeile"))
            continue
        data.append(dict(zip(header, r), _row=i))
    cols = required + [c for c in optional if c in header]
    df = pd.DataFrame(data, columns=cols + ["_row"], dtype=object)  # object: fast to_dict, no arrow strings
    for c in optional:
        if c not in df.columns:
            df[c] = ""
    return df, issues


def parse_date(text: str) -> dt.date | None:
    """ISO ``2024-12-31`` or German ``31.12.2024``; empty -> None; raises ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
        d, m, y = (int(p) for p in text.split("."))
        return dt.date(y, m, d)
    return dt.date.fromisoformat(text[:10])


def parse_number(text: str) -> float | None:
    """``1234.5``, ``1234,5`` or ``1.234,5`` -> float; empty -> None; raises ValueError otherwise."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return float(text)


def read_municipalities(path: Path) -> tuple[pd.DataFrame, list[Issue]]:
    """``gemeinden.csv`` -> rows of table ``municipality`` and issues."""
    required = ["ags", "name", "kind", "lat", "lon"]
    optional = ["name_sorbian", "association", "population", "population_date", "area_km2", "central_place",
                "valid_from", "valid_to", "source"]
    df, issues = _frame(path, required, optional)
    if df.empty:
        if not issues:
            issues.append(Issue("error", "Keine Gemeinden in der Datei.", file=path.name,
                                expected="mindestens eine Gemeinde"))
        return df, issues
    out = []
    seen: dict[str, int] = {}
    for rec in df.to_dict("records"):
        row = rec["_row"]
        ags = rec["ags"]

        def err(msg: str, col: str, val, expected: str, row=row) -> None:
            issues.append(Issue("error", msg, file=path.name, row=row, column=col, value=short(val),
                                expected=expected))

        if not AGS_RE.match(ags):
            err("Ungültiger Gemeindeschlüssel.", "ags", ags, "8 Ziffern (AGS), z. B. 14626060")
            continue
        if ags in seen:
            err(f"Gemeindeschlüssel doppelt (schon in Zeile {seen[ags]}).", "ags", ags, "eindeutige Schlüssel")
            continue
        seen[ags] = row
        if not rec["name"]:
            err("Name fehlt.", "name", "", "Gemeindename")
        parsed = {}
        for col in ("lat", "lon", "population", "area_km2"):
            try:
                parsed[col] = parse_number(rec[col])
            except ValueError:
                err("Keine Zahl.", col, rec[col], "Zahl mit Dezimalpunkt oder -komma")
                parsed[col] = None
        lat, lon = parsed["lat"], parsed["lon"]
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            err("Koordinaten fehlen oder liegen außerhalb des Wertebereichs.", "lat/lon",
                f"{rec['lat']}/{rec['lon']}", "Breitengrad −90..90 und Längengrad −180..180 (WGS84)")
        if parsed["population"] is not None and parsed["population"] < 0:
            err("Negative Einwohnerzahl.", "population", rec["population"], "Zahl ≥ 0")
        dates = {}
        for col in ("population_date", "valid_from", "valid_to"):
            try:
                dates[col] = parse_date(rec[col])
            except ValueError:
                err("Ungültiges Datum.", col, rec[col], "Datum wie 31.12.2024 oder 2024-12-31")
                dates[col] = None
        out.append({
            "ags": ags, "name": rec["name"], "name_sorbian": rec["name_sorbian"] or None, "kind": rec["kind"],
            "association": rec["association"] or None,
            "population": None if parsed["population"] is None else int(parsed["population"]),
            "population_date": dates["population_date"], "area_km2": parsed["area_km2"], "lat": lat, "lon": lon,
            "central_place": rec["central_place"] or None, "valid_from": dates["valid_from"],
            "valid_to": dates["valid_to"], "source": rec["source"] or None,
        })
    return pd.DataFrame(out), issues


def read_regions(path: Path) -> tuple[pd.DataFrame, list[Issue]]:
    """``gebiete.csv`` -> benchmark regions (region_key, name, level, parent_key) and issues."""
    df, issues = _frame(path, ["region_key", "name", "level"], ["parent_key"])
    out = []
    for rec in df.to_dict("records"):
        if rec["level"] not in LEVELS:
            issues.append(Issue("error", "Unbekannte Gebietsebene.", file=path.name, row=rec["_row"],
                                column="level", value=short(rec["level"]), expected=", ".join(LEVELS)))
            continue
        out.append({"region_key": rec["region_key"], "name": rec["name"], "level": rec["level"],
                    "parent_key": rec["parent_key"] or None})
    if not any(r["level"] == "kreis" for r in out) and not issues:
        issues.append(Issue("error", "Kein Landkreis (Ebene 'kreis') angegeben.", file=path.name,
                            column="level", expected="genau eine Zeile mit Ebene kreis"))
    return pd.DataFrame(out, columns=["region_key", "name", "level", "parent_key"]), issues


MANIFEST_REQUIRED = ["datei", "titel", "herkunft", "stichtag", "lizenz", "synthetisch"]
MANIFEST_OPTIONAL = ["namensnennung", "hinweis"]


def read_manifest(path: Path) -> tuple[dict[str, dict], list[Issue]]:
    """``quellen.csv`` -> {relative file path: provenance dict} and issues."""
    df, issues = _frame(path, MANIFEST_REQUIRED, MANIFEST_OPTIONAL)
    out: dict[str, dict] = {}
    for rec in df.to_dict("records"):
        row = rec["_row"]
        name = rec["datei"].replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            issues.append(Issue("error", "Der Pfad verlässt den Quellordner; Dateien außerhalb werden nicht "
                                         "gelesen.", file=path.name, row=row, column="datei", value=short(name),
                                expected="ein Pfad innerhalb des Quellordners wie statistik/datei.csv"))
            continue
        for col in ("herkunft", "lizenz"):
            if not rec[col]:
                issues.append(Issue("error", "Angabe zur Herkunft fehlt.", file=path.name, row=row, column=col,
                                    expected="Herkunft und Lizenz jeder Quelle"))
        try:
            ref = parse_date(rec["stichtag"])
        except ValueError:
            issues.append(Issue("error", "Ungültiges Datum.", file=path.name, row=row, column="stichtag",
                                value=short(rec["stichtag"]), expected="Datum wie 31.12.2024"))
            ref = None
        synth = rec["synthetisch"].lower()
        if synth not in YES | NO:
            issues.append(Issue("error", "Unklare Angabe.", file=path.name, row=row, column="synthetisch",
                                value=short(rec["synthetisch"]), expected="ja oder nein"))
        out[name] = {"title": rec["titel"] or name, "origin": rec["herkunft"], "reference_date": ref,
                     "licence": rec["lizenz"], "attribution": rec["namensnennung"] or None,
                     "synthetic": synth in YES, "note": rec["hinweis"] or None}
    return out, issues
