"""The report's indicator parts: per theme the district against the Land (and up to three chosen
municipalities): the long rows for the sheet, a table of the latest values and small-multiple trend charts.
Cached per database version (:data:`BLOCKS`) — the slow part of a report, shared by every period and variant."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitor.core import palette, vocab
from monitor.core.vocab import DEMOGRAPHY, THEME_BY_ID
from monitor.core.cache import Recent
from monitor.data import db
from monitor.data import municipalities as mun
from monitor.figures import indicators as ic
from monitor.report import figures
from monitor.report.content.cells import plain, rounded
from monitor.report.content.charts import CHART_WIDTH, ChartCollector
from monitor.report.content.selection import MAX_MUNICIPALITY_SERIES
from monitor.report.content.text import theme_name
from monitor.report.model import Chart, Column, Table

MAX_PANELS = 8


@dataclass(frozen=True)
class _IndicatorPart:
    rows_long: list[tuple]  # (theme, indicator, unit, region, year, value, note)
    rows_table: list[tuple]
    panels: list[tuple[str, dict]]


def _indicators(theme: str, municipalities: tuple[str, ...], b: mun.Benchmarks,
                names: dict[str, str]) -> _IndicatorPart:
    """Values, a summary row and a trend panel per indicator of ``theme``: the district against the Land (and
    Germany, where the database has it) and up to three chosen municipalities (``names``: AGS -> name)."""
    catalogue = mun.indicator_choices(theme)
    munis = tuple(a for a in municipalities if a in names)[:MAX_MUNICIPALITY_SERIES]
    colour = THEME_BY_ID[theme].colour if theme in THEME_BY_ID and theme != DEMOGRAPHY.theme_id \
        else palette.HIGHLIGHT
    keys = tuple(k for k in (b.district_key, b.state_key, b.germany_key, *munis) if k)
    rows_long, rows_table, panels = [], [], []
    for entry in catalogue.itertuples(index=False):
        series = mun.indicator_series(entry.indicator_id, keys)
        if series.empty:
            continue
        name, unit, decimals = str(entry.name_de), str(entry.unit), int(entry.decimals)  # decimals: table rounding
        series_break = vocab.parse_series_break(plain(entry.series_break))
        for r in series.itertuples(index=False):
            note = vocab.flag_label(r.flag) if isinstance(plain(r.flag), str) else ""
            rows_long.append((theme_name(theme), name, unit, str(r.name), int(r.year), plain(r.value), note))
        district = series[series["region_key"] == b.district_key].sort_values("period")
        state = series[series["region_key"] == b.state_key]
        latest = district.dropna(subset=["value"])
        year = int(latest["year"].iloc[-1]) if not latest.empty else None
        value = plain(latest["value"].iloc[-1]) if not latest.empty else None
        state_value = _value_or_reason(state, year, decimals) if year is not None else None
        germany = ((_value_or_reason(series[series["region_key"] == b.germany_key], year, decimals)
                    if year is not None else None),) if b.germany_key else ()
        first_year, change = None, None
        if len(latest) >= 2:
            first = latest.iloc[0]
            first_year = int(first["year"])
            crosses = series_break is not None and pd.Timestamp(first["period"]).date() < series_break.date <= \
                pd.Timestamp(latest["period"].iloc[-1]).date()
            if not crosses and plain(first["value"]) not in (None, 0):
                change = 100.0 * (float(value) - float(first["value"])) / abs(float(first["value"]))
        muni_values = [_value_or_reason(series[series["region_key"] == a], year, decimals) if year else None
                       for a in munis]
        rows_table.append((name, unit, year, rounded(value, decimals), state_value, *germany, *muni_values,
                           first_year, change))
        panels.append(trend_panel(name, unit, series_break, series, b, munis, names, colour))
    return _IndicatorPart(rows_long, rows_table, panels)




def _value_or_reason(rows: pd.DataFrame, year: int, decimals: int):
    """The value of ``year`` in ``rows`` (one region's series) rounded to ``decimals``; a withheld value
    (NULL with its flag) as 'k. A. – <reason>' so the table never shows it as a bare gap; None without a row."""
    part = rows[rows["year"] == year]
    if part.empty:
        return None
    value, flag = plain(part["value"].iloc[-1]), plain(part["flag"].iloc[-1])
    if value is None:
        return f"k. A. – {vocab.flag_label(flag)}" if isinstance(flag, str) else None
    return rounded(value, decimals)


@dataclass(frozen=True)
class IndicatorBlock:
    """A theme's indicator part of the report: the long rows for the sheet, the table and the panel portfolio."""

    rows_long: tuple[tuple, ...]
    table: Table
    charts: tuple[Chart, ...]


#: Indicator blocks by (database version, theme, label, municipalities, benchmarks): they depend on nothing
#: else, so a new period, theme choice, status or variant of the report reuses them (the slow part of a report).
BLOCKS: Recent[IndicatorBlock] = Recent(64)


def indicator_block(charts: ChartCollector, theme: str, label: str, municipalities: tuple[str, ...],
                    b: mun.Benchmarks, names: dict[str, str]) -> IndicatorBlock:
    """The indicator block of ``theme`` (``label`` names it in chart titles) for the chosen municipalities,
    cached per database version; every chart, cached or new, is handed to ``charts``."""
    munis = tuple(a for a in municipalities if a in names)[:MAX_MUNICIPALITY_SERIES]
    key = (db.current_stamp(), theme, label, tuple((a, names[a]) for a in munis), b)
    block = BLOCKS.get(key)
    if block is not None:
        charts.add_all(block.charts)
        return block
    part = _indicators(theme, munis, b, names)
    block = IndicatorBlock(tuple(part.rows_long), indicator_table(theme, part.rows_table, b, list(munis), names),
                           tuple(panel_charts(charts, theme, label, part.panels, b)))
    BLOCKS.put(key, block)
    return block


def trend_panel(name, unit, series_break, series, b, munis, names, colour):
    """(label, panel) of one indicator for the small multiples (:func:`figures.trend_panel`): the district,
    the Land and the municipalities; an index (first year = 100) when district and Land are totals."""
    as_index = is_total(series, b)
    trend = series.assign(series=series["name"])
    if as_index:
        trend = mun.to_index(trend)
    styles = {b.district_name: ic.SeriesStyle(colour, "solid", 2.5)}
    if b.state_name:
        styles[b.state_name] = ic.SeriesStyle(palette.STATE_LINE, "dash", 2)
    if b.germany_name:
        styles[b.germany_name] = ic.REFERENCE_STYLES["bund"]
    dashes = ("dot", "dashdot", "longdash")
    for n, a in enumerate(munis):
        styles[names[a]] = ic.SeriesStyle(palette.DISTRICT_LINE, dashes[n % len(dashes)], 1.8)
    panel = figures.trend_panel(trend, styles=styles, series_break=series_break)
    return f"{name} ({'Index, erstes Jahr = 100' if as_index else unit})", panel


def is_total(series: pd.DataFrame, b: mun.Benchmarks) -> bool:
    """True when district and Land values differ by more than a factor of three — they are totals (e.g.
    inhabitants), not rates, and only their development (an index) can be compared."""
    d = series.loc[series["region_key"] == b.district_key, "value"].dropna().abs()
    s = series.loc[series["region_key"] == b.state_key, "value"].dropna().abs()
    if d.empty or s.empty or float(d.max()) == 0 or float(s.max()) == 0:
        return False
    ratio = float(s.max()) / float(d.max())
    return ratio > 3 or ratio < 1 / 3


def indicator_table(theme: str, rows: list[tuple], b: mun.Benchmarks, munis: list[str],
                    names: dict[str, str]) -> Table:
    """The table of a theme's indicators: latest value of the district, the Land and the municipalities."""
    cols = [Column("indicator", "Indikator", width=2.6), Column("unit", "Einheit", width=1.1),
            Column("year", "Jahr", "text", width=0.6), Column("district", b.district_name, "auto", width=1.2),
            Column("state", b.state_name or "Land", "auto", width=1.1)]
    if b.germany_key:
        cols.append(Column("germany", b.germany_name, "auto", width=1.1))
    cols += [Column(f"municipality_{a}", names[a], "auto") for a in munis]
    cols += [Column("first_year", "seit", "text", width=0.6),
             Column("change", f"Veränderung {b.district_name}", "percent", 1, width=1.2)]
    rows = [(r[0], r[1], None if r[2] is None else str(r[2]), *r[3:-2], None if r[-2] is None else str(r[-2]), r[-1])
            for r in rows]
    return Table(f"indicators_{theme}", "Indikatoren: neuester Wert und Entwicklung", tuple(cols), tuple(rows),
                 empty_text="Für dieses Thema sind keine Indikatoren geladen.",
                 note="Neuester Jahreswert; Veränderung des Kreiswerts seit dem ersten Jahr der Reihe (leer bei einem "
                      "Bruch in der Zeitreihe oder ohne Vergleichswert)." + (
                          f" {b.germany_name}: leer, wo für das Jahr kein Bundeswert geladen ist." if b.germany_key
                          else ""))


def panel_charts(charts: ChartCollector, theme: str, name: str, panels: list[tuple[str, dict]],
                 b: mun.Benchmarks) -> list[Chart]:
    """The small-multiple charts of a theme, at most :data:`MAX_PANELS` panels each, handed to ``charts``."""
    out = []
    chunks = [panels[i:i + MAX_PANELS] for i in range(0, len(panels), MAX_PANELS)]
    for n, chunk in enumerate(chunks, 1):
        suffix = f" ({n}/{len(chunks)})" if len(chunks) > 1 else ""
        fig = figures.small_multiples(chunk, title=f"Indikatoren {name}: {b.district_name} im Vergleich{suffix}",
                                      width=CHART_WIDTH)
        sources_text = "; ".join(dict.fromkeys(indicator_sources(theme)))
        out.append(charts.chart(f"indicators_{theme}_{n}", fig,
                                f"Indikatoren {name}: {mun.benchmark_names(b)} im "
                                f"Zeitverlauf. Quelle: {sources_text or 'amtliche Statistik'}.",
                                f"Liniendiagramme je Indikator{suffix}"))
    return out


def indicator_sources(theme: str) -> list[str]:
    """The source of every indicator of ``theme`` (repeats included)."""
    cat = mun.indicator_choices(theme)
    return [str(s) for s in cat["source"]]

