"""Command line of the ETL.

- ``python -m etl [--source DIR] [--db PATH] [--today YYYY-MM-DD] [--quiet] [--keep N]``: build a new database
  from the source folder (beside the live one, under ``.<db>.tmp-<pid>/``), then publish it as a version
  (``etl/versions.py``: stored with its source files, the live file replaced atomically, the oldest versions
  beyond N removed; N from --keep, ``REGIONALMONITOR_VERSIONS`` or 10).
- ``python -m etl versions [--db PATH]``: the stored versions, one line each, newest first; the id is the first
  word, the live one is marked "(aktiv)", then when, who, origin and the change summary.
- ``python -m etl rollback VERSION [--db PATH]``: make a stored version live again.

Every run is logged in ``etl_runs.jsonl`` beside the database (``etl/runlog.py``).

Exit codes: 0 built and published, listed, or rolled back; 1 input problems (listed in German, database
untouched; also a full disk, a read-only folder, another import running, Strg+C, an unknown version id);
2 wrong call; 3 internal error (database untouched; details with --debug); 143 stopped by SIGTERM (e.g. a
shutdown; database untouched, temporary files removed, 128 + 15 as for any program ended by that signal).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shutil
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


def _raise_if_signalled() -> None:
    """Raise what a signal of this run raised (a reader that catches DuckDB's errors to try another way may
    have swallowed it): the build is then not published."""
    if signal.SIGTERM in _received:
        raise Terminated()
    if signal.SIGINT in _received:
        raise KeyboardInterrupt()


def _interrupted() -> int:
    print("\nImport abgebrochen (Strg+C). Die bisherige Datenbank bleibt unverändert.", file=sys.stderr)
    return 1


def _terminated() -> int:
    print("\nImport abgebrochen (Signal SIGTERM, z. B. beim Herunterfahren). Die bisherige Datenbank bleibt "
          "unverändert. Die temporären Dateien sind entfernt.", file=sys.stderr)
    return EXIT_TERMINATED


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"eine ganze Zahl ab 1 erwartet, nicht {text!r}")
    return n


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "monitor.duckdb",
                        help="Datenbankdatei (Standard: data/monitor.duckdb)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # sub-commands only as the first word: the build's call (options only) stays exactly as it was
    if argv and argv[0] == "versions":
        return _versions_command(argv[1:])
    if argv and argv[0] == "rollback":
        return _rollback_command(argv[1:])
    return _build_command(argv)


def _build_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl",
        description="Lädt Statistik-Exporte und das Portfolio-Arbeitsbuch in die Datenbank des Regionalmonitors "
                    "und veröffentlicht das Ergebnis als neue Version.",
        epilog="Weitere Befehle: 'python -m etl versions [--db DATEI]' listet die gespeicherten Versionen, "
               "'python -m etl rollback VERSION [--db DATEI]' macht eine davon wieder aktiv.")
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "sample",
                        help="Quellordner (Standard: data/sample)")
    _db_option(parser)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="Stichtag für Prüfungen wie 'überfällig' (Standard: heute), JJJJ-MM-TT")
    parser.add_argument("--quiet", action="store_true", help="nur Fehler und Zusammenfassung ausgeben")
    parser.add_argument("--debug", action="store_true", help="bei internen Fehlern den Traceback zeigen")
    parser.add_argument("--keep", type=_positive, default=None,
                        help="so viele Versionen aufbewahren (Standard: REGIONALMONITOR_VERSIONS oder 10; "
                             "die aktive bleibt immer)")
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
        report, version = _build_and_publish(args)  # imports after the handler: a SIGTERM then is answered too
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
    print(f"Version {version.id} ist jetzt aktiv.")
    return 0


def _build_and_publish(args: argparse.Namespace):
    """Build into ``.<db>.tmp-<pid>/`` beside the live database and publish the result, all under the lock
    of the live database; every outcome goes into the run log. Returns (BuildReport, Version)."""
    from etl import versions
    from etl.build import build
    from etl.runlog import append_run, os_user, read_runs
    from etl.storage import remove_stale_temporaries, temporary_path

    actor, started = os_user(), dt.datetime.now()
    work = temporary_path(args.db)  # a folder here: removed with the build's leftovers should this run be killed
    candidate = work / args.db.name
    failed: list[dict] = []  # the failed build's own log line (written beside the candidate)
    record = {"kind": "Import", "origin": "Kommandozeile", "actor": actor, "status": "failed", "version_id": None,
              "source_dir": str(args.source), "files": [], "errors": [], "warnings": 0}
    try:
        with versions.exclusive(args.db):
            try:
                with versions.as_input_error(args.db):
                    remove_stale_temporaries(args.db)
                    shutil.rmtree(work, ignore_errors=True)
                    work.mkdir()
                report = build(args.source, candidate, today=args.today, progress=not args.quiet)
                _raise_if_signalled()  # a signal whose exception a library swallowed still stops the import
                record.update(run_id=report.run_id, duration_s=round(report.duration_s, 3), status="ok",
                              version_id=report.version_id, files=report.files, warnings=len(report.warnings))
                with contextlib.suppress(OSError):  # an unwritable log line must not undo a good import
                    append_run(args.db, {"started_at": started.isoformat(timespec="seconds"), **record})
                summary, changes = _changes(args.db, candidate, report)
                version = versions.publish(candidate, args.source, args.db, actor=actor, origin="Kommandozeile",
                                           summary=summary, changes=changes, keep=args.keep)
            finally:
                failed = read_runs(candidate, 1) if record["status"] == "failed" else []
                shutil.rmtree(work, ignore_errors=True)
    except BaseException as exc:
        if record["status"] == "failed":  # the build failed (a failed publication logged itself)
            own = {"errors": [f"{type(exc).__name__}: {exc}"],
                   "started_at": started.isoformat(timespec="seconds"),
                   "duration_s": round((dt.datetime.now() - started).total_seconds(), 3)}
            if isinstance(exc, InputError):
                own["errors"] = [i.text() for i in exc.issues if i.severity == "error"]
            with contextlib.suppress(OSError):
                append_run(args.db, {**record, **own, **(failed[0] if failed else {}), "kind": "Import"})
        raise
    return report, version


def _changes(db: Path, candidate: Path, report) -> tuple[str, dict | None]:
    """The summary line and the changes against the live database (etl/changes.py when present)."""
    try:
        from etl.changes import compare

        change_set = compare(db if db.is_file() else None, candidate)
        return change_set.summary(), change_set.as_dict()
    except Exception:  # noqa: BLE001 - the change summary is a courtesy; the import stands without it
        return (f"Import über die Kommandozeile: {_count(len(report.files), 'Datei', 'Dateien')}, "
                f"{_count(len(report.warnings), 'Warnung', 'Warnungen')}", None)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _versions_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl versions",
        description="Listet die gespeicherten Versionen, die neueste zuerst (erstes Wort: die Versionsnummer; "
                    "die aktive ist mit (aktiv) markiert).")
    _db_option(parser)
    args = parser.parse_args(argv)
    from etl import versions

    listed = versions.list_versions(args.db)
    for line in version_lines(listed):
        print(line)
    if not listed:
        print(f"Keine gespeicherten Versionen in {versions.versions_dir(args.db)}.", file=sys.stderr)
    if args.db.is_file() and not any(v.live for v in listed):
        live = versions.live_version_id(args.db)
        print(f"Die aktive Datenbank {args.db} ist " + (f"Version {live} (nicht gespeichert)." if live else
              "vor der Versionsverwaltung entstanden (ohne Versionsnummer)."), file=sys.stderr)
    return 0


def version_lines(listed) -> list[str]:
    """One line per version: id, '(aktiv)' or blanks, local time (TT.MM.JJJJ HH:MM), actor, origin, summary."""
    return ["  ".join([v.id, "(aktiv)" if v.live else " " * 7, v.created.astimezone().strftime("%d.%m.%Y %H:%M"),
                       v.actor or "?", v.origin or "?", v.summary]).rstrip() for v in listed]


def _rollback_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m etl rollback",
        description="Macht eine gespeicherte Version wieder zur aktiven Datenbank.")
    parser.add_argument("version", metavar="VERSION", help="Versionsnummer (erstes Wort von 'python -m etl versions')")
    _db_option(parser)
    args = parser.parse_args(argv)
    from etl import versions
    from etl.runlog import os_user

    try:
        version = versions.rollback(args.version, args.db, actor=os_user())
    except versions.UnknownVersion as exc:
        print(f"Wiederherstellung abgebrochen: {exc}", file=sys.stderr)
        return 1
    except InputError as exc:
        print("Wiederherstellung abgebrochen. Die aktive Datenbank bleibt unverändert.", file=sys.stderr)
        for issue in exc.issues:
            print("  " + issue.text(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nWiederherstellung abgebrochen (Strg+C). Die aktive Datenbank bleibt unverändert.", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - no traceback for the office
        print(f"Interner Fehler bei der Wiederherstellung ({type(exc).__name__}: {str(exc)[:300]}).",
              file=sys.stderr)
        return 3
    print(f"Version {version.id} ist jetzt aktiv (wiederhergestellt).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
