"""Content of the period report: :func:`build_report` turns :class:`ReportParams` into a :class:`Report`
(a frozen dataclass tree of figures, tables, chart specs and text blocks). Pure: same database and
parameters give the same report; no "now" enters it (the reference day is the period end, or the data
Stand when that is earlier).

Rules (also printed in the report's notes):
- **Scope**: the initiatives of the sidebar rule (:meth:`Filters.initiative_sql`: existed by the period end,
  not closed before its start), the chosen themes (main theme) and municipalities; the public variant keeps
  only initiatives marked *Öffentlich* (``is_public``), via :class:`ReportFilters`, so every reused query of
  ``monitor.data.overview`` / ``initiatives`` / ``themes`` / ``actors`` sees the same selection.
- **Status at the start / end** of the period: the last entry of the status history on the day before the
  start / on the reference day (``as_of``).
- **Started** = first status date in the period; **advanced** = at least one status change in the period to
  a later stage of the status line (not Abgeschlossen) or back onto the line from Ruht; **completed** = a
  change to Abgeschlossen in the period; **set back** = a change to Ruht or to an earlier stage; **dropped** = a
  change to Verworfen.
- **Milestones**: reached = done in the period; overdue = due before ``as_of`` and not done by then
  (initiatives Verworfen at ``as_of`` excluded): the database macro ``milestone_state_on`` with the status at
  ``as_of``.
- **Funds** are the amounts recorded per initiative (granted, total cost without Verworfen); an initiative
  with several programmes counts fully in each (as on the Überblick page).
- **KPI reached** and Zielerreichung in % (share of the way): the columns ``reached`` and ``progress`` of the
  mart ``kpi_rating`` (actual reached the target in the direction from the baseline; KPIs without actual or
  target are not rated).

Modules by role: :mod:`.selection` (what is in scope, status and development), :mod:`.queries` (the report's
own SQL), :mod:`.indicators` (indicator tables and trend charts), :mod:`.charts` (chart items and the
:class:`ChartCollector` handed through a build), :mod:`.sections` (theme sections, funds, cooperation, annex,
sources), :mod:`.text` (sentences and notes) and :mod:`.layout` (summary, sheets, block order).
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from monitor.core import format as fmt
from monitor.core.vocab import DEMOGRAPHY
from monitor.data import overview
from monitor.report.content import layout, sections, text
from monitor.report.content.charts import ChartCollector, chart_item, funds_chart, status_mix_chart
from monitor.report.content.indicators import indicator_block
from monitor.report.content.selection import ReportFilters, Scope, reference_day, report_filters, scope
from monitor.report.content.text import ASSESSMENT_PLACEHOLDER, NOT_YET
from monitor.report.model import PILOT_ACTION, Chart, Report, ReportParams

__all__ = ["ASSESSMENT_PLACEHOLDER", "NOT_YET", "ChartCollector", "ReportFilters", "Scope", "build_report",
           "chart_item", "reference_day", "report_filters", "scope"]


def build_report(params: ReportParams, on_chart: Callable[[Chart], object] | None = None) -> Report:
    """The complete report for ``params`` on the current database (``monitor.data.db``). ``on_chart`` (optional)
    is called with each :class:`Chart` as soon as it is built, e.g. to start rendering its image early; it
    does not change the report."""
    charts = ChartCollector(on_chart)
    s = scope(params)
    b = s.b
    sheet_rows: dict[str, list] = {k: [] for k in sections.SHEET_KEYS}
    theme_sections, overview_rows, kpi_totals = [], [], [0, 0]
    for theme in s.f.theme_ids():
        section, row, (rated, reached_n) = sections.theme_section(charts, s, theme, sheet_rows)
        theme_sections.append(section)
        overview_rows.append(row)
        kpi_totals[0] += rated
        kpi_totals[1] += reached_n

    # ---- context: demography
    context = indicator_block(charts, DEMOGRAPHY.theme_id, "Bevölkerung", s.chosen_munis, b, s.muni_names)
    sheet_rows["indicators"] += context.rows_long

    # ---- whole-report figures
    funds_all = overview.funds_by_programme(s.f)
    funds_table = sections.funds_table(
        "funds", "Mittel nach Förderprogramm (alle Themen der Auswahl)", funds_all,
        "Eine Initiative mit mehreren Programmen zählt bei jedem Programm voll; Gesamtkosten ohne verworfene "
        "Initiativen.")
    total_granted = float(s.pf["funding_granted_eur"].fillna(0).sum())
    total_cost = float(s.pf.loc[s.pf["status"] != "Verworfen", "total_cost_eur"].fillna(0).sum())
    mix = pd.DataFrame([(s.theme_of[i], s.end_status[i]) for i in s.ids if s.end_status.get(i)],
                       columns=["theme", "status"])
    summary_charts = [c for c in (status_mix_chart(charts, mix, s.stand, s.as_of, s.source_note),) if c]
    funds_charts = [c for c in (funds_chart(charts, funds_all, s.stand, s.source_note),) if c]
    all_charts = summary_charts + [c for x in theme_sections for c in x.charts] + list(context.charts) + funds_charts

    # ---- coordination rounds and organisations
    rounds_table, orgs_table, n_rounds = sections.cooperation(s.f, set(s.ids), params.internal)

    # ---- summary
    totals = layout.theme_totals(overview_rows)
    summary = layout.summary_figures(totals, total_granted, total_cost, n_rounds, len(orgs_table), kpi_totals,
                                     s.as_of)
    overview_table = layout.themes_table(overview_rows)
    summary_text = text.summary_sentence(b.district_name, params, totals, total_granted, n_rounds, len(orgs_table),
                                         kpi_totals)

    # ---- annex, sources, notes
    annex_print, annex_sheet = sections.annex(s.pf, s.end_status, s.as_of, params.internal)
    sources_table, licence_notes = sections.sources_table()
    method = text.method_notes(params, s.as_of, s.day_before, b)
    sheets = layout.sheets(summary, overview_table, sheet_rows, funds_table, rounds_table, orgs_table, params,
                           annex_sheet, sources_table, licence_notes, method, s.day_before, s.as_of)
    blocks = layout.blocks(
        summary=summary, summary_text=summary_text, overview_table=overview_table, summary_charts=summary_charts,
        sections=theme_sections, context_table=context.table, context_charts=list(context.charts),
        funds_table=funds_table, funds_charts=funds_charts, rounds_table=rounds_table, orgs_table=orgs_table,
        params=params, annex=annex_print, sources_table=sources_table, licence_notes=licence_notes, method=method,
        synthetic=s.synthetic, b=b)
    return Report(
        params=params, district_name=b.district_name, state_name=b.state_name or "Land", stand=s.stand,
        stand_statistics=s.stand_statistics, as_of=s.as_of, synthetic=s.synthetic,
        title=f"Bericht zur Pilotaktion „{PILOT_ACTION}“",
        subtitle=f"Berichtszeitraum {fmt.date(params.date_from)} – {fmt.date(params.date_to)}",
        selection=text.selection_text(params, s.muni_names), summary=summary, summary_text=summary_text,
        themes=tuple(theme_sections), sheets=sheets, charts=tuple(all_charts), blocks=tuple(blocks),
        annex=annex_print, sources=sources_table, licence_notes=tuple(licence_notes), method_notes=tuple(method),
    )
