"""Data of the Daten page: sources with provenance, the indicator catalogue, ETL runs, validation warnings and
data tests. Pure functions over ``monitor.data.db.query``; columns keep their database names (the page labels them).
"""
from __future__ import annotations

import json

import pandas as pd

from monitor.data import db
from monitor.core import format as fmt

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
