"""Data of the Daten page: sources with provenance, the indicator catalogue, ETL runs, validation warnings and
data tests. Pure functions over ``monitor.data.db.query``: the queries keep the database column names, the
``*_table`` functions turn them into display frames with the German column names the page shows, and
:func:`load` gathers everything the page shows (frozen :class:`SourcesView`).

By role (:class:`~monitor.data.access.Access`): without ``internal`` (a Partner) the page gets the sources and the
indicator catalogue only — no ETL runs (folders, row counts), no build warnings or data-test samples (they name
rows of the workbook, non-public ones too) and no portfolio row count; the audit log (Protokoll) only with
``data_updates`` (the Kompetenzstelle).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from monitor.data import audit, db, meta
from monitor.data.access import FULL, Access
from monitor.core import format as fmt
from monitor.core.vocab import THEME_BY_ID

SOURCE_KIND_DE = {"statistics": "Statistik", "catalogue": "Indikatorenkatalog", "portfolio": "Initiativen-Portfolio",
                  "municipalities": "Gemeinden", "regions": "Gebiete", "geometry": "Gemeindegrenzen"}
RUN_STATUS_DE = {"ok": "erfolgreich", "success": "erfolgreich", "failed": "fehlgeschlagen", "error": "fehlgeschlagen"}
SEVERITY_DE = {"warning": "Warnung", "error": "Fehler", "info": "Hinweis"}


def sources() -> pd.DataFrame:
    """Every loaded source file with its provenance (table ``source``), synthetic ones first, then by kind/file."""
    return db.query(
        """select source_id, file_name, kind, format, title, origin, reference_date, licence, attribution,
                  synthetic, note, size_bytes, sha256, rows_loaded
           from source order by synthetic desc, kind, file_name""")


def synthetic_sources() -> pd.DataFrame:
    """The sources marked synthetic (sample data): file_name, title, kind."""
    return db.query("select file_name, title, kind from source where synthetic order by kind, file_name")


def portfolio_source_label() -> str:
    """How figure captions name the initiative portfolio, e.g. 'Initiativen-Portfolio (initiativen.xlsx)'."""
    df = db.query("select file_name from source where kind = 'portfolio' order by file_name limit 1")
    return f"Initiativen-Portfolio ({df.iat[0, 0]})" if not df.empty else "Initiativen-Portfolio der Kompetenzstelle"


def licence_text(kind: str = "portfolio", indicator_id: str | None = None) -> str:
    """The licence(s) of the sources of one ``kind`` ('portfolio', 'municipalities', …) or, with
    ``indicator_id``, of that indicator, joined by '; ' ('' when none is recorded)."""
    if indicator_id:
        df = db.query("select licence from indicator where indicator_id = ?", (indicator_id,))
    else:
        df = db.query("select distinct licence from source where kind = ? order by 1", (kind,))
    return "; ".join(str(v) for v in df.iloc[:, 0] if isinstance(v, str) and v.strip())


def municipality_source_label() -> str:
    """How captions name the municipalities' facts and positions, e.g. 'Gemeindeverzeichnis (GV-ISys)'."""
    df = db.query("select origin from source where kind = 'municipalities' order by file_name limit 1")
    return str(df.iat[0, 0]) if not df.empty and df.iat[0, 0] else "Gemeindeverzeichnis"


def indicator_catalogue() -> pd.DataFrame:
    """The indicator catalogue with the number of loaded values and the years covered: indicator_id, name_de,
    theme, unit, higher_is_better, decimals, definition, source, licence, method, formula, series_break,
    n_values, n_missing, first_year, last_year."""
    return db.query(
        """select i.indicator_id, i.name_de, i.theme, i.unit, i.higher_is_better, i.decimals, i.definition,
                  i.source, i.licence, i.method, i.formula, i.series_break,
                  count(v.indicator_id) as n_values, count(v.indicator_id) filter (where v.value is null) as n_missing,
                  min(v.year) as first_year, max(v.year) as last_year
           from indicator i left join indicator_value v using (indicator_id)
           left join theme t on t.theme_id = i.theme
           group by all order by min(t.sort), i.name_de""")


def etl_runs(limit: int = 50) -> pd.DataFrame:
    """The newest ETL runs recorded in the database (table ``etl_run``), newest first."""
    return db.query(
        """select run_id, started_at, finished_at, duration_s, status, source_dir, files, row_counts, warnings,
                  errors, data_tests, message
           from etl_run order by started_at desc limit ?""", (limit,))


def run_files(files_json) -> pd.DataFrame:
    """``etl_run.files`` (JSON list of name, size_bytes, sha256) as a DataFrame; empty on missing/bad JSON."""
    try:
        items = json.loads(files_json) if isinstance(files_json, str) else []
    except ValueError:
        items = []
    rows = [{"name": i.get("name"), "size_bytes": i.get("size_bytes"), "sha256": i.get("sha256")}
            for i in items if isinstance(i, dict)]
    return pd.DataFrame(rows, columns=["name", "size_bytes", "sha256"])


def row_counts_text(row_counts_json) -> str:
    """``etl_run.row_counts`` JSON as German text: 'initiative: 10 · indicator_value: 252'."""
    try:
        counts = json.loads(row_counts_json) if isinstance(row_counts_json, str) else {}
    except ValueError:
        return fmt.MISSING
    if not isinstance(counts, dict) or not counts:
        return fmt.MISSING
    return " · ".join(f"{k}: {fmt.number(v)}" for k, v in counts.items())


def validation_issues() -> pd.DataFrame:
    """Warnings of the build (table ``validation_issue``): severity, file, sheet, row, col, value, message,
    expected; ordered by file, sheet, row."""
    return db.query(
        """select severity, file, sheet, row, col, value, message, expected from validation_issue
           order by file nulls last, sheet nulls last, row nulls last, message""")


def data_tests() -> pd.DataFrame:
    """Results of the SQL data tests (table ``data_test``): test_name, description, failing_rows, sample;
    failing tests first."""
    return db.query(
        """select test_name, description, failing_rows, sample from data_test
           order by failing_rows = 0, test_name""")


def file_size(n) -> str:
    """Bytes as German text: 2048 -> '2,0 KB'."""
    if n is None or pd.isna(n):
        return fmt.MISSING
    n = float(n)
    for unit, factor in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= factor:
            return f"{fmt.number(n / factor, 1)} {unit}"
    return f"{fmt.number(n)} B"


def sources_table(src: pd.DataFrame) -> pd.DataFrame:
    """:func:`sources` for display: Datei, Art, Titel, Herkunft, Stichtag, Lizenz, Namensnennung, Synthetisch
    (ja/nein), Größe, Zeilen geladen, SHA-256 der Datei, Hinweis."""
    return pd.DataFrame({
        "Datei": src["file_name"], "Art": [SOURCE_KIND_DE.get(k, k) for k in src["kind"]], "Titel": src["title"],
        "Herkunft": src["origin"], "Stichtag": src["reference_date"], "Lizenz": src["licence"],
        "Namensnennung": src["attribution"], "Synthetisch": [fmt.yes_no(v) for v in src["synthetic"]],
        "Größe": [file_size(v) for v in src["size_bytes"]],
        "Zeilen geladen": [fmt.number(v) for v in src["rows_loaded"]],
        "SHA-256 der Datei": src["sha256"], "Hinweis": src["note"],
    })


def _direction(higher_is_better) -> str:
    """'höher ist besser', 'niedriger ist besser' or 'neutral' (missing). Read by value: with a neutral indicator
    DuckDB returns a nullable boolean column of numpy bools, which are never ``is True``."""
    if higher_is_better is None or pd.isna(higher_is_better):
        return "neutral"
    return "höher ist besser" if bool(higher_is_better) else "niedriger ist besser"


def catalogue_table(cat: pd.DataFrame) -> pd.DataFrame:
    """:func:`indicator_catalogue` for display: Indikator, Thema, Einheit, Richtung, Definition, Quelle, Lizenz,
    Methode, Formel, Jahre ('2019–2024'), Werte, davon ohne Wert, Bruch in der Zeitreihe (its German text)."""
    return pd.DataFrame({
        "Indikator": cat["name_de"], "Thema": [THEME_BY_ID[t].name_de if t in THEME_BY_ID else t for t in cat["theme"]],
        "Einheit": cat["unit"], "Richtung": [_direction(v) for v in cat["higher_is_better"]],
        "Definition": cat["definition"], "Quelle": cat["source"], "Lizenz": cat["licence"], "Methode": cat["method"],
        "Formel": cat["formula"],
        "Jahre": [fmt.MISSING if a != a or a is None else f"{int(a)}–{int(b)}"
                  for a, b in zip(cat["first_year"], cat["last_year"])],
        "Werte": cat["n_values"], "davon ohne Wert": cat["n_missing"],
        "Bruch in der Zeitreihe": [(s.split("|", 1)[-1] if isinstance(s, str) and s else "")
                                   for s in cat["series_break"]],
    })


def runs_table(runs: pd.DataFrame) -> pd.DataFrame:
    """:func:`etl_runs` for display: Beginn, Ergebnis, Dauer, Warnungen, Fehler, Zeilen je Tabelle, Quellordner,
    Meldung, Lauf-ID."""
    return pd.DataFrame({
        "Beginn": runs["started_at"], "Ergebnis": [RUN_STATUS_DE.get(s, s) for s in runs["status"]],
        "Dauer": [fmt.value_with_unit(v, "s", 1) for v in runs["duration_s"]], "Warnungen": runs["warnings"],
        "Fehler": runs["errors"], "Zeilen je Tabelle": [row_counts_text(v) for v in runs["row_counts"]],
        "Quellordner": runs["source_dir"], "Meldung": runs["message"], "Lauf-ID": runs["run_id"],
    })


def run_files_table(files: pd.DataFrame) -> pd.DataFrame:
    """:func:`run_files` for display: Datei, Größe, SHA-256."""
    return pd.DataFrame({"Datei": files["name"], "Größe": [file_size(v) for v in files["size_bytes"]],
                         "SHA-256": files["sha256"]})


def issues_table(issues: pd.DataFrame) -> pd.DataFrame:
    """:func:`validation_issues` for display: Art, Datei, Blatt, Zeile, Spalte, Wert, Meldung, Erwartet."""
    return pd.DataFrame({
        "Art": [SEVERITY_DE.get(s, s) for s in issues["severity"]], "Datei": issues["file"], "Blatt": issues["sheet"],
        "Zeile": issues["row"], "Spalte": issues["col"], "Wert": issues["value"], "Meldung": issues["message"],
        "Erwartet": issues["expected"],
    })


def tests_table(tests: pd.DataFrame) -> pd.DataFrame:
    """:func:`data_tests` for display: Ergebnis (bestanden/auffällig), Test, Prüft, Auffällige Zeilen, Beispiel."""
    return pd.DataFrame({
        "Ergebnis": ["bestanden" if n == 0 else "auffällig" for n in tests["failing_rows"]],
        "Test": tests["test_name"], "Prüft": tests["description"], "Auffällige Zeilen": tests["failing_rows"],
        "Beispiel": tests["sample"],
    })


@dataclass(frozen=True)
class SourcesView:
    """Everything the Daten page shows; every table a display frame with German column names."""

    synthetic: bool  # sample data is loaded
    synthetic_sources: tuple[tuple[str, str], ...]  # (file name, title or file name) of the synthetic sources
    sources: pd.DataFrame  # sources_table
    catalogue: pd.DataFrame  # catalogue_table
    runs: pd.DataFrame  # runs_table, newest first
    last_run_files: pd.DataFrame  # run_files_table of the newest run (empty without runs)
    issues: pd.DataFrame  # issues_table
    tests: pd.DataFrame  # tests_table, failing tests first
    failing_tests: int  # data tests that found rows
    internal: bool = True  # runs, issues and tests are shown (access.internal); else they are empty
    audit: pd.DataFrame | None = None  # audit.recent(): the newest entries of the log; None = not for this role


def load(access: Access = FULL) -> SourcesView:
    """All data of the Daten page, as far as ``access`` may see it (see the module docstring)."""
    synthetic = synthetic_sources()
    src = sources()
    if not access.internal:  # the number of rows would count the non-public initiatives
        src = src.assign(rows_loaded=src["rows_loaded"].astype(object).where(src["kind"] != "portfolio", None))
    runs = etl_runs() if access.internal else etl_runs().head(0)
    tests = data_tests() if access.internal else data_tests().head(0)
    issues = validation_issues() if access.internal else validation_issues().head(0)
    return SourcesView(
        meta.info().synthetic,
        tuple((name, title or name) for name, title in zip(synthetic["file_name"], synthetic["title"])),
        sources_table(src), catalogue_table(indicator_catalogue()), runs_table(runs),
        run_files_table(run_files(runs.iloc[0]["files"] if not runs.empty else None)),
        issues_table(issues), tests_table(tests), int((tests["failing_rows"] > 0).sum()), access.internal,
        audit.recent(access))
