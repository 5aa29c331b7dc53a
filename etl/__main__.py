"""Command line: ``python -m etl [--source DIR] [--db PATH] [--today YYYY-MM-DD] [--quiet]``.

Exit codes: 0 built and replaced; 1 input problems (listed in German, database untouched; also a full disk,
a read-only folder or Strg+C); 2 wrong call; 3 internal error (database untouched; details with --debug);
143 stopped by SIGTERM (e.g. a shutdown; database untouched, temporary files removed, 128 + 15 as for any
program ended by that signal).
"""
from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import traceback
from pathlib import Path

from etl.issues import InputError

ROOT = Path(__file__).resolve().parent.parent
MAX_LISTED = 60
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived: the build unwinds like after Strg+C, so its temporary files are removed."""


_received: list[int] = []  # signals seen during this run: DuckDB may turn the exception they raise into its own


def _on_sigterm(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a repeated signal must not cut the clean-up short
    _received.append(signum)
    raise Terminated()


def _on_sigint(signum, frame) -> None:
    _received.append(signum)
    raise KeyboardInterrupt()


def _interrupted() -> int:
    print("\nImport abgebrochen (Strg+C). Die bisherige Datenbank bleibt unverändert.", file=sys.stderr)
    return 1


def _terminated() -> int:
    print("\nImport abgebrochen (Signal SIGTERM, z. B. beim Herunterfahren). Die bisherige Datenbank bleibt "
          "unverändert. Die temporären Dateien sind entfernt.", file=sys.stderr)
    return EXIT_TERMINATED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl",
        description="Lädt Statistik-Exporte und das Portfolio-Arbeitsbuch in die Datenbank des Regionalmonitors.")
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "sample",
                        help="Quellordner (Standard: data/sample)")
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "monitor.duckdb",
                        help="Datenbankdatei (Standard: data/monitor.duckdb)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="Stichtag für Prüfungen wie 'überfällig' (Standard: heute), JJJJ-MM-TT")
    parser.add_argument("--quiet", action="store_true", help="nur Fehler und Zusammenfassung ausgeben")
    parser.add_argument("--debug", action="store_true", help="bei internen Fehlern den Traceback zeigen")
    args = parser.parse_args(argv)

    if not args.quiet:
        print(f"Regionalmonitor-Import: {args.source} -> {args.db}", flush=True)
    _received.clear()
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        previous_int = signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread (an embedding program): it handles its signals itself
        previous = previous_int = None
    try:
        from etl.build import build  # after the handler: a SIGTERM during the imports is answered too

        report = build(args.source, args.db, today=args.today, progress=not args.quiet)
    except InputError as exc:
        errors = [i for i in exc.issues if i.severity == "error"]
        print(f"\nImport abgebrochen: {len(errors)} Fehler. Die bisherige Datenbank bleibt unverändert.",
              file=sys.stderr)
        for issue in errors[:MAX_LISTED]:
            print("  " + issue.text(), file=sys.stderr)
        if len(errors) > MAX_LISTED:
            print(f"  … und {len(errors) - MAX_LISTED} weitere Fehler.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return _interrupted()
    except Terminated:
        return _terminated()
    except Exception as exc:  # noqa: BLE001 - an internal error must not leak a traceback to the office
        # a signal that arrived while DuckDB ran a query comes back as DuckDB's "Query interrupted"
        if signal.SIGTERM in _received:
            return _terminated()
        if signal.SIGINT in _received:
            return _interrupted()
        print(f"\nInterner Fehler beim Import ({type(exc).__name__}: {str(exc)[:300]}). "
              "Die bisherige Datenbank bleibt unverändert.", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return 3
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)

    print(f"\nFertig in {report.duration_s:.1f} s: {args.db}")
    for table, n in report.row_counts.items():
        print(f"  {table:<34} {n:>10,}".replace(",", "."))
    warnings = report.warnings
    print(f"  Warnungen: {len(warnings)} (Details auf der Seite 'Daten')")
    if not args.quiet:
        for w in warnings[:15]:
            print("    " + w.text())
        if len(warnings) > 15:
            print(f"    … und {len(warnings) - 15} weitere.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
