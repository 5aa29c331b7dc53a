"""Command line: the period report as PDF, Word and Excel from the database.

    python -m monitor.report --from 2025-07-01 --to 2026-06-30 --out bericht/
        [--db data/monitor.duckdb] [--theme mobility --theme Tourismus] [--municipality 14626060]
        [--format pdf,docx,xlsx] [--internal] [--assessment-file einschaetzung.txt] [--no-charts]

Same content as the page "Bericht" (both call :func:`monitor.report.content.build_report` and the writers).
Exit codes like ``python -m etl``: 0 written; 1 input problem (database missing, unknown theme or
municipality, unreadable assessment file, output not writable; message in German); 2 wrong call;
3 internal error (details with --debug). Missing charts (no Chromium) are a note, not an error.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from pathlib import Path

FORMATS = ("pdf", "docx", "xlsx")


class InputProblem(Exception):
    """A problem with the call's input, explained in German."""


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"kein Datum im Format JJJJ-MM-TT: {text!r}") from None


def _formats(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(x.strip().lower() for x in text.split(",") if x.strip()))
    unknown = [x for x in items if x not in FORMATS]
    if unknown or not items:
        raise argparse.ArgumentTypeError(f"Formate: eine Auswahl aus {','.join(FORMATS)} (nicht {text!r})")
    return items


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m monitor.report",
        description="Erstellt den Bericht für einen Zeitraum als PDF, Word (DOCX) und Excel (XLSX).")
    p.add_argument("--from", dest="date_from", type=_day, required=True, help="erster Tag des Zeitraums (JJJJ-MM-TT)")
    p.add_argument("--to", dest="date_to", type=_day, required=True, help="letzter Tag des Zeitraums (JJJJ-MM-TT)")
    p.add_argument("--out", type=Path, required=True, help="Ordner für die Dateien (wird angelegt)")
    p.add_argument("--db", type=Path, default=None, help="Datenbankdatei (Standard: data/monitor.duckdb)")
    p.add_argument("--theme", action="append", default=[],
                   help="Thema (ID oder Name, mehrfach oder mit Komma; Standard: alle)")
    p.add_argument("--municipality", action="append", default=[],
                   help="Gemeinde (AGS oder Name, mehrfach; Standard: alle)")
    p.add_argument("--format", type=_formats, default=FORMATS, help="pdf,docx,xlsx (Standard: alle drei)")
    p.add_argument("--internal", action="store_true",
                   help="interne Fassung mit nicht öffentlichen Initiativen "
                        "(auf jeder Seite als intern gekennzeichnet)")
    p.add_argument("--assessment-file", type=Path, default=None,
                   help="Textdatei (UTF-8) mit der Einschätzung der Kompetenzstelle")
    p.add_argument("--no-charts", action="store_true", help="ohne Grafiken (schneller, kein Chromium nötig)")
    p.add_argument("--quiet", action="store_true", help="nur Fehler und Hinweise ausgeben")
    p.add_argument("--debug", action="store_true", help="bei internen Fehlern den Traceback zeigen")
    return p


def _split(values: list[str]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def resolve_themes(values: list[str]) -> tuple[str, ...]:
    """Theme ids from ids or German names (case-insensitive); unknown -> :class:`InputProblem`."""
    from monitor.core.vocab import THEMES

    lookup = {}
    for t in THEMES:
        for key in (t.theme_id, t.name_de, t.short_de, t.name_en):
            lookup[key.lower()] = t.theme_id
    out = []
    for v in _split(values):
        if v.lower() not in lookup:
            options = ", ".join(f"{t.theme_id} ({t.name_de})" for t in THEMES)
            raise InputProblem(f"Unbekanntes Thema {v!r}. Möglich: {options}.")
        out.append(lookup[v.lower()])
    return tuple(dict.fromkeys(out))


def resolve_municipalities(values: list[str]) -> tuple[str, ...]:
    """AGS from keys or names (case-insensitive); unknown -> :class:`InputProblem`."""
    from monitor.data import municipalities as mun

    options = mun.municipality_table()
    by_name = {str(n).lower(): str(a) for a, n in zip(options["ags"], options["name"])}
    keys = set(map(str, options["ags"]))
    out = []
    for v in values:  # names may contain commas? no: but "Boxberg/O.L." has none; split anyway
        for item in _split([v]):
            if item in keys:
                out.append(item)
            elif item.lower() in by_name:
                out.append(by_name[item.lower()])
            else:
                raise InputProblem(f"Unbekannte Gemeinde {item!r} (Gemeindeschlüssel oder Name wie im "
                                   "Gemeindeverzeichnis, z. B. 14626060 oder Boxberg/O.L.).")
    return tuple(dict.fromkeys(out))


def generate(params, formats=FORMATS, session=None):
    """The report for ``params`` and its files: (Report, {format: bytes}, ChartImages). With a
    :class:`figures.ChartSession` the charts render while the content is built and the Excel file and the
    PDF fonts are prepared while they finish; without one the files have a note instead of each chart."""
    from monitor.report import content, docx, figures, pdf, xlsx

    report = content.build_report(params, on_chart=session.submit if session is not None else None)
    files = {}
    if "xlsx" in formats:
        files["xlsx"] = xlsx.to_xlsx(report)  # needs no charts: written while they render
    if session is None:
        images = figures.disabled("Grafiken wurden mit --no-charts abgeschaltet.")
    else:
        if "pdf" in formats:
            pdf.register_fonts()
        images = session.collect(report.charts, on_image=pdf.print_image if "pdf" in formats else None)
        session.close()
    if "pdf" in formats:
        files["pdf"] = pdf.to_pdf(report, images)
    if "docx" in formats:
        files["docx"] = docx.to_docx(report, images)
    return report, files, images


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB".replace(",", ".") if n < 1024 ** 2 else f"{n / 1024 ** 2:.1f} MB".replace(".", ",")


def run(args) -> int:
    """Build and write the report for parsed ``args``; returns the exit code."""
    started = time.perf_counter()
    if args.date_from > args.date_to:
        raise InputProblem(f"Der Zeitraum beginnt nach seinem Ende ({args.date_from} > {args.date_to}).")
    if args.db is not None:
        os.environ["REGIONALMONITOR_DB"] = str(args.db.resolve())
    needs_charts = not args.no_charts and any(f in args.format for f in ("pdf", "docx"))
    from monitor.report import figures

    # the browser for the charts starts first: it is ready by the time the report's content is built
    session = figures.ChartSession().start() if needs_charts else None
    try:
        return _run(args, session, started)
    finally:
        if session is not None:
            session.close()


def _run(args, session, started: float) -> int:
    from monitor.data import db, meta
    from monitor.report.model import ReportParams

    path = db.db_path()
    if not path.is_file():
        raise InputProblem(f"Datenbank nicht gefunden: {path}. Bitte zuerst „python -m etl“ ausführen.")
    assessment = ""
    if args.assessment_file is not None:
        try:
            assessment = args.assessment_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputProblem(f"Einschätzung nicht lesbar: {args.assessment_file} "
                               f"({exc.__class__.__name__}).") from exc
    try:
        meta.info()
    except Exception as exc:  # noqa: BLE001 - an unreadable file is an input problem
        raise InputProblem(f"Datenbank nicht lesbar: {path} ({type(exc).__name__}). Bitte „python -m etl“ "
                           "erneut ausführen.") from exc
    params = ReportParams(args.date_from, args.date_to, resolve_themes(args.theme),
                          resolve_municipalities(args.municipality), internal=args.internal,
                          assessment=assessment)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputProblem(f"Ausgabeordner nicht anlegbar: {args.out} ({exc.strerror}).") from exc
    needs_charts = session is not None
    if not args.quiet:
        print(f"Regionalmonitor-Bericht {args.date_from:%d.%m.%Y} – {args.date_to:%d.%m.%Y} aus {path}", flush=True)
    report, files, images = generate(params, args.format, session)
    written = []
    for fmt in args.format:
        target = args.out / f"{report.file_stem()}.{fmt}"
        try:
            _write(target, files[fmt])
        except OSError as exc:
            raise InputProblem(f"Datei nicht schreibbar: {target} ({exc.strerror}).") from exc
        written.append(target)
    if needs_charts and images.note:
        print(f"Hinweis: {images.note} Der Bericht enthält an ihrer Stelle einen Hinweis.", file=sys.stderr)
    if report.internal:
        print("Achtung: INTERNE Fassung – enthält nicht öffentliche Initiativen, nicht weitergeben.", file=sys.stderr)
    if not args.quiet:
        print(f"Fertig in {time.perf_counter() - started:.1f} s:".replace(".", ","))
        for target in written:
            print(f"  {target}  ({_size(target.stat().st_size)})")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except InputProblem as exc:
        print(f"Bericht nicht erstellt: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nAbgebrochen (Strg+C).", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - an internal error must not show a traceback to the office
        print(f"Interner Fehler beim Bericht ({type(exc).__name__}: {str(exc)[:300]}).", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return 3


if __name__ == "__main__":
    sys.exit(main())
