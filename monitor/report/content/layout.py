"""The layout of the report model: the summary figures, the overview table, the Excel sheets and the order
of the blocks (headings, texts, tables, charts) that the PDF and DOCX writers print."""
from __future__ import annotations

from monitor.core import format as fmt
from monitor.report.content.text import ASSESSMENT_PLACEHOLDER, assessment_paragraphs
from monitor.report.model import (
    Block,
    ChartBlock,
    Column,
    Figures,
    Heading,
    KeyFigure,
    PageBreak,
    Table,
    TableBlock,
    Text,
)

TOTAL_KEYS = ("initiatives", "started", "advanced", "completed", "reached", "overdue")


def theme_totals(overview_rows: list[tuple]) -> dict[str, int]:
    """The sums over the themes' overview rows (:data:`TOTAL_KEYS`)."""
    return {k: sum(r[n] for r in overview_rows) for n, k in enumerate(TOTAL_KEYS, 1)}


def summary_figures(totals, total_granted, total_cost, n_rounds, n_orgs, kpi_totals, as_of) -> tuple[KeyFigure, ...]:
    """The key figures of the whole report."""
    return (
        KeyFigure("initiatives", "Initiativen im Zeitraum", totals["initiatives"]),
        KeyFigure("started", "neu aufgenommen", totals["started"]),
        KeyFigure("advanced", "vorangekommen", totals["advanced"]),
        KeyFigure("completed", "abgeschlossen", totals["completed"]),
        KeyFigure("milestones_reached", "Meilensteine erreicht", totals["reached"]),
        KeyFigure("milestones_overdue", "Meilensteine überfällig", totals["overdue"],
                  note=f"am {fmt.date(as_of)}"),
        KeyFigure("funding_granted", "Fördermittel bewilligt", total_granted, "eur"),
        KeyFigure("total_cost", "Gesamtkosten", total_cost, "eur", note="ohne verworfene Initiativen"),
        KeyFigure("rounds", "Abstimmungsrunden", n_rounds),
        KeyFigure("organisations", "beteiligte Organisationen", n_orgs),
        KeyFigure("kpis_reached", f"Kennzahlen am Ziel (von {fmt.number(kpi_totals[0])})", kpi_totals[1]),
    )


def themes_table(overview_rows: list[tuple]) -> Table:
    """One row per theme (:func:`monitor.report.content.sections.theme_section`'s overview row)."""
    return Table(
        "themes", "Überblick je Thema",
        (Column("theme", "Thema", width=2.2), Column("initiatives", "Initiativen", "int", short="Initia-\ntiven"),
         Column("started", "neu", "int"), Column("advanced", "vorangekommen", "int", short="voran-\ngekommen"),
         Column("completed", "abgeschlossen", "int", short="abge-\nschlossen"),
         Column("reached", "Meilensteine erreicht", "int", short="Meilen-\nsteine\nerreicht"),
         Column("overdue", "Meilensteine überfällig", "int", short="Meilen-\nsteine\nüberfällig"),
         Column("granted", "Fördermittel bewilligt", "eur", short="Förder-\nmittel\nbewilligt"),
         Column("cost", "Gesamtkosten", "eur", short="Gesamt-\nkosten"),
         Column("kpis_reached", "Kennzahlen am Ziel", "int", short="Kenn-\nzahlen\nam Ziel"),
         Column("kpis_rated", "Kennzahlen bewertet", "int", short="Kenn-\nzahlen\nbewertet")),
        tuple(overview_rows))


def sheets(summary, overview_table, rows, funds_table, rounds_table, orgs_table, params, annex_sheet, sources_table,
            licence_notes, method, day_before, as_of) -> tuple[Table, ...]:
    """The tables of the Excel file, one per sheet."""
    figures_rows = tuple((f.label, f.value, "€" if f.kind == "eur" else "Anzahl", f.note or None) for f in summary)
    assessment = assessment_paragraphs(params)
    return (
        Table("summary", "Übersicht", (Column("label", "Kennzahl"), Column("value", "Wert", "number"),
                                       Column("unit", "Einheit"), Column("note", "Hinweis")), figures_rows),
        overview_table,
        Table("status", "Status je Thema", (
            Column("theme", "Thema"), Column("status", "Status"),
            Column("start", f"Anzahl am {fmt.date(day_before)}", "int"),
            Column("end", f"Anzahl am {fmt.date(as_of)}", "int"), Column("change", "Veränderung", "int")),
            tuple(rows["status"])),
        Table("development", "Entwicklung der Initiativen", (
            Column("theme", "Thema"), Column("initiative_id", "ID"), Column("title", "Titel"),
            Column("status_start", "Status Beginn"), Column("status_end", "Status Ende"),
            Column("development", "Entwicklung"), Column("last_change", "Letzte Änderung", "date")),
            tuple(rows["development"])),
        Table("changes", "Statuswechsel im Zeitraum", (
            Column("date", "Datum", "date"), Column("theme", "Thema"), Column("initiative_id", "ID"),
            Column("title", "Titel"), Column("previous", "Status vorher"), Column("status", "Status neu")),
            tuple(sorted(rows["changes"], key=lambda r: (r[0], r[2])))),
        Table("milestones", "Meilensteine", (
            Column("theme", "Thema"), Column("initiative_id", "ID"), Column("title", "Initiative"),
            Column("milestone", "Meilenstein"), Column("due", "Fällig am", "date"),
            Column("done", "Erledigt am", "date"), Column("state", "Stand")), tuple(rows["milestones"])),
        Table(funds_table.key, "Förderprogramme", funds_table.columns, funds_table.rows, note=funds_table.note),
        Table("funds_theme", "Förderprogramme je Thema", (
            Column("theme", "Thema"), Column("programme", "Förderprogramm"),
            Column("initiatives", "Initiativen", "int"),
            Column("granted", "Fördermittel bewilligt (€)", "eur"), Column("cost", "Gesamtkosten (€)", "eur")),
            tuple(rows["funds_theme"])),
        Table("kpis", "Kennzahlen", (
            Column("theme", "Thema"), Column("initiative_id", "ID"), Column("title", "Initiative"),
            Column("name", "Kennzahl"), Column("unit", "Einheit"), Column("baseline", "Ausgangswert", "auto"),
            Column("target", "Zielwert", "auto"), Column("target_year", "Zieljahr", "int"),
            Column("actual", "Istwert", "auto"), Column("as_of", "Stand", "date"),
            Column("progress", "Zielerreichung (%)", "percent", 1)),
            tuple(rows["kpis"])),
        Table("indicators", "Indikatoren", (
            Column("theme", "Thema"), Column("indicator", "Indikator"), Column("unit", "Einheit"),
            Column("region", "Gebiet"), Column("year", "Jahr", "int"), Column("value", "Wert", "auto"),
            Column("note", "Hinweis")), tuple(rows["indicators"])),
        Table(rounds_table.key, "Abstimmungsrunden", rounds_table.columns, rounds_table.rows),
        Table(orgs_table.key, "Organisationen", orgs_table.columns, orgs_table.rows),
        Table("assessment", "Einschätzung", (Column("text", "Einschätzung der Kompetenzstelle"),),
              tuple((p,) for p in assessment) or ((ASSESSMENT_PLACEHOLDER,),)),
        annex_sheet,
        Table(sources_table.key, "Quellen", sources_table.columns, sources_table.rows),
        Table("notes", "Hinweise", (Column("kind", "Art"), Column("text", "Hinweis")),
              tuple(("Lizenz", n) for n in licence_notes) + tuple(("Methode", n) for n in method)),
    )


def blocks(*, summary, summary_text, overview_table, summary_charts, sections, context_table, context_charts,
            funds_table, funds_charts, rounds_table, orgs_table, params, annex, sources_table, licence_notes, method,
            synthetic, b) -> list[Block]:
    """The printed report (PDF and DOCX) in reading order."""
    out: list[Block] = [Heading(1, "1 Zusammenfassung", "summary"), Text(summary_text, "lead")]
    if synthetic:
        out.append(Text("Dieser Bericht beruht auf Beispieldaten (erfundene Initiativen und Statistikwerte). Er ist "
                        "nicht für Entscheidungen oder die Weitergabe bestimmt.", "warning"))
    out += [Figures(summary), TableBlock(overview_table, compact=True)]
    out += [ChartBlock(c) for c in summary_charts]
    out += [PageBreak(), Heading(1, "2 Fortschritt je Thema", "themes")]
    for n, s in enumerate(sections, 1):
        if n > 1:
            out.append(PageBreak())
        num = f"2.{n}"
        out += [Heading(2, f"{num} {s.name}", f"theme_{s.theme_id}"), Text(s.summary, "lead"), Figures(s.figures),
                Heading(3, f"{num}.1 Status und Entwicklung", f"theme_{s.theme_id}_status"), TableBlock(s.status),
                TableBlock(s.development),
                Heading(3, f"{num}.2 Meilensteine", f"theme_{s.theme_id}_milestones"), TableBlock(s.milestones),
                Heading(3, f"{num}.3 Förderung", f"theme_{s.theme_id}_funds"), TableBlock(s.funds),
                Heading(3, f"{num}.4 Kennzahlen: Ziel und Ist", f"theme_{s.theme_id}_kpis"),
                TableBlock(s.kpis, compact=True, titled=False)]
        out += [ChartBlock(c) for c in s.charts if c.key.startswith("kpi_")]
        out += [Heading(3, f"{num}.5 Indikatoren im Vergleich mit {b.state_name or 'dem Land'}"
                        + (f" und {b.germany_name}" if b.germany_key else ""),
                        f"theme_{s.theme_id}_indicators"), TableBlock(s.indicators, compact=True)]
        out += [ChartBlock(c) for c in s.charts if c.key.startswith("indicators_")]
    out += [PageBreak(), Heading(1, "3 Rahmendaten: Bevölkerung", "context"),
            Text("Die Bevölkerungsentwicklung ist der Rahmen für alle Themen.", "body"),
            TableBlock(context_table, compact=True)]
    out += [ChartBlock(c) for c in context_charts]
    out += [PageBreak(), Heading(1, "4 Förderung nach Programmen", "funds"), TableBlock(funds_table)]
    out += [ChartBlock(c) for c in funds_charts]
    out += [Heading(1, "5 Zusammenarbeit und Abstimmung", "cooperation"),
            Heading(2, "5.1 Abstimmungsrunden", "rounds"), TableBlock(rounds_table, compact=True),
            Heading(2, "5.2 Beteiligte Organisationen", "organisations"), TableBlock(orgs_table)]
    out += [Heading(1, "6 Einschätzung der Kompetenzstelle", "assessment")]
    out += [Text(p, "assessment") for p in assessment_paragraphs(params)] or [Text(ASSESSMENT_PLACEHOLDER, "note")]
    out += [PageBreak(), Heading(1, "Anhang A: Initiativen", "annex"), TableBlock(annex, compact=True),
            Heading(1, "Anhang B: Quellen, Lizenzen und Methode", "sources"), TableBlock(sources_table, compact=True),
            Heading(2, "Lizenzen und Namensnennung", "licences")]
    out += [Text(n, "note") for n in licence_notes]
    out += [Heading(2, "Hinweise zur Methode", "method")]
    out += [Text(n, "note") for n in method]
    return out
