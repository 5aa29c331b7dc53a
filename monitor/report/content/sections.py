"""The report's sections as model tables: one theme's section, the funds by programme, cooperation (rounds
and organisations), the annex of initiatives and the sources."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from monitor.core import format as fmt
from monitor.core.cache import memo
from monitor.core.vocab import STATUSES, THEME_BY_ID
from monitor.data import actors, db, overview, sources, themes
from monitor.report.content.cells import as_date, plain
from monitor.report.content.charts import ChartCollector, kpi_chart
from monitor.report.content.indicators import indicator_block
from monitor.report.content.selection import ReportFilters, Scope, of_initiatives
from monitor.report.content.text import NOT_YET, licence_notes, theme_sentence
from monitor.report.model import Chart, Column, KeyFigure, Table, ThemeSection

SHEET_KEYS = ("status", "development", "changes", "milestones", "funds_theme", "kpis", "indicators")


def funds_table(key: str, title: str, funds: pd.DataFrame, note: str) -> Table:
    """Funds by programme (:func:`monitor.data.overview.funds_by_programme`) as a report table."""
    return Table(
        key, title,
        (Column("programme", "Förderprogramm", width=3.0), Column("initiatives", "Initiativen", "int"),
         Column("granted", "Fördermittel bewilligt", "eur", width=1.4),
         Column("cost", "Gesamtkosten", "eur", width=1.4)),
        tuple((r.programme, int(r.initiatives), float(r.funding_granted_eur), float(r.total_cost_eur))
              for r in funds.itertuples(index=False)),
        empty_text="Keine Förderprogramme erfasst.", note=note)


def theme_section(charts: ChartCollector, ctx: Scope, theme: str,
                  sheet_rows: dict[str, list]) -> tuple[ThemeSection, tuple, tuple]:
    """One theme's section (its charts handed to ``charts``); appends its rows to the combined sheets in
    ``sheet_rows``. Returns the section,
    its row of the overview table and (KPIs rated, KPIs reached)."""
    info = THEME_BY_ID[theme]
    t_ids = [i for i in ctx.ids if ctx.theme_of[i] == theme]
    # status mix at start and end
    status_rows = []
    for s in (*STATUSES, None):
        a = sum(1 for i in t_ids if ctx.start_status.get(i) == s)
        e = sum(1 for i in t_ids if ctx.end_status.get(i) == s)
        if a or e:
            status_rows.append((s or NOT_YET, a, e, e - a))
            sheet_rows["status"].append((info.name_de, s or NOT_YET, a, e, e - a))
    status_rows.append(("Summe", len(t_ids), len(t_ids), 0))
    status_table = Table(
        f"status_{theme}", f"Status am {fmt.date(ctx.day_before)} und am {fmt.date(ctx.as_of)}",
        (Column("status", "Status", width=2.2), Column("start", f"Anzahl am {fmt.date(ctx.day_before)}", "int"),
         Column("end", f"Anzahl am {fmt.date(ctx.as_of)}", "int"), Column("change", "Veränderung", "int")),
        tuple(status_rows), note="„noch nicht erfasst“: die Initiative war zu diesem Tag noch nicht aufgenommen.")
    # development per initiative
    dev_rows = []
    for i in t_ids:
        d = ctx.dev[i]
        row = (i, ctx.title_of[i], ctx.start_status.get(i) or NOT_YET, ctx.end_status.get(i) or NOT_YET, d.text(),
               d.last_change)
        dev_rows.append(row)
        sheet_rows["development"].append((info.name_de, *row))
    development = Table(
        f"development_{theme}", "Initiativen und ihre Entwicklung im Zeitraum",
        (Column("initiative_id", "ID", width=0.8), Column("title", "Titel", width=3.0),
         Column("status_start", "Status Beginn", width=1.3), Column("status_end", "Status Ende", width=1.3),
         Column("development", "Entwicklung", width=1.4),
         Column("last_change", "Letzte Änderung", "date", width=1.1)),
        tuple(dev_rows), empty_text="Keine Initiativen mit diesem Hauptthema im Zeitraum.")
    for r in ctx.changes.status_changes.itertuples(index=False):
        if ctx.theme_of.get(r.initiative_id) == theme:
            sheet_rows["changes"].append((as_date(r.date), info.name_de, r.initiative_id, r.title,
                                          plain(r.previous_status), r.status))
    # milestones reached and overdue
    ms_rows = []
    for r in ctx.changes.milestones_reached.itertuples(index=False):
        if ctx.theme_of.get(r.initiative_id) == theme:
            ms_rows.append((r.initiative_id, r.title, r.milestone, as_date(r.due_date), as_date(r.done_date),
                            "erreicht (verspätet)" if r.state == "verspätet erledigt" else "erreicht"))
    for r in ctx.overdue.itertuples(index=False):
        if r.theme == theme:
            ms_rows.append((r.initiative_id, r.title, r.milestone, as_date(r.due_date), as_date(r.done_date),
                            f"überfällig am {fmt.date(ctx.as_of)}"))
    sheet_rows["milestones"] += [(info.name_de, *row) for row in ms_rows]
    milestones = Table(
        f"milestones_{theme}", "Meilensteine: erreicht im Zeitraum und überfällig",
        (Column("initiative_id", "ID", width=0.8), Column("title", "Initiative", width=2.2),
         Column("milestone", "Meilenstein", width=2.2), Column("due", "Fällig am", "date", width=1.0),
         Column("done", "Erledigt am", "date", width=1.0), Column("state", "Stand", width=1.4)),
        tuple(ms_rows), empty_text="Keine Meilensteine im Zeitraum erreicht oder überfällig.")
    n_reached = sum(1 for r in ms_rows if r[5].startswith("erreicht"))
    n_overdue = len(ms_rows) - n_reached
    # funds by programme
    funds_df = overview.funds_by_programme(ctx.f.with_(themes=(theme,))) if t_ids else pd.DataFrame(
        columns=["programme", "initiatives", "funding_granted_eur", "total_cost_eur"])
    funds = funds_table(f"funds_{theme}", "Mittel nach Förderprogramm", funds_df,
                        "Eine Initiative mit mehreren Programmen zählt bei jedem Programm voll.")
    sheet_rows["funds_theme"] += [(info.name_de, *row) for row in funds.rows]
    granted = float(ctx.pf.loc[ctx.pf["theme"] == theme, "funding_granted_eur"].fillna(0).sum())
    kept = (ctx.pf["theme"] == theme) & (ctx.pf["status"] != "Verworfen")
    cost = float(ctx.pf.loc[kept, "total_cost_eur"].fillna(0).sum())
    # KPIs
    kpis = themes.theme_kpis(ctx.f, theme)
    kpi_rows = []
    rated = reached_n = 0
    for r in kpis.itertuples(index=False):
        progress = plain(r.progress)
        reached_flag = plain(r.reached)
        if reached_flag is not None:
            rated += 1
            reached_n += bool(reached_flag)
        row = (r.initiative_id, r.title, r.name, r.unit or "", plain(r.baseline), plain(r.target),
               None if plain(r.target_year) is None else int(r.target_year), plain(r.actual), as_date(r.as_of),
               None if progress is None else round(progress, 1))
        kpi_rows.append(row)
        sheet_rows["kpis"].append((info.name_de, *row))
    kpi_table = Table(
        f"kpis_{theme}", "Kennzahlen: Ziel und Ist",
        (Column("initiative_id", "ID", width=0.8), Column("title", "Initiative", width=2.0),
         Column("name", "Kennzahl", width=2.0), Column("unit", "Einheit", width=1.0),
         Column("baseline", "Ausgangswert", "auto", short="Ausgangs-\nwert"), Column("target", "Zielwert", "auto"),
         Column("target_year", "Zieljahr", "text", width=0.8), Column("actual", "Istwert", "auto"),
         Column("as_of", "Stand", "date"),
         Column("progress", "Zielerreichung", "percent", 0, short="Ziel-\nerreichung")),
        tuple((*r[:6], None if r[6] is None else str(r[6]), *r[7:]) for r in kpi_rows),
        empty_text="Zu diesen Initiativen sind keine Kennzahlen erfasst.",
        note="Zielerreichung: Anteil des Wegs vom Ausgangs- zum Zielwert (100 % = Ziel erreicht).")
    kchart = kpi_chart(charts, info, kpis, ctx.stand, ctx.source_note)
    theme_charts: list[Chart] = [kchart] if kchart else []
    # indicators
    block = indicator_block(charts, theme, info.name_de, ctx.chosen_munis, ctx.b, ctx.muni_names)
    sheet_rows["indicators"] += block.rows_long
    ind_table = block.table
    theme_charts += block.charts
    n_started = sum(ctx.dev[i].started for i in t_ids)
    n_advanced = sum(ctx.dev[i].advanced for i in t_ids)
    n_completed = sum(ctx.dev[i].completed for i in t_ids)
    figs = (
        KeyFigure("initiatives", "Initiativen im Zeitraum", len(t_ids)),
        KeyFigure("started", "neu aufgenommen", n_started),
        KeyFigure("advanced", "vorangekommen", n_advanced),
        KeyFigure("completed", "abgeschlossen", n_completed),
        KeyFigure("milestones_reached", "Meilensteine erreicht", n_reached),
        KeyFigure("milestones_overdue", "Meilensteine überfällig", n_overdue),
        KeyFigure("funding_granted", "Fördermittel bewilligt", granted, "eur"),
        KeyFigure("kpis_reached", f"Kennzahlen am Ziel (von {fmt.number(rated)})", reached_n),
    )
    summary = theme_sentence(info.name_de, len(t_ids), n_started, n_advanced, n_completed, n_reached, n_overdue,
                             granted)
    overview_row = (info.name_de, len(t_ids), n_started, n_advanced, n_completed, n_reached, n_overdue, granted, cost,
                    reached_n, rated)
    section = ThemeSection(theme, info.name_de, info.colour, figs, summary, status_table, development, milestones,
                           funds, kpi_table, ind_table, tuple(theme_charts))
    return section, overview_row, (rated, reached_n)


def cooperation(f: ReportFilters, selected: set[str], internal: bool) -> tuple[Table, Table, int]:
    """Rounds of the period (:func:`monitor.data.actors.rounds`), in the public variant without rounds that dealt
    only with non-public initiatives; their initiatives listed only when selected. Organisations: those in
    the rounds kept and those working on the selected initiatives."""
    rounds = actors.rounds(f)
    linked_of: dict[str, list] = {}  # round -> its linked initiatives, in row order (one pass)
    for x in actors.round_links().itertuples(index=False):
        linked_of.setdefault(x.round_id, []).append(x)
    keep, rows = [], []
    for r in rounds.sort_values(["date", "round_id"]).itertuples(index=False):
        linked = linked_of.get(r.round_id, [])
        if not internal and linked and not any(bool(x.is_public) for x in linked):
            continue
        shown = [f"{x.initiative_id} {x.title}" for x in linked if x.initiative_id in selected]
        keep.append(r)
        rows.append((as_date(r.date), plain(r.format) or "–", plain(r.organisations) or "–", "; ".join(shown) or "–",
                     plain(r.results) or "–"))
    rounds_table = Table(
        "rounds", "Abstimmungsrunden im Zeitraum",
        (Column("date", "Datum", "date", width=0.9), Column("format", "Format", width=1.1),
         Column("organisations", "Beteiligte Organisationen", width=2.4),
         Column("initiatives", "Initiativen", width=2.0), Column("results", "Ergebnisse", width=2.4)),
        tuple(rows), empty_text="Im Zeitraum fanden keine Abstimmungsrunden statt.")
    counts: dict[str, list[int]] = {}
    for r in keep:
        for org in str(plain(r.organisations) or "").split("; "):
            if org:
                counts.setdefault(org, [0, 0, 0])[0] += 1
    # asked for every theme (cached across theme choices) and narrowed to the selection, as in selection.scope
    work = of_initiatives(actors.organisation_initiatives(f.with_(themes=())), selected)
    is_lead = (work["role"] == "Träger").fillna(False).astype(bool)
    for slot, part in ((1, work[is_lead]), (2, work[~is_lead])):
        for org, n in part.groupby("organisation")["initiative_id"].nunique().items():
            counts.setdefault(str(org), [0, 0, 0])[slot] += int(n)
    org_rows = sorted(((o, *c) for o, c in counts.items()), key=lambda r: (-(r[1] + r[2] + r[3]), r[0]))
    orgs_table = Table(
        "organisations", "Beteiligte Organisationen",
        (Column("organisation", "Organisation", width=3.0),
         Column("rounds", "Abstimmungsrunden", "int", short="Abstimmungs-\nrunden"),
         Column("lead", "Initiativen als Träger", "int"), Column("partner", "Initiativen als Partner", "int")),
        tuple(org_rows), empty_text="Keine Organisationen beteiligt.")
    return rounds_table, orgs_table, len(rows)


ANNEX_COLUMNS = (
    Column("initiative_id", "ID", width=0.75), Column("title", "Titel", width=2.6), Column("theme", "Thema", width=1.3),
    Column("status", "Status", width=1.1), Column("municipalities", "Gemeinden", width=1.6),
    Column("lead", "Träger", width=1.7), Column("programmes", "Förderprogramme", width=1.4),
    Column("granted", "Fördermittel bewilligt", "eur", width=1.2, short="Förder-\nmittel\nbewilligt"),
)


def annex(pf: pd.DataFrame, end_status: dict, as_of: dt.date, internal: bool) -> tuple[Table, Table]:
    """The initiatives of the report: a printable table (PDF/DOCX) and the full sheet (XLSX)."""
    status_label = f"Status am {fmt.date(as_of)}"
    cols_print = [c if c.key != "status" else Column("status", status_label, width=1.1) for c in ANNEX_COLUMNS]
    if internal:
        cols_print.append(Column("public", "Öffentlich", "bool", width=0.7))
    rows_print, rows_sheet = [], []
    for r in pf.itertuples(index=False):
        status = end_status.get(r.initiative_id) or r.status
        short = THEME_BY_ID[r.theme].short_de if r.theme in THEME_BY_ID else r.theme_name
        base = (r.initiative_id, r.title, short, status, plain(r.municipalities) or "–",
                plain(r.lead_organisation) or "–", plain(r.programmes) or "–", plain(r.funding_granted_eur))
        rows_print.append(base + ((bool(r.is_public),) if internal else ()))
        rows_sheet.append((r.initiative_id, r.title, plain(r.summary), r.theme_name, status, plain(r.municipalities),
                           plain(r.lead_organisation), plain(r.origin), plain(r.programmes), as_date(r.start_date),
                           as_date(r.end_planned), plain(r.total_cost_eur), plain(r.funding_granted_eur),
                           plain(r.own_funds_eur), as_date(r.as_of)) + ((bool(r.is_public),) if internal else ()))
    title = "Initiativen der Auswahl" + (" (auch nicht öffentliche)" if internal else " (öffentlich)")
    printable = Table("annex", title, tuple(cols_print), tuple(rows_print), empty_text="Keine Initiativen.",
                      note="Vollständige Angaben (Beschreibung, Herkunft, Laufzeit, Kosten) in der Excel-Datei.")
    sheet_cols = [
        Column("initiative_id", "ID"), Column("title", "Titel"), Column("summary", "Kurzbeschreibung"),
        Column("theme", "Thema"), Column("status", status_label), Column("municipalities", "Gemeinden"),
        Column("lead", "Träger"), Column("origin", "Herkunft"), Column("programmes", "Förderprogramme"),
        Column("start", "Beginn", "date"), Column("end", "Ende geplant", "date"),
        Column("cost", "Gesamtkosten (€)", "eur"), Column("granted", "Fördermittel bewilligt (€)", "eur"),
        Column("own", "Eigenmittel (€)", "eur"), Column("as_of", "Stand der Angaben", "date")]
    if internal:
        sheet_cols.append(Column("public", "Öffentlich", "bool"))
    return printable, Table("initiatives", "Initiativen", tuple(sheet_cols), tuple(rows_sheet))


def sources_table() -> tuple[Table, list[str]]:
    """The data sources as a table and their licence notes (the same for every report of a database version:
    built once per version, not at each change of the selection)."""
    table, notes = _sources_table(db.current_stamp())
    return table, list(notes)


@memo(4)
def _sources_table(stamp: tuple) -> tuple[Table, tuple[str, ...]]:
    src = sources.sources()
    rows = []
    for r in src.itertuples(index=False):
        rows.append((plain(r.title) or r.file_name, sources.SOURCE_KIND_DE.get(r.kind, r.kind),
                     plain(r.origin) or "–", as_date(r.reference_date), r.licence, plain(r.attribution) or "–",
                     bool(r.synthetic)))
    table = Table(
        "sources", "Datenquellen",
        (Column("title", "Quelle", width=2.4), Column("kind", "Art", width=1.1),
         Column("origin", "Herkunft", width=1.8),
         Column("reference_date", "Stichtag", "date", width=0.9), Column("licence", "Lizenz", width=1.0),
         Column("attribution", "Namensnennung", width=2.0), Column("synthetic", "Beispieldaten", "bool", width=0.8)),
        tuple(rows))
    return table, tuple(licence_notes(src))


