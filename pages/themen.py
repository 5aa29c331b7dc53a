"""Themen: one theme at a time — its initiatives, their status over time, KPIs target vs actual, and the
indicators the theme is meant to move (district against Saxony, municipalities ranked)."""
import streamlit as st

from monitor.core import palette
from monitor.data import themes
from monitor.figures import indicators
from monitor.app import sidebar, ui
from monitor.core import format as fmt, vocab
from monitor.data import municipalities as mun
from monitor.core.vocab import THEME_BY_ID, THEMES

KPI_CHART_LIMIT = 20  # KPIs in the attainment chart (a large portfolio: the table has them all)
MISSING_LISTED = 10  # municipalities without a value named under the ranking

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
theme_ids = [t.theme_id for t in THEMES]
ui.page_header("Themen", "Initiativen, Fortschritt und Kennzahlen je Thema")
theme = st.selectbox(
    "Thema", theme_ids, index=theme_ids.index(themes.default_theme(f)),
    format_func=lambda t: THEME_BY_ID[t].name_de, key="themenfeld", bind="query-params",
)
info = THEME_BY_ID[theme]
stand = ui.stand()

# ---------------------------------------------------------------- 2. data
initiatives = themes.theme_initiatives(f, theme)
kpis = themes.theme_kpis(f, theme)
summary = themes.theme_summary(initiatives, kpis)
progress = themes.status_progress(f, theme)
catalogue = mun.indicator_catalogue(theme)

# ---------------------------------------------------------------- 3. render
st.subheader(info.name_de)
st.caption(f"Zeitraum {f.period_text()} · Initiativen mit Hauptthema {info.name_de}"
           + (" · Gemeinde- und Statusfilter der Seitenleiste angewendet" if f.municipalities or f.statuses else ""))
cols = st.columns([0.9, 1.1, 0.9, 1.1, 1.4])
cols[0].metric("Initiativen", fmt.number(summary.initiatives),
               help="Initiativen mit diesem Hauptthema, die zu den Filtern passen.")
cols[1].metric("Bewilligt oder in Umsetzung", fmt.number(summary.running))
cols[2].metric("Abgeschlossen", fmt.number(summary.completed))
cols[3].metric("Fördermittel bewilligt", fmt.eur_compact(summary.funding_granted_eur))
cols[4].metric("Kennzahlen am Ziel", f"{fmt.number(summary.kpis_reached)} von {fmt.number(summary.kpis_rated)}",
               help=f"Kennzahlen mit Ist- und Zielwert, deren Istwert das Ziel erreicht hat; "
                    f"{fmt.number(summary.kpis - summary.kpis_rated)} weitere haben noch keinen Istwert.")

main = initiatives[initiatives["is_primary"]]
further = initiatives[~initiatives["is_primary"]]
st.markdown("#### Initiativen")
if main.empty:
    ui.empty_state(f"Keine Initiativen mit Hauptthema {info.name_de} für die gewählten Filter.")
else:
    st.dataframe(themes.initiative_table(ui.capped(main, "Initiativen")), hide_index=True, width="stretch",
                 key="themen_tabelle")
if not further.empty:
    with st.expander(f"{fmt.number(len(further))} weitere Initiative(n) mit {info.name_de} als weiterem Thema"):
        st.dataframe(themes.initiative_table(ui.capped(further, "Initiativen")), hide_index=True, width="stretch",
                     key="themen_tabelle_weitere")

st.markdown("#### Fortschritt")
if progress.empty:
    ui.empty_state("Für diese Auswahl gibt es keinen Statusverlauf im Zeitraum.")
else:
    ui.plotly(indicators.status_progress_figure(
        progress, title=f"Status der Initiativen je Monat – {info.short_de}", stand=stand), key="themen_verlauf")
    st.caption("Stand jeweils am Monatsende, aus dem Statusverlauf der Initiativen.")

st.markdown("#### Kennzahlen: Ziel und Ist")
if kpis.empty:
    ui.empty_state("Zu diesen Initiativen sind keine Kennzahlen erfasst.")
else:
    measured = kpis[kpis["actual"].notna()]
    if measured.empty:
        ui.empty_state("Noch keine Kennzahl dieser Initiativen hat einen Istwert.")
    else:
        ui.plotly(indicators.kpi_figure(measured.head(KPI_CHART_LIMIT), title=f"Zielerreichung der Kennzahlen – "
                                    f"{info.short_de}", stand=stand, colour=info.colour), key="themen_kennzahlen")
    notes = []
    if len(measured) > KPI_CHART_LIMIT:
        notes.append(f"Gezeigt: die ersten {KPI_CHART_LIMIT} von {fmt.number(len(measured))} Kennzahlen mit "
                     "Istwert (nach Initiative).")
    if len(kpis) > len(measured):
        notes.append(f"{fmt.number(len(kpis) - len(measured))} Kennzahl(en) noch ohne Istwert – in der Tabelle.")
    if notes:
        st.caption(" ".join(notes))
with st.expander("Kennzahlen als Tabelle (Ausgangs-, Ziel- und Istwert mit Einheit)", expanded=False):
    if kpis.empty:
        st.caption("Keine Kennzahlen.")
    else:
        st.dataframe(themes.kpi_table(ui.capped(kpis, "Kennzahlen")), hide_index=True, width="stretch",
                     key="themen_kpi_tabelle")

st.markdown("#### Indikatoren, die das Thema bewegen soll")
if catalogue.empty:
    ui.empty_state(f"Für {info.name_de} sind keine Indikatoren mit Werten geladen.")
else:
    names = dict(zip(catalogue["indicator_id"], catalogue["name_de"] + " (" + catalogue["unit"] + ")"))
    indicator_id = st.selectbox("Indikator", list(names), format_func=names.__getitem__, key="themen_indikator",
                                bind="query-params")
    ind = mun.indicator_info(indicator_id)
    b = mun.benchmarks()
    trend = mun.region_trend(indicator_id, None)
    ranking, year = mun.municipal_values(indicator_id)
    reference = mun.comparable_benchmarks(indicator_id, year) if year else {}
    as_index = bool(year) and not reference  # district and Land are totals: compare their development
    trend_unit = "Index (erstes Jahr = 100)" if as_index else ind.unit
    if as_index:
        trend = mun.to_index(trend)
    styles = {b.district_name: indicators.SeriesStyle(info.colour)}
    if b.state_name:
        styles[b.state_name] = indicators.SeriesStyle(palette.STATE_LINE, "dash")
    trend_stand = trend["period"].max() if not trend.empty else None
    highlight = tuple(ranking.loc[ranking["ags"].isin(f.municipalities), "name"])
    c1, c2 = st.columns(2)
    with c1:
        ui.plotly(indicators.trend_figure(
            trend, title=f"{ind.name} im Zeitverlauf", unit=trend_unit,
            decimals=1 if as_index else ind.decimals, stand=trend_stand, styles=styles,
            series_break=ind.series_break), key="themen_trend")
        if as_index:
            st.caption(f"{b.district_name} und {b.state_name or 'Land'} sind Summen: gezeigt wird die Entwicklung "
                       f"als Index (erstes Jahr = 100).")
        for note in indicators.gap_notes(trend):
            st.caption(f"Lücke: {note}")
    with c2:
        if ranking.empty or year is None:
            ui.empty_state("Keine Gemeindewerte für diesen Indikator.")
        else:
            ui.plotly(indicators.ranking_figure(
                ranking, title=f"{ind.name} {year} nach Gemeinden", unit=ind.unit, decimals=ind.decimals,
                stand=ranking["period"].max(), colour=info.colour, higher_is_better=ind.higher_is_better,
                reference=reference, highlight=highlight), key="themen_rangfolge")
            missing = ranking[ranking["value"].isna()]
            if not missing.empty:
                listed = "; ".join(f"{r.name} – {vocab.flag_label(r.flag)}"
                                   for r in missing.head(MISSING_LISTED).itertuples(index=False))
                more = len(missing) - MISSING_LISTED
                st.caption("Ohne Wert (nicht null): " + listed + (f"; und {fmt.number(more)} weitere" if more > 0
                                                                  else ""))
    st.caption(f"Quelle: {ind.source} · Einheit: {ind.unit}")
