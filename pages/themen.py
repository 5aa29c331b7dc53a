"""Themen: one theme at a time — its initiatives, their status over time, KPIs target vs actual, and the
indicators the theme is meant to move (district against Saxony, municipalities ranked)."""
import streamlit as st

from monitor.app import sidebar, ui
from monitor.core import format as fmt
from monitor.core.vocab import THEME_BY_ID, THEMES
from monitor.data import municipalities as mun
from monitor.data import map_values, themes
from monitor.figures import indicators

KPI_CHART_LIMIT = 20  # KPIs in the attainment chart (a large portfolio: the table has them all)

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
theme_ids = [t.theme_id for t in THEMES]
ui.page_header("Themen", "Initiativen, Fortschritt und Kennzahlen je Thema")
theme = st.selectbox(
    "Thema", theme_ids, index=theme_ids.index(themes.default_theme(f)),
    format_func=lambda t: THEME_BY_ID[t].name_de, key="themenfeld", bind="query-params",
)
stand = ui.stand()
body = st.container()  # the theme's numbers, initiatives, progress and KPIs: drawn once the data is loaded
st.markdown("#### Indikatoren, die das Thema bewegen soll")
labels = mun.indicator_labels(theme)
indicator_id, year = None, None
if labels:
    c1, c2 = st.columns([4, 1])
    indicator_id = c1.selectbox("Indikator", list(labels), format_func=labels.__getitem__, key="themen_indikator",
                                bind="query-params")
    years = themes.indicator_years(indicator_id).with_values
    if years:
        year = c2.selectbox("Jahr", years, key="themen_jahr", bind="query-params",
                            help="Jahre mit Gemeindewerten; vorgewählt das neueste Jahr mit mindestens einem Wert.")

# ---------------------------------------------------------------- 2. data
d = themes.load(f, theme, indicator_id, year)
info = d.theme

# ---------------------------------------------------------------- 3. render
with body:
    st.subheader(info.name_de)
    st.caption(f"Zeitraum {f.period_text()} · Initiativen mit Hauptthema {info.name_de}"
               + (" · Gemeinde- und Statusfilter der Seitenleiste angewendet" if f.municipalities or f.statuses
                  else ""))
    s = d.summary
    cols = st.columns([0.9, 1.1, 0.9, 1.1, 1.4])
    cols[0].metric("Initiativen", fmt.number(s.initiatives),
                   help="Initiativen mit diesem Hauptthema, die zu den Filtern passen.")
    cols[1].metric("Bewilligt oder in Umsetzung", fmt.number(s.running))
    cols[2].metric("Abgeschlossen", fmt.number(s.completed))
    cols[3].metric("Fördermittel bewilligt", fmt.eur_compact(s.funding_granted_eur))
    cols[4].metric("Kennzahlen am Ziel", f"{fmt.number(s.kpis_reached)} von {fmt.number(s.kpis_rated)}",
                   help=f"Kennzahlen mit Ist- und Zielwert, deren Istwert das Ziel erreicht hat; "
                        f"{fmt.number(s.kpis - s.kpis_rated)} weitere haben noch keinen Istwert.")

    st.markdown("#### Initiativen")
    if ui.rows_or_empty(d.initiatives, "themen_tabelle",
                        f"Keine Initiativen mit Hauptthema {info.name_de} für die gewählten Filter."):
        ui.figure_caption(d.source, as_of=stand)
        ui.table_downloads(d.initiatives, "themen_tabelle", f, f"Initiativen {info.name_de}", d.source, as_of=stand)
    if not d.further.empty:
        with st.expander(f"{fmt.number(len(d.further))} weitere Initiative(n) mit {info.name_de} als weiterem Thema"):
            st.dataframe(ui.capped(d.further, "Initiativen"), hide_index=True, width="stretch",
                         key="themen_tabelle_weitere")
            ui.figure_caption(d.source, as_of=stand)
            ui.table_downloads(d.further, "themen_tabelle_weitere", f, f"Weitere Initiativen {info.name_de}",
                               d.source, as_of=stand)

    st.markdown("#### Fortschritt")
    if d.progress.empty:
        ui.empty_state("Für diese Auswahl gibt es keinen Statusverlauf im Zeitraum.")
    else:
        ui.plotly(ui.figure((d.key, "verlauf"), lambda: indicators.status_progress_figure(
            d.progress, title=f"Status der Initiativen je Monat – {info.short_de}", stand=stand)),
            key="themen_verlauf")
        ui.figure_caption(d.source, unit="Anzahl Initiativen", as_of=stand)
        st.caption("Stand jeweils am Monatsende, aus dem Statusverlauf der Initiativen.")

    st.markdown("#### Kennzahlen: Ziel und Ist")
    if d.kpis.empty:
        ui.empty_state("Zu diesen Initiativen sind keine Kennzahlen erfasst.")
    else:
        if d.measured.empty:
            ui.empty_state("Noch keine Kennzahl dieser Initiativen hat einen Istwert.")
        else:
            ui.plotly(ui.figure((d.key, "kennzahlen"), lambda: indicators.kpi_figure(
                d.measured.head(KPI_CHART_LIMIT), title=f"Zielerreichung der Kennzahlen – {info.short_de}",
                stand=stand, colour=info.colour)), key="themen_kennzahlen")
            ui.figure_caption(d.source, unit="% Zielerreichung (0 % = Ausgangswert, 100 % = Zielwert)", as_of=stand)
        notes = []
        if len(d.measured) > KPI_CHART_LIMIT:
            notes.append(f"Gezeigt: die ersten {KPI_CHART_LIMIT} von {fmt.number(len(d.measured))} Kennzahlen mit "
                         "Istwert (nach Initiative).")
        if len(d.kpis) > len(d.measured):
            notes.append(f"{fmt.number(len(d.kpis) - len(d.measured))} Kennzahl(en) noch ohne Istwert – in der "
                         "Tabelle.")
        if notes:
            st.caption(" ".join(notes))
    with st.expander("Kennzahlen als Tabelle (Ausgangs-, Ziel- und Istwert mit Einheit)", expanded=False):
        if d.kpis.empty:
            st.caption("Keine Kennzahlen.")
        else:
            st.dataframe(ui.capped(d.kpi_table, "Kennzahlen"), hide_index=True, width="stretch",
                         key="themen_kpi_tabelle")
            ui.figure_caption(d.source, as_of=stand)
            ui.table_downloads(d.kpi_table, "themen_kpi_tabelle", f, f"Kennzahlen {info.name_de}", d.source,
                               as_of=stand)

if d.indicator is None:
    ui.empty_state(f"Für {info.name_de} sind keine Indikatoren mit Werten geladen.")
else:
    x = d.indicator
    ind, b = x.trend.info, x.benchmarks
    c1, c2 = st.columns(2)
    with c1:
        ui.plotly(ui.figure((d.key, "trend"), lambda: indicators.region_trend_figure(
            x.trend, title=f"{ind.name} im Zeitverlauf", colour=info.colour)), key="themen_trend")
        if x.trend.as_index:
            st.caption(f"{ui.md(mun.benchmark_names(b))} sind Summen: gezeigt wird die Entwicklung als Index "
                       f"(erstes Jahr = 100).")
        for note in indicators.gap_notes(x.trend.data):
            st.caption(f"Lücke: {ui.md(note)}")
    with c2:
        if x.ranking.empty or x.year is None:
            ui.empty_state("Keine Gemeindewerte für diesen Indikator.")
        else:
            ui.plotly(ui.figure((d.key, "rangfolge"), lambda: indicators.ranking_figure(
                x.ranking, title=f"{ind.name} {x.year} nach Gemeinden", unit=ind.unit, decimals=ind.decimals,
                stand=x.ranking["period"].max(), colour=info.colour, higher_is_better=ind.higher_is_better,
                reference=x.reference, highlight=x.highlight, reference_roles=b.roles())), key="themen_rangfolge")
            ui.table_downloads(lambda: map_values.values_export(x.ranking, unit=ind.unit), "themen_rangfolge", f,
                               f"{ind.name} {x.year} nach Gemeinden", ind.source,
                               as_of=map_values.latest_period(x.ranking), unit=ind.unit,
                               indicator_id=ind.indicator_id)
            if x.missing_text:
                st.caption(ui.md(x.missing_text))
        if x.year_note:
            st.caption(ui.md(x.year_note))
    st.caption(f"Quelle: {ui.md(ind.source)} · Einheit: {ui.md(ind.unit)}")
