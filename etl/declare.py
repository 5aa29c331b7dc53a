"""Declaring a new statistics export without hand-editing ``indikatoren.csv`` / ``quellen.csv`` (issue #17).

Three steps, each usable alone (the app's form in ``monitor/app/updates.py`` builds on them):

1. :func:`describe` reads the file with the ETL's own readers (format detection, encoding, the DuckDB bulk path,
   the GENESIS table parser; ``etl.statistics.load_statistics_file`` as a staged view) and says what it holds:
   statistic codes, value variables with labels and units, further dimensions with their values, periods,
   regions and how many of them the source folder knows. Memory stays bounded: counts and distinct values
   are asked of DuckDB, never collected row by row in Python.
2. :func:`propose` turns every series of the file (statistic × variable × dimension values, exactly what the
   catalogue's ``source_statistic`` / ``source_variable`` / ``source_dims`` select) into a prefilled
   :class:`IndicatorDeclaration`; series the catalogue already loads from this file are marked ``known_as``.
3. :func:`declare` appends the indicator rows to ``indikatoren.csv`` and the source row to ``quellen.csv`` of a
   (workspace) source folder, in each file's own encoding, delimiter, quoting and line ends, after checking
   them with the rules the build runs (``etl.catalogue.read_catalogue``, ``etl.reference.read_manifest``) plus
   the form's own (required fields filled, known licence, the series exists in the file, not declared twice).
   Anything wrong raises :class:`~etl.issues.InputError` with German messages naming the field; nothing is
   written then. It writes only inside the source folder (temporary files there, replaced atomically).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from etl.catalogue import ID_RE, read_catalogue
from etl.issues import InputError, Issue, short
from etl.keys import level_from_hint
from etl.reference import parse_date, read_manifest, read_municipalities, read_regions
from etl.statistics import drop_staged_view, load_statistics_file
from etl.statistics.bulk import _header_cells
from etl.statistics.encoding import transcode
from etl.statistics.staging import sql_literal
from monitor.core import format as fmt
from monitor.core.vocab import THEME_BY_ID

FORMAT_LABELS = {
    "genesis_ffcsv": "GENESIS-Flatfile (ffcsv)",
    "genesis_table": "GENESIS-Tabelle (CSV)",
    "inkar": "INKAR-Export (BBSR)",
}
#: Licences a declaration may name without more ado; those already used in the folder's quellen.csv and
#: indikatoren.csv are accepted too (the office's own conventions, e.g. "intern").
LICENCES = ("dl-de/by-2-0", "dl-de/zero-2-0", "CC BY 4.0", "CC BY-SA 4.0", "CC0 1.0", "GeoNutzV", "intern")
#: German names of the form's fields (catalogue and manifest columns), used in the messages.
FIELD_LABELS = {
    "indicator_id": "Kennung", "name_de": "Name", "name_en": "Name (englisch)", "theme": "Thema",
    "unit": "Einheit", "higher_is_better": "Höher ist besser", "decimals": "Nachkommastellen",
    "source": "Quelle", "licence": "Lizenz", "definition": "Definition", "method": "Methode",
    "source_file": "Datei", "source_statistic": "Statistik", "source_variable": "Merkmal",
    "source_dims": "Dimensionen", "series_break": "Zeitreihenbruch",
    "datei": "Datei", "titel": "Titel", "herkunft": "Herkunft", "stichtag": "Stand", "lizenz": "Lizenz",
    "synthetisch": "Synthetisch", "namensnennung": "Namensnennung", "hinweis": "Hinweis",
}
_CATALOGUE_REQUIRED = ("indicator_id", "name_de", "theme", "unit", "source", "licence", "definition")
_STAGED = "dcl_file"


# ------------------------------------------------------------------ what a file holds

@dataclass(frozen=True)
class Statistic:
    code: str  # 12411, a table code 12411-01-01-5, or INKAR
    label: str


@dataclass(frozen=True)
class Variable:
    """A value variable (GENESIS ``value_variable_code``, a table's column label, an INKAR ``Kuerzel``)."""

    statistic: str
    code: str
    label: str
    unit: str  # as the file writes it ('' when it names none)


@dataclass(frozen=True)
class DimensionValue:
    code: str  # '' for the total ("Insgesamt"): rows without this dimension in ``source_dims``
    label: str


@dataclass(frozen=True)
class Dimension:
    """A further variable of a flat file (e.g. ``ALTX20`` Altersgruppen) with the values found."""

    code: str
    label: str
    values: tuple[DimensionValue, ...]


@dataclass(frozen=True)
class Series:
    """One series of the file: what one catalogue row selects (``source_statistic``, ``source_variable``,
    ``source_dims``)."""

    statistic: str
    variable: str
    dims: str  # 'CODE=ATTR;…' sorted by CODE, '' = none (the ETL's staging rule)
    label: str  # German: the variable's label and the dimension values' labels
    unit: str
    rows: int
    regions: int  # distinct usable region keys
    periods: tuple[dt.date, ...]
    integral: bool  # every value a whole number (proposes 0 decimals)


@dataclass(frozen=True)
class RegionSummary:
    """The file's regions against the source folder (the counts are None without a folder)."""

    keys: int  # distinct usable region keys
    rows_without_key: int  # rows staged without a usable key (e.g. total lines)
    by_level: tuple[tuple[str, int], ...]  # (gemeinde|kreis|land|bund|verband|regbez, keys)
    municipalities: int | None = None  # keys that are municipalities of gemeinden.csv
    municipalities_total: int | None = None  # municipalities in gemeinden.csv
    benchmarks: int | None = None  # keys that are benchmark regions of gebiete.csv
    benchmarks_total: int | None = None
    other: int | None = None  # keys the folder does not know (outside the district, dissolved units)


@dataclass(frozen=True)
class FileDescription:
    """What :func:`describe` found in one statistics export."""

    file_name: str
    format: str  # genesis_ffcsv | genesis_table | inkar
    encoding: str
    title: str | None  # statistics label (flat file) or table title
    stand: dt.date | None  # the table footer's "Stand:" date
    rows: int
    statistics: tuple[Statistic, ...]
    variables: tuple[Variable, ...]
    dimensions: tuple[Dimension, ...]
    series: tuple[Series, ...]
    periods: tuple[dt.date, ...]
    regions: RegionSummary
    warnings: tuple[Issue, ...] = ()

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({p.year for p in self.periods}))

    def summary(self) -> str:
        """One German line for the form, e.g. "GENESIS-Flatfile (ffcsv), Statistik 12411, 1 Merkmal,
        2 Dimensionen, 2015–2024, 56 Gebiete (53 von 53 Gemeinden, 3 Vergleichsgebiete)"."""
        years = self.years
        parts = [self.format_label, "Statistik " + ", ".join(s.code for s in self.statistics),
                 f"{fmt.number(len(self.variables))} Merkmal{'e' if len(self.variables) != 1 else ''}"]
        if self.dimensions:
            parts.append(f"{len(self.dimensions)} Dimension{'en' if len(self.dimensions) != 1 else ''}")
        if years:
            parts.append(f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]))
        r = self.regions
        where = f"{fmt.number(r.keys)} Gebiete"
        if r.municipalities is not None:
            where += (f" ({fmt.number(r.municipalities)} von {fmt.number(r.municipalities_total)} Gemeinden, "
                      f"{fmt.number(r.benchmarks)} Vergleichsgebiete"
                      + (f", {fmt.number(r.other)} weitere" if r.other else "") + ")")
        return ", ".join(parts + [where])


# ------------------------------------------------------------------ what the office declares

@dataclass(frozen=True)
class IndicatorDeclaration:
    """One row of ``indikatoren.csv`` (method ``file``) as the form edits it; field names are the catalogue's
    columns. ``known_as``: the catalogue already loads this series from this file under that id (such a row is
    shown, not written again). ``hint``: German note for the form (e.g. the same series read from another
    file by an existing indicator)."""

    indicator_id: str
    name_de: str
    unit: str
    theme: str = ""
    name_en: str = ""
    higher_is_better: str = ""  # ja | nein | '' (neutral)
    decimals: int | str = 0
    source: str = ""
    licence: str = ""
    definition: str = ""
    source_file: str = ""
    source_statistic: str = ""
    source_variable: str = ""
    source_dims: str = ""
    series_break: str = ""
    known_as: str | None = None
    hint: str = ""

    def row(self) -> dict[str, str]:
        """The catalogue row (all columns as text)."""
        return {
            "indicator_id": self.indicator_id.strip(), "name_de": self.name_de.strip(),
            "name_en": self.name_en.strip(), "theme": self.theme.strip(), "unit": self.unit.strip(),
            "higher_is_better": self.higher_is_better.strip(), "decimals": str(self.decimals).strip(),
            "source": self.source.strip(), "licence": self.licence.strip(), "definition": self.definition.strip(),
            "method": "file", "source_file": self.source_file.strip(),
            "source_statistic": self.source_statistic.strip(), "source_variable": self.source_variable.strip(),
            "source_dims": self.source_dims.strip(), "formula": "", "series_break": self.series_break.strip(),
        }


@dataclass(frozen=True)
class SourceDeclaration:
    """The ``quellen.csv`` row of the declared file (``datei`` is the file itself)."""

    title: str
    origin: str
    stand: dt.date | str  # Stichtag: a date, or text like 31.12.2024 / 2024-12-31
    licence: str
    synthetic: bool = False
    attribution: str = ""
    note: str = ""

    def row(self, rel: str, german_dates: bool) -> dict[str, str]:
        stand = self.stand
        if isinstance(stand, dt.date):
            stand = f"{stand:%d.%m.%Y}" if german_dates else stand.isoformat()
        return {"datei": rel, "titel": self.title.strip(), "herkunft": self.origin.strip(),
                "stichtag": str(stand).strip(), "lizenz": self.licence.strip(),
                "synthetisch": "ja" if self.synthetic else "nein", "namensnennung": self.attribution.strip(),
                "hinweis": self.note.strip()}


# ------------------------------------------------------------------ describe

@contextmanager
def _staged(path: Path):
    """The file staged as the temp view ``dcl_file`` (+ ``dcl_file_summary``) on a private in-memory DuckDB
    connection, spilling to a temporary folder beyond the ETL's memory limit: (connection, LoadResult)."""
    with tempfile.TemporaryDirectory(prefix="rm_declare_") as spill:
        con = duckdb.connect(config={"memory_limit": os.environ.get("REGIONALMONITOR_ETL_MEMORY", "1GB"),
                                     "temp_directory": spill})
        try:
            result = load_statistics_file(con, path, path.name, table=_STAGED, as_view=True)
            try:
                yield con, result
            finally:
                drop_staged_view(con, _STAGED)
        finally:
            con.close()


def _series_rows(con) -> list[tuple]:
    return con.execute(f"""
        select statistic_code, variable_code, coalesce(dims, '') as dims, count(*) as n,
               count(distinct region_key) as regions, list(distinct period order by period) as periods,
               coalesce(mode(unit), '') as unit,
               coalesce(bool_and(value is null or value = round(value)), true) as integral
        from {_STAGED}
        where statistic_code is not null and variable_code is not null
        group by all order by all
    """).fetchall()


def _series_keys(path: Path) -> set[tuple[str, str, str]]:
    """(statistic, variable, dims) of every series in the file."""
    with _staged(path) as (con, _):
        return {(s, v, d) for s, v, d, *_ in _series_rows(con)}


def _read_labels(con, path: Path, fmt: str, encoding: str) -> dict[str, list[dict]]:
    """Distinct labels the file gives next to its codes, read by DuckDB in one pass (bounded memory):
    {"stat": [{c, l}], "var": [{c, l, u}], "blocks": [{c, l, a, al}] (of every variable block)}. Tables carry
    no codes: {}."""
    if fmt == "genesis_table":
        return {}
    header = _header_cells(path, encoding)
    low = [h.strip().lower() for h in header]
    col = {name: f"c{i + 1}" for i, name in enumerate(low)}

    def c(name: str) -> str:
        return f"rm_trim(coalesce({col[name]}, ''))" if name in col else "''"

    aggregates: dict[str, str] = {}
    if fmt == "inkar":
        aggregates["var"] = f"list(distinct {{'c': {c('kuerzel')}, 'l': {c('indikator')}, 'u': ''}})"
    else:
        old = low[0] == "statistik_code"
        prefix = ("statistik_" if old else "statistics_")
        aggregates["stat"] = f"list(distinct {{'c': {c(prefix + 'code')}, 'l': {c(prefix + 'label')}}})"
        if not old:
            aggregates["var"] = (f"list(distinct {{'c': {c('value_variable_code')}, "
                                 f"'l': {c('value_variable_label')}, 'u': {c('value_unit')}}})")
        names = (("merkmal_code", "merkmal_label", "auspraegung_code", "auspraegung_label") if old else
                 ("variable_code", "variable_label", "variable_attribute_code", "variable_attribute_label"))
        blocks = sorted({int(m.group(1)) for n in low if (m := re.match(rf"^(\d+)_{names[0]}$", n))})
        parts = [f"{{'c': {c(f'{n}_{names[0]}')}, 'l': {c(f'{n}_{names[1]}')}, 'a': {c(f'{n}_{names[2]}')}, "
                 f"'al': {c(f'{n}_{names[3]}')}}}" for n in blocks]
        for n, part in zip(blocks, parts):  # one distinct list per block: a region block holds each key once
            aggregates[f"block{n}"] = f"list(distinct {part})"
    columns = "{" + ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(len(header))) + "}"
    tmp = transcode(path, encoding) if encoding not in ("utf-8", "utf-8-sig") else None
    try:
        row = con.execute(
            f"select {', '.join(f'{sql} as {name}' for name, sql in aggregates.items())} "
            f"from read_csv({sql_literal(str(tmp or path))}, delim=';', quote='\"', escape='\"', header=true, "
            f"auto_detect=false, columns={columns}, all_varchar=true, max_line_size=1048576)").fetchone()
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    out = {name: value for name, value in zip(aggregates, row) if not name.startswith("block")}
    out["blocks"] = [b for name, value in zip(aggregates, row) if name.startswith("block") for b in value]
    if fmt == "genesis_ffcsv" and low[0] == "statistik_code":  # old layout: value columns CODE__Label__Einheit
        out["var"] = [{"c": p[0].strip(), "l": p[1].strip() if len(p) > 1 else "",
                       "u": p[-1].strip() if len(p) > 2 else ""}
                      for p in (h.strip().split("__") for h in header if "__" in h)]
    return out


def _inkar_label(text: str) -> str:
    """INKAR's indicator name without its trailing "(unit)"."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", text).strip() or text


def describe(path: Path, source_dir: Path | None = None) -> FileDescription:
    """What the statistics export at ``path`` holds (see the module docstring); region counts against
    ``source_dir``'s ``gemeinden.csv`` / ``gebiete.csv`` when given. InputError (German) when the ETL would
    refuse the file."""
    path = Path(path)
    with _staged(path) as (con, result):
        series_rows = _series_rows(con)
        regions = con.execute(f"""
            select region_key, any_value(region_level) from {_STAGED}_summary
            where region_key is not null group by region_key""").fetchall()
        without_key = con.execute(
            f"select coalesce(sum(n), 0)::bigint from {_STAGED}_summary where region_key is null").fetchone()[0]
        labels = _read_labels(con, path, result.format, result.encoding)
    stat_labels = {d["c"]: d["l"] for d in labels.get("stat", [])}
    if result.format == "inkar":
        stat_labels.setdefault("INKAR", "INKAR – Indikatoren und Karten zur Raum- und Stadtentwicklung (BBSR)")
    var_labels = {d["c"]: d for d in labels.get("var", [])}
    blocks = [b for b in labels.get("blocks", []) if b["c"] and level_from_hint(b["c"]) is None]
    dim_names = {b["c"]: b["l"] for b in blocks}
    attr_labels = {(b["c"], b["a"]): b["al"] for b in blocks}

    def var_label(code: str) -> str:
        raw = var_labels.get(code, {}).get("l") or code
        return _inkar_label(raw) if result.format == "inkar" else raw

    series, variables = [], {}
    for stat, var, dims, n, n_regions, per, unit, integral in series_rows:
        pieces = [var_label(var)]
        for item in filter(None, dims.split(";")):
            code, _, attr = item.partition("=")
            pieces.append(attr_labels.get((code, attr)) or item)
        unit = unit or var_labels.get(var, {}).get("u", "")
        series.append(Series(stat, var, dims, " – ".join(pieces), unit, n, n_regions, tuple(per), integral))
        variables.setdefault((stat, var), Variable(stat, var, var_label(var), unit))
    dims_found: dict[str, dict[str, str]] = {}
    for b in blocks:
        dims_found.setdefault(b["c"], {})[b["a"]] = b["al"] or b["a"]
    for s in series:  # dimensions without labels (table text columns COLn=…)
        for item in filter(None, s.dims.split(";")):
            code, _, attr = item.partition("=")
            dims_found.setdefault(code, {}).setdefault(attr, attr)
    dimensions = tuple(
        Dimension(code, dim_names.get(code) or code,
                  tuple(DimensionValue(a, lab) for a, lab in sorted(vals.items(), key=lambda kv: (kv[0] != "", kv))))
        for code, vals in sorted(dims_found.items()))
    statistics = tuple(Statistic(code, stat_labels.get(code) or (result.title if result.format == "genesis_table"
                                                                 else "") or code)
                       for code in sorted({s.statistic for s in series}))
    return FileDescription(
        file_name=path.name, format=result.format, encoding=result.encoding, title=result.title, stand=result.stand,
        rows=result.rows, statistics=statistics, variables=tuple(variables.values()), dimensions=dimensions,
        series=tuple(series), periods=tuple(sorted({p for s in series for p in s.periods if p is not None})),
        regions=_region_summary(regions, without_key, source_dir),
        warnings=tuple(result.issues))


def _region_summary(regions: list[tuple[str, str]], without_key: int, source_dir: Path | None) -> RegionSummary:
    levels: dict[str, int] = {}
    for _, level in regions:
        levels[level] = levels.get(level, 0) + 1
    summary = RegionSummary(len(regions), int(without_key), tuple(sorted(levels.items())))
    if source_dir is None:
        return summary
    source_dir = Path(source_dir)
    keys = {k for k, _ in regions}
    munis: set[str] = set()
    if (source_dir / "gemeinden.csv").is_file():
        frame, _ = read_municipalities(source_dir / "gemeinden.csv")
        munis = set(frame["ags"]) if not frame.empty else set()
    bench: set[str] = set()
    if (source_dir / "gebiete.csv").is_file():
        frame, _ = read_regions(source_dir / "gebiete.csv")
        bench = set(frame["region_key"])
    return replace(summary, municipalities=len(keys & munis), municipalities_total=len(munis),
                   benchmarks=len(keys & bench), benchmarks_total=len(bench), other=len(keys - munis - bench))


# ------------------------------------------------------------------ propose

def _slug(text: str, limit: int = 40) -> str:
    """An indicator id from a German label: lower case ASCII, umlauts spelt out, words joined by ``_``; a long
    label loses words from its start."""
    t = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^a-z0-9]+", t) if w]
    while len(words) > 1 and len("_".join(words)) > limit:
        words.pop(0)  # the end of a label is its specific part ("Wanderungen … - Fortzüge")
    t = "_".join(words)[:limit]
    if not t or not t[0].isalpha():
        t = "ind_" + t
    return t


def _unique(base: str, taken: set[str]) -> str:
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}_{n}"
    taken.add(out)
    return out


def _catalogue_rows(source_dir: Path) -> list[dict]:
    path = Path(source_dir) / "indikatoren.csv"
    if not path.is_file():
        return []
    frame, _, _ = read_catalogue(path)
    # empty optional cells come back as None or NaN (by the column's other values): '' for the comparisons
    return [{k: "" if v is None or (isinstance(v, float) and v != v) else v for k, v in r.items()}
            for r in frame.to_dict("records")]


def _takes_file(row: dict, file_name: str) -> bool:
    """Whether a catalogue row reads values from ``statistik/<file_name>`` (the build's rule in _map_file)."""
    return row.get("method") == "file" and (row.get("source_file") or "") in ("", file_name, f"statistik/{file_name}")


def _selector(row: dict) -> tuple[str, str, str]:
    return (row.get("source_statistic") or "", row.get("source_variable") or "", row.get("source_dims") or "")


def _source_text(desc: FileDescription, stat: str) -> str:
    label = next((s.label for s in desc.statistics if s.code == stat), "")
    if desc.format == "inkar":
        return "BBSR, INKAR"
    kind = "GENESIS-Tabelle" if desc.format == "genesis_table" else "GENESIS"
    return f"{kind} {stat}" + (f" ({label})" if label and label != stat else "")


def default_licence(desc: FileDescription) -> str:
    """The licence the portals publish these exports under (Datenlizenz Deutschland – Namensnennung 2.0)."""
    return "dl-de/by-2-0"


def propose(desc: FileDescription, source_dir: Path) -> list[IndicatorDeclaration]:
    """One prefilled declaration per series of ``desc`` (theme left empty: the office chooses). Ids are unique
    against the folder's catalogue and each other; series the catalogue already loads from this file carry
    ``known_as``."""
    catalogue = _catalogue_rows(source_dir)
    taken = {r["indicator_id"] for r in catalogue}
    out = []
    for s in desc.series:
        key = (s.statistic, s.variable, s.dims)
        same = [r for r in catalogue if r.get("method") == "file" and _selector(r) == key]
        loads = next((r for r in same if _takes_file(r, desc.file_name)), None)
        if loads is not None:
            out.append(IndicatorDeclaration(
                indicator_id=loads["indicator_id"], name_de=loads["name_de"], unit=loads["unit"],
                theme=loads["theme"], source_file=loads["source_file"] or "", source_statistic=s.statistic,
                source_variable=s.variable, source_dims=s.dims, known_as=loads["indicator_id"],
                hint=f"Schon im Katalog als {loads['indicator_id']!r} ({loads['name_de']})."))
            continue
        hint = (f"Dieselben Werte liest Indikator {same[0]['indicator_id']!r} aus der Datei "
                f"{same[0]['source_file']}." if same else "")
        out.append(IndicatorDeclaration(
            indicator_id=_unique(_slug(s.label), taken), name_de=s.label, unit=s.unit, theme="",
            decimals=0 if s.integral else 1, source=_source_text(desc, s.statistic), licence=default_licence(desc),
            definition=f"{s.label} laut {_source_text(desc, s.statistic)}.", source_file=desc.file_name,
            source_statistic=s.statistic, source_variable=s.variable, source_dims=s.dims, hint=hint))
    return out


def propose_source(desc: FileDescription) -> SourceDeclaration:
    """A prefilled ``quellen.csv`` row: title and Stand from the file (table footer or latest period)."""
    title = desc.title or ", ".join(s.label for s in desc.statistics) or desc.file_name
    codes = ", ".join(s.code for s in desc.statistics if s.code != "INKAR")
    origin = {"inkar": "Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR), INKAR",
              "genesis_table": "Statistische Ämter des Bundes und der Länder, GENESIS-Tabelle",
              }.get(desc.format, "Statistische Ämter des Bundes und der Länder, GENESIS")
    stand = desc.stand or (desc.periods[-1] if desc.periods else "")
    return SourceDeclaration(title=f"{title} ({codes})" if codes and codes not in title else title,
                             origin=origin, stand=stand, licence=default_licence(desc))


# ------------------------------------------------------------------ declare

@dataclass(frozen=True)
class _Style:
    """How a CSV file of the folder is written: kept when rows are added."""

    encoding: str  # utf-8-sig | utf-8 | cp1252 (read_text_table's rule)
    delimiter: str
    newline: str
    quote_all: bool
    header: tuple[str, ...]  # lower-cased column names in file order
    text: str  # the decoded content


def _style(path: Path) -> _Style:
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    # undefined cp1252 bytes survive the round trip unchanged (surrogateescape), never as U+FFFD
    text = raw.decode(encoding, errors="surrogateescape")
    if not text.strip(" \t\r\n\ufeff"):
        raise InputError(Issue("error", "Die Datei ist leer.", file=path.name,
                               expected="eine Kopfzeile und Datenzeilen"))
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    cells = first.rstrip("\r").split(delimiter)
    header = next(csv.reader([first.rstrip("\r")], delimiter=delimiter))
    return _Style(encoding, delimiter, "\r\n" if first.endswith("\r") else "\n",
                  bool(cells) and all(c.startswith('"') and c.endswith('"') for c in cells),
                  tuple(h.strip().lower() for h in header), text.lstrip("\ufeff"))


def _lines(text: str) -> list[str]:
    """Physical lines with their ends (only ``\n`` ends a line, as for the csv module)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _records(style: _Style) -> list[tuple[int, int, list[str]]]:
    """(first line index, end line index, cells) of each record after the header (0-based physical lines)."""
    lines = _lines(style.text)
    reader = csv.reader(iter(lines), delimiter=style.delimiter)
    out, start = [], 0
    for cells in reader:
        out.append((start, reader.line_num, cells))
        start = reader.line_num
    return out[1:]


def _line(style: _Style, values: dict[str, str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=style.delimiter, lineterminator=style.newline,
               quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL).writerow(
        [values.get(h, "") for h in style.header])
    return buf.getvalue()


def _encode(style: _Style, file: str, row: int | None, fields: dict[str, str]) -> list[Issue]:
    """Errors for values the file's code page cannot hold (Windows-1252 files)."""
    issues = []
    for name, value in fields.items():
        try:
            value.encode(style.encoding)
        except UnicodeEncodeError as exc:
            issues.append(_field_issue(f"Das Zeichen {value[exc.start]!r} kann in {file} (Zeichenkodierung "
                                       f"{style.encoding}) nicht gespeichert werden.", name, value,
                                       "Zeichen der Zeichenkodierung der Datei, z. B. ohne Sonderzeichen",
                                       file, row))
    return issues


def _field_issue(message: str, column: str, value: object, expected: str, file: str, row: int | None = None,
                 who: str = "") -> Issue:
    label = FIELD_LABELS.get(column, column)
    return Issue("error", f"{who}Feld {label}: {message}", file=file, row=row, column=column, value=short(value),
                 expected=expected)


def _known_licences(source_dir: Path) -> set[str]:
    known = {x.lower() for x in LICENCES}
    for name, col in (("quellen.csv", "lizenz"), ("indikatoren.csv", "licence")):
        path = source_dir / name
        if path.is_file():
            style = _style(path)
            if col in style.header:
                i = style.header.index(col)
                known |= {cells[i].strip().lower() for _, _, cells in _records(style) if len(cells) > i}
    known.discard("")
    return known


def _rel(file_name: str) -> str:
    """``statistik/<name>`` for a file name as the form gives it; InputError for a path leaving statistik/."""
    name = file_name.replace("\\", "/").strip()
    if name.startswith("statistik/"):
        name = name[len("statistik/"):]
    if not name or "/" in name or name in (".", "..") or name.startswith("."):
        raise InputError(_field_issue("Der Dateiname ist kein Name einer Datei im Ordner statistik/.", "datei",
                                      file_name, "ein Dateiname wie 12411_bevoelkerung.csv", "quellen.csv"))
    return f"statistik/{name}"


def declare(source_dir: Path, file_name: str, indicators: list[IndicatorDeclaration],
            source: SourceDeclaration, *, desc: FileDescription | None = None) -> None:
    """Write the declared indicators into ``indikatoren.csv`` and the file's row into ``quellen.csv`` of
    ``source_dir`` (a row for the same file is replaced, e.g. a newer Stand). Declarations with ``known_as`` are
    skipped. Validated first (module docstring); InputError with every problem found, nothing written then.
    ``desc``: :func:`describe`'s result for this very file, saving a second read of a large export; without it
    the file is read again to check that each declared series exists in it."""
    source_dir = Path(source_dir)
    rel = _rel(file_name)
    name = rel.split("/", 1)[1]
    cat_path, man_path = source_dir / "indikatoren.csv", source_dir / "quellen.csv"
    for p in (cat_path, man_path):
        if not p.is_file():
            raise InputError(Issue("error", "Pflichtdatei fehlt im Quellordner.", file=p.name,
                                   expected=f"{p.name} im Ordner {source_dir}"))
    data_path = source_dir / rel
    if not data_path.is_file() or not data_path.resolve().is_relative_to(source_dir.resolve()):
        raise InputError(_field_issue("Die Datei liegt nicht im Ordner statistik/.", "datei", name,
                                      "die hochgeladene Statistikdatei", "quellen.csv"))
    new = [d.row() for d in indicators if not d.known_as]
    if not new:
        raise InputError(Issue("error", "Kein neuer Indikator angegeben.", file="indikatoren.csv",
                               expected="mindestens einen Indikator aus der Datei"))
    for row in new:
        row["source_file"] = row["source_file"] or name
    cat_style, man_style = _style(cat_path), _style(man_path)
    licences = _known_licences(source_dir)
    man_row = source.row(rel, german_dates=_german_dates(man_style))
    if desc is not None and desc.file_name == name:
        series = {(s.statistic, s.variable, s.dims) for s in desc.series}
    else:
        series = _series_keys(data_path)
    issues = _indicator_issues(new, cat_style, _catalogue_rows(source_dir), series, licences, name) \
        + _source_issues(man_row, man_style, licences)
    if issues:
        raise InputError(issues)
    _write_checked(source_dir, (cat_path, cat_style, _appended(cat_style, new)),
                   (man_path, man_style, _with_source_row(man_style, rel, man_row)))


def _indicator_issues(rows: list[dict[str, str]], style: _Style, existing: list[dict],
                      series: set[tuple[str, str, str]], licences: set[str], name: str) -> list[Issue]:
    """The form's checks of new catalogue rows, each naming its field (the build's own rules run after)."""
    issues: list[Issue] = []
    first_line = len(_lines(style.text)) + 1  # the line of the first new row
    ids = {r["indicator_id"] for r in existing}
    for i, row in enumerate(rows):
        found: list[tuple[str, str, str]] = []  # (message, column, expected)
        found += [("Angabe fehlt.", col, "ein Eintrag (Pflichtfeld)") for col in _CATALOGUE_REQUIRED if not row[col]]
        if row["indicator_id"] and not ID_RE.match(row["indicator_id"]):
            found.append(("Ungültige Kennung.", "indicator_id", "Kleinbuchstaben, Ziffern und _ (z. B. population)"))
        elif row["indicator_id"] in ids:
            found.append(("Diese Kennung gibt es schon im Katalog.", "indicator_id", "eine neue, eindeutige Kennung"))
        ids.add(row["indicator_id"])
        if row["theme"] and row["theme"] not in THEME_BY_ID:
            found.append(("Unbekanntes Thema.", "theme", ", ".join(THEME_BY_ID)))
        if row["licence"] and row["licence"].lower() not in licences:
            found.append(("Unbekannte Lizenz.", "licence", ", ".join(LICENCES)))
        if row["source_file"] not in (name, f"statistik/{name}"):
            found.append(("Der Indikator muss aus der erklärten Datei lesen.", "source_file", name))
        selector = (row["source_statistic"], row["source_variable"], row["source_dims"])
        if selector not in series:
            found.append(("Diese Werte enthält die Datei nicht (Statistik, Merkmal und Dimensionen zusammen).",
                          "source_variable", "Statistik, Merkmal und Dimensionen wie vorgeschlagen"))
        clash = next((r for r in existing if _takes_file(r, name) and _selector(r) == selector), None)
        if clash is not None:
            found.append((f"Diese Werte lädt schon Indikator {clash['indicator_id']!r}.", "source_variable",
                          "Werte, die noch kein Indikator lädt"))
        found += [("Die Spalte fehlt in indikatoren.csv.", col, f"Spalte {col} in der Kopfzeile von indikatoren.csv")
                  for col, value in row.items() if value and col not in style.header]
        who = f"Indikator {row['indicator_id'] or str(i + 1)!r}, "
        issues += [_field_issue(msg, col, row.get(col), expected, "indikatoren.csv", first_line + i, who)
                   for msg, col, expected in found]
        issues += _encode(style, "indikatoren.csv", first_line + i, row)
    return issues


def _source_issues(row: dict[str, str], style: _Style, licences: set[str]) -> list[Issue]:
    """The form's checks of the new quellen.csv row, each naming its field."""
    found = [("Angabe fehlt.", col, "ein Eintrag (Pflichtfeld)")
             for col in ("titel", "herkunft", "stichtag", "lizenz") if not row[col]]
    try:
        parse_date(row["stichtag"])
    except ValueError:
        found.append(("Ungültiges Datum.", "stichtag", "Datum wie 31.12.2024"))
    if row["lizenz"] and row["lizenz"].lower() not in licences:
        found.append(("Unbekannte Lizenz.", "lizenz", ", ".join(LICENCES)))
    found += [("Die Spalte fehlt in quellen.csv.", col, f"Spalte {col} in der Kopfzeile von quellen.csv")
              for col, value in row.items() if value and col not in style.header]
    return ([_field_issue(msg, col, row.get(col), expected, "quellen.csv", who="Quelle, ")
             for msg, col, expected in found] + _encode(style, "quellen.csv", None, row))


def _german_dates(style: _Style) -> bool:
    """Whether the manifest writes its Stichtag as 31.12.2024 (else ISO)."""
    if "stichtag" not in style.header:
        return True
    i = style.header.index("stichtag")
    values = [cells[i] for _, _, cells in _records(style) if len(cells) > i and cells[i].strip()]
    return not values or bool(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", values[-1].strip()))


def _appended(style: _Style, rows: list[dict[str, str]]) -> str:
    text = style.text
    if text and not text.endswith("\n"):
        text += style.newline
    return text + "".join(_line(style, r) for r in rows)


def _with_source_row(style: _Style, rel: str, row: dict[str, str]) -> str:
    """The manifest with ``row`` for ``rel``: replacing that file's row where there is one, else appended."""
    i = style.header.index("datei") if "datei" in style.header else 0
    lines = _lines(style.text)
    for start, end, cells in _records(style):
        if len(cells) > i and cells[i].strip().replace("\\", "/") == rel:
            return "".join(lines[:start]) + _line(style, row) + "".join(lines[end:])
    return _appended(style, [row])


def _write_checked(source_dir: Path, *files: tuple[Path, _Style, str]) -> None:
    """Write ``(path, style, text)`` beside the originals (catalogue first, then manifest), check them with the
    build's readers, then replace the originals; InputError and no change when the readers find an error."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, style, text in files:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=source_dir)
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode(style.encoding, errors="surrogateescape"))
            temps.append((Path(tmp), path))
        (cat_tmp, cat_real), (man_tmp, man_real) = temps
        found = [(cat_real, read_catalogue(cat_tmp)[2]), (man_real, read_manifest(man_tmp)[1])]
        errors = [replace(i, file=real.name, message=f"Feld {FIELD_LABELS.get(i.column, i.column)}: {i.message}"
                          if i.column else i.message)
                  for real, issues in found for i in issues if i.severity == "error"]
        if errors:
            raise InputError(errors)
        for tmp, real in temps:
            os.replace(tmp, real)
        temps = []
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


__all__ = [
    "FIELD_LABELS",
    "FORMAT_LABELS",
    "LICENCES",
    "Dimension",
    "DimensionValue",
    "FileDescription",
    "IndicatorDeclaration",
    "RegionSummary",
    "Series",
    "SourceDeclaration",
    "Statistic",
    "Variable",
    "declare",
    "default_licence",
    "describe",
    "propose",
    "propose_source",
]
