"""Gemeinden: the profile of one municipality (facts, population with the census break, indicators against
the district and Saxony, its initiatives, a small map) and a side-by-side comparison of up to four."""
import streamlit as st


from monitor.core import palette
from monitor.figures import indicators, maps
from monitor.app import sidebar, ui
from monitor.core import format as fmt
from monitor.data import geo
from monitor.data import municipalities as mun
from monitor.report import profile as steckbrief
from monitor.core.vocab import THEME_BY_ID

VALUES, INDEX = "Werte", "Index (erstes Jahr = 100)"

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

# Only the open tab runs (lazy tabs); the tab is part of the address, so a shared link opens the same view.
profile_tab, compare_tab = st.tabs(["Profil", "Vergleich"], key="gemeinde_ansicht", bind="query-params")
b = mun.benchmarks()
catalogue = mun.indicator_catalogue()

if profile_tab.open:
    # ------------------------------------------------------------ 2. data (profile)
    profile = mun.profile(ags)
    population_id = mun.population_indicator()
    initiatives = mun.municipality_initiatives(f, ags)
    map_frame = geo.map_municipalities(None, None)
    map_initiatives = geo.map_initiatives(f.with_(municipalities=(ags,)))

    # ------------------------------------------------------------ 3. render (profile)
    with profile_tab:
        title = profile.name + (f" / {profile.name_sorbian}" if profile.name_sorbian else "")
        st.subheader(title)
        cols = st.columns(4)
        cols[0].metric("Einwohner", fmt.number(profile.population),
                       help=f"Stand {fmt.date(profile.population_date)}")
        cols[1].metric("Fläche", fmt.value_with_unit(profile.area_km2, "km²", 2))
        cols[2].metric("Einwohner je km²", fmt.number(profile.density))
        cols[3].metric("Initiativen", fmt.number(len(initiatives)),
                       help="In der Gemeinde oder kreisweit, passend zu Zeitraum, Thema und Status der Seitenleiste.")
        st.caption(" · ".join(f"{label}: {value}" for label, value in profile.facts()))
        # ---- Steckbrief (PDF): one A4 page, public initiatives only, generated on click
        st.download_button("Steckbrief (PDF)", data=lambda: steckbrief.to_pdf(steckbrief.build_profile(ags, f)),
                           file_name=f"steckbrief_{ags}.pdf", mime=steckbrief.MIME, key="gemeinde_steckbrief",
                           icon=":material/picture_as_pdf:", on_click="ignore",
                           help="Eine Seite A4: Kennzahlen, Einwohnerentwicklung, Indikatoren und öffentliche "
                                "Initiativen – ohne personenbezogene Daten.")

        left, right = st.columns([3, 2])
        with left:
            if population_id is None:
                ui.empty_state("Keine Bevölkerungszahlen geladen.")
            else:
                pop_info = mun.indicator_info(population_id)
                pop = mun.region_trend(population_id, ags)
                pop = pop[pop["role"] == "gemeinde"]
                ui.plotly(indicators.trend_figure(
                    pop, title=f"Einwohner von {profile.name}", unit=pop_info.unit, decimals=pop_info.decimals,
                    stand=pop["period"].max() if not pop.empty else None,
                    styles={profile.name: indicators.SeriesStyle(palette.HIGHLIGHT)},
                    series_break=pop_info.series_break), key="gemeinde_einwohner")
                if pop_info.series_break:
                    st.caption(f"Bruch in der Zeitreihe ab {fmt.date(pop_info.series_break.date)}: "
                               f"{pop_info.series_break.note}. Die Linie wird dort nicht verbunden.")
        with right:
            basemap = st.toggle("Hintergrundkarte", value=False, key="gemeinde_hintergrund", bind="query-params",
                                help="Karte von Carto als Hintergrund – braucht Internet.")
            st.pydeck_chart(maps.locator_map(map_frame, ags, map_initiatives, basemap=basemap), height=340,
                            width="stretch", alt=f"Lage von {profile.name} im {b.district_name}")
            st.caption(f"{profile.name} hervorgehoben (orange); kleine Punkte = Initiativen in der Gemeinde (Farbe = "
                       "Thema)" + ("" if maps.has_boundaries(map_frame) else
                                   "; gestrichelt: Hülle der Gemeindemittelpunkte des Kreises, keine Grenze") + ".")

        st.markdown("#### Indikatoren im Vergleich mit Kreis und Land")
        if catalogue.empty:
            ui.empty_state("Keine Indikatoren geladen.")
        else:
            labels = dict(zip(catalogue["indicator_id"], catalogue["name_de"] + " (" + catalogue["unit"] + ")"))
            c1, c2 = st.columns([3, 2])
            indicator_id = c1.selectbox("Indikator", list(labels), format_func=labels.__getitem__,
                                        key="gemeinde_indikator", bind="query-params")
            ind = mun.indicator_info(indicator_id)
            years = mun.indicator_years(indicator_id)
            comparable = bool(years) and len(mun.comparable_benchmarks(indicator_id, years[0])) > 0
            mode = c2.radio("Darstellung", [VALUES, INDEX], index=0 if comparable else 1, horizontal=True,
                            key="gemeinde_darstellung", bind="query-params",
                            help="Index: jede Reihe relativ zu ihrem ersten Wert – macht Gemeinde und Kreissumme "
                                 "vergleichbar.")
            trend = mun.region_trend(indicator_id, ags)
            unit = ind.unit
            if mode == INDEX:
                trend = mun.to_index(trend)
                unit = "Index (erstes Jahr = 100)"
            # The municipality in its theme's colour; demography's grey would vanish next to the grey benchmarks.
            colour = THEME_BY_ID[ind.theme].colour if ind.theme in THEME_BY_ID and ind.theme != "demography" \
                else palette.HIGHLIGHT
            styles = {profile.name: indicators.SeriesStyle(colour),
                      b.district_name: indicators.SeriesStyle(palette.DISTRICT_LINE, "dash", 2)}
            if b.state_name:
                styles[b.state_name] = indicators.SeriesStyle(palette.STATE_LINE, "dot", 2)
            ui.plotly(indicators.trend_figure(
                trend, title=f"{ind.name}: {profile.name} im Vergleich", unit=unit,
                decimals=ind.decimals if mode == VALUES else 1, stand=trend["period"].max() if not trend.empty else None,
                styles=styles, series_break=ind.series_break), key="gemeinde_indikator_trend")
            notes = indicators.gap_notes(trend)
            st.caption(" · ".join([f"Quelle: {ind.source}", f"Einheit: {ind.unit}"] + [f"Lücke: {n}" for n in notes]))
            if mode == VALUES and not comparable:
                st.caption("Hinweis: Kreis- und Landeswert sind Summen – für den Vergleich die Index-Darstellung "
                           "wählen.")

        st.markdown("#### Initiativen in der Gemeinde")
        if initiatives.empty:
            ui.empty_state(f"Keine Initiativen in {profile.name} für die gewählten Filter.")
        else:
            st.dataframe(mun.initiatives_display(ui.capped(initiatives, "Initiativen")), hide_index=True,
                         width="stretch", key="gemeinde_initiativen")
            n_wide = int(initiatives["districtwide"].sum())
            if n_wide:
                st.caption(f"Davon {n_wide} kreisweit (Wirkungsort „kreisweit“): sie gelten für jede Gemeinde.")

# ---------------------------------------------------------------- comparison
if compare_tab.open:
    with compare_tab:
        chosen = st.multiselect("Gemeinden vergleichen (bis zu vier)", ags_list, default=[ags],
                                format_func=names.__getitem__, max_selections=4, key="gemeinden_vergleich",
                                bind="query-params", placeholder="Gemeinden wählen")
        if not chosen:
            ui.empty_state("Bitte eine bis vier Gemeinden für den Vergleich wählen.")
        else:
            table = mun.comparison_table(tuple(chosen))
            if table.empty:
                ui.empty_state("Für die gewählten Gemeinden liegen keine Indikatorwerte vor.")
            else:
                st.dataframe(table, hide_index=True, width="stretch", key="vergleich_tabelle")
                st.caption(f"Neuester Wert je Indikator (Jahr in Klammern, wenn älter); {b.district_name} und "
                           f"{b.state_name or 'Land'} zum Vergleich. k. A. = kein Wert veröffentlicht (nicht null).")
                labels = dict(zip(catalogue["indicator_id"], catalogue["name_de"] + " (" + catalogue["unit"] + ")"))
                compare_id = st.selectbox("Indikator für die Grafik", list(labels), format_func=labels.__getitem__,
                                          key="vergleich_indikator", bind="query-params")
                cind = mun.indicator_info(compare_id)
                values, year = mun.comparison_values(compare_id, tuple(chosen))
                reference = mun.comparable_benchmarks(compare_id, year) if year else {}
                colour = THEME_BY_ID[cind.theme].colour if cind.theme in THEME_BY_ID else palette.HIGHLIGHT
                ui.plotly(indicators.comparison_figure(
                    values, title=f"{cind.name} {year or ''}".strip(), unit=cind.unit, decimals=cind.decimals,
                    stand=values["period"].max() if not values.empty else None, colour=colour, reference=reference),
                    key="vergleich_grafik")
                st.caption(f"Quelle: {cind.source} · Einheit: {cind.unit}"
                           + ("" if reference else f" · {b.district_name}/{b.state_name or 'Land'} als Summe nicht "
                                                   "als Linie gezeigt"))
