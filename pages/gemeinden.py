"""Gemeinden: the profile of one municipality (facts, population with the census break, indicators against
the district and Saxony, its initiatives, a small map) and a side-by-side comparison of up to four."""
import streamlit as st

from monitor.app import sidebar, ui
from monitor.core import format as fmt, palette
from monitor.data import audit, geo, map_values
from monitor.data import municipalities as mun
from monitor.figures import indicators, maps
from monitor.report import profile as steckbrief

VALUES, INDEX = "Werte", mun.INDEX_UNIT

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
ui.page_header("Gemeinden", "Profil einer Gemeinde und Vergleich von bis zu vier Gemeinden")
options = mun.municipality_table()
if options.empty:
    ui.empty_state("Es sind keine Gemeinden geladen.")
    st.stop()
names = dict(zip(options["ags"], options["name"]))
ags_list = list(names)
default_ags = mun.default_municipality(f)
default_ags = default_ags if default_ags in names else ags_list[0]
ags = st.selectbox("Gemeinde", ags_list, index=ags_list.index(default_ags), format_func=names.__getitem__,
                   key="gemeinde_profil", bind="query-params",
                   help="Vorauswahl: die erste Gemeinde aus dem Filter der Seitenleiste, sonst die Gemeinde mit "
                        "den meisten eigenen Initiativen im Zeitraum.")
labels = mun.indicator_labels()

# Only the open tab runs (lazy tabs); the tab is part of the address, so a shared link opens the same view.
profile_tab, compare_tab = st.tabs([mun.PROFILE, mun.COMPARISON], key="gemeinde_ansicht", bind="query-params")

if profile_tab.open:
    with profile_tab:
        top = st.container()  # facts, Steckbrief, population and map: drawn once the data is loaded
        heading = st.empty()  # names the benchmarks once they are loaded
        indicator_id, as_index = None, False
        if labels:
            c1, c2 = st.columns([3, 2])
            indicator_id = c1.selectbox("Indikator", list(labels), format_func=labels.__getitem__,
                                        key="gemeinde_indikator", bind="query-params")
            as_index = c2.radio("Darstellung", [VALUES, INDEX], index=1 if mun.index_by_default(indicator_id) else 0,
                                horizontal=True, key="gemeinde_darstellung", bind="query-params",
                                help="Index: jede Reihe relativ zu ihrem ersten Wert – macht Gemeinde und "
                                     "Kreissumme vergleichbar.") == INDEX

    # ------------------------------------------------------------ 2. data (profile)
    d = mun.load(f, ags, mun.PROFILE, indicator_id=indicator_id, as_index=as_index)
    p, b = d.profile, d.benchmarks
    profile = p.profile
    map_frame = geo.map_municipalities(None, None)
    map_initiatives = geo.map_initiatives(f.with_(municipalities=(ags,)))

    # ------------------------------------------------------------ 3. render (profile)
    heading.markdown("#### Indikatoren im Vergleich mit Kreis, Land und Deutschland" if b.germany_key else
                     "#### Indikatoren im Vergleich mit Kreis und Land")
    with top:
        st.subheader(ui.md(profile.name) + (f" / {ui.md(profile.name_sorbian)}" if profile.name_sorbian else ""))
        cols = st.columns(4)
        cols[0].metric("Einwohner", fmt.number(profile.population),
                       help=f"Stand {fmt.date(profile.population_date)}")
        cols[1].metric("Fläche", fmt.value_with_unit(profile.area_km2, "km²", 2))
        cols[2].metric("Einwohner je km²", fmt.number(profile.density))
        cols[3].metric("Initiativen", fmt.number(len(p.initiatives)),
                       help="In der Gemeinde oder kreisweit, passend zu Zeitraum, Thema und Status der Seitenleiste.")
        st.caption(" · ".join(f"{label}: {ui.md(value)}" for label, value in profile.facts()))
        # ---- Steckbrief (PDF): one A4 page, public initiatives only, generated on click
        st.download_button("Steckbrief (PDF)", data=audit.logged(
                           lambda: steckbrief.to_pdf(steckbrief.build_profile(ags, f)), f.access, "steckbrief",
                           audit.describe(f.with_(municipalities=(ags,)))),
                           file_name=f"steckbrief_{ags}.pdf", mime=steckbrief.MIME, key="gemeinde_steckbrief",
                           icon=":material/picture_as_pdf:", on_click="ignore",
                           help="Eine Seite A4: Kennzahlen, Einwohnerentwicklung, Indikatoren und öffentliche "
                                "Initiativen – ohne personenbezogene Daten.")

        left, right = st.columns([3, 2])
        with left:
            if p.population is None:
                ui.empty_state("Keine Bevölkerungszahlen geladen.")
            else:
                ui.plotly(indicators.region_trend_figure(p.population, title=f"Einwohner von {profile.name}",
                                                         colour=palette.HIGHLIGHT), key="gemeinde_einwohner")
                ui.figure_caption(p.population.info.source, unit=p.population.info.unit,
                                  as_of=profile.population_date)
                series_break = p.population.info.series_break
                if series_break:
                    st.caption(f"Bruch in der Zeitreihe ab {fmt.date(series_break.date)}: "
                               f"{ui.md(series_break.note)}. Die Linie wird dort nicht verbunden.")
        with right:
            style = geo.basemap_style()
            basemap = style and st.toggle("Hintergrundkarte", value=False, key="gemeinde_hintergrund",
                                          bind="query-params", help="Karte des Kartendienstes der Verwaltung als "
                                                                    "Hintergrund.")
            st.pydeck_chart(maps.locator_map(map_frame, ags, map_initiatives, basemap=style if basemap else None),
                            height=340, width="stretch", alt=f"Lage von {profile.name} im {b.district_name}")
            st.caption(f"{ui.md(profile.name)} hervorgehoben (orange); kleine Punkte = Initiativen in der Gemeinde "
                       "(Farbe = Thema)" + ("" if map_values.has_boundaries(map_frame) else
                                   "; gestrichelt: Hülle der Gemeindemittelpunkte des Kreises, keine Grenze") + ".")
            ui.figure_caption(p.map_source)

    with profile_tab:
        if p.indicator is None:
            ui.empty_state("Keine Indikatoren geladen.")
        else:
            ind = p.indicator.info
            ui.plotly(indicators.region_trend_figure(
                p.indicator, title=f"{ind.name}: {profile.name} im Vergleich",
                colour=indicators.theme_colour(ind.theme, beside_grey=True)), key="gemeinde_indikator_trend")
            notes = indicators.gap_notes(p.indicator.data)
            st.caption(" · ".join([f"Quelle: {ui.md(ind.source)}", f"Einheit: {ui.md(ind.unit)}"]
                                  + [f"Lücke: {ui.md(n)}" for n in notes]))
            if p.totals_hint:
                st.caption("Hinweis: Kreis- und Landeswert sind Summen – für den Vergleich die Index-Darstellung "
                           "wählen.")

        st.markdown("#### Initiativen in der Gemeinde")
        if ui.rows_or_empty(p.initiatives, "gemeinde_initiativen",
                            f"Keine Initiativen in {ui.md(profile.name)} für die gewählten Filter."):
            ui.figure_caption(p.source)
            ui.table_downloads(p.initiatives, "gemeinde_initiativen", f, f"Initiativen in {profile.name}", p.source)
            if p.districtwide:
                st.caption(f"Davon {p.districtwide} kreisweit (Wirkungsort „kreisweit“): sie gelten für jede "
                           "Gemeinde.")

# ---------------------------------------------------------------- comparison
if compare_tab.open:
    with compare_tab:
        chosen = st.multiselect("Gemeinden vergleichen (bis zu vier)", ags_list, default=[ags],
                                format_func=names.__getitem__, max_selections=4, key="gemeinden_vergleich",
                                bind="query-params", placeholder="Gemeinden wählen")
        table_box = st.container()  # the table comes before the chart's indicator selector
        compare_id = st.selectbox("Indikator für die Grafik", list(labels), format_func=labels.__getitem__,
                                  key="vergleich_indikator", bind="query-params") if chosen and labels else None

    d = mun.load(f, ags, mun.COMPARISON, chosen=tuple(chosen), compare_id=compare_id)
    c, b = d.comparison, d.benchmarks

    with table_box:
        if not chosen:
            ui.empty_state("Bitte eine bis vier Gemeinden für den Vergleich wählen.")
        elif c.table.empty:
            ui.empty_state("Für die gewählten Gemeinden liegen keine Indikatorwerte vor.")
        else:
            st.dataframe(c.table, hide_index=True, width="stretch", key="vergleich_tabelle")
            st.caption(f"Neuester Wert je Indikator (Jahr in Klammern, wenn älter); {ui.md(mun.benchmark_names(b))} "
                       f"zum Vergleich. k. A. = kein Wert veröffentlicht (nicht null).")
            ui.figure_caption(c.table_source, as_of=c.table_stand)
            ui.table_downloads(lambda: mun.comparison_export(tuple(chosen)), "vergleich_tabelle", f,
                               "Gemeindevergleich", c.table_source, as_of=c.table_stand, licence_kind="statistics")
    if c.info is not None:
        with compare_tab:
            ui.plotly(indicators.comparison_figure(
                c.values, title=f"{c.info.name} {c.year or ''}".strip(), unit=c.info.unit, decimals=c.info.decimals,
                stand=c.values["period"].max() if not c.values.empty else None,
                colour=indicators.theme_colour(c.info.theme), reference=c.reference, reference_roles=b.roles()),
                key="vergleich_grafik")
            st.caption(f"Quelle: {ui.md(c.info.source)} · Einheit: {ui.md(c.info.unit)}"
                       + ("" if c.reference else f" · {ui.md(mun.benchmark_names(b, '/'))} als Summe nicht als "
                                                 "Linie gezeigt"))
