"""The one-page Gemeinde-Steckbrief (municipality profile) as PDF, from the Gemeinden page.

Content (:func:`build_profile`): name (and Sorbian name), key facts, the population development as an index
against the district and the Land (with the census break), the latest value of every indicator beside the
district and the Land (:func:`monitor.data.municipalities.comparison_table`), and the *public* initiatives working
in the municipality (:func:`monitor.data.municipalities.municipality_initiatives` through
:class:`monitor.report.content.ReportFilters`, so non-public ones never appear). No personal data.
The page is shrunk to fit one A4 page if the lists are long (the initiative list is cut with a note first).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from monitor.core import palette
from monitor.data import meta
from monitor.core import format as fmt
from monitor.data import municipalities as mun
from monitor.data import sources
from monitor.data.filters import Filters
from monitor.report import figures, pdf
from monitor.report.content import ReportFilters, chart_item
from monitor.report.model import Chart, Column, KeyFigure, Table
from monitor.figures import indicators as ic
from monitor.core.vocab import THEME_BY_ID

MAX_INITIATIVES = 8
MIME = pdf.MIME


@dataclass(frozen=True)
class Profile:
    """Everything on the Steckbrief of one municipality."""

    ags: str
    name: str
    name_sorbian: str | None
    district_name: str
    stand: dt.date | None
    synthetic: bool
    facts: tuple[KeyFigure, ...]
    facts_line: str
    chart: Chart | None
    indicators: Table
    initiatives: Table
    more_initiatives: int
    sources_text: str
    period_text: str

    def file_name(self) -> str:
        return f"steckbrief_{self.ags}.pdf"


def build_profile(ags: str, filters: Filters | None = None) -> Profile | None:
    """The Steckbrief of municipality ``ags`` (None when unknown); initiatives matching ``filters``' period,
    themes and statuses (default: the whole portfolio), public ones only."""
    p = mun.profile(ags)
    if p is None:
        return None
    facts_db = meta.info()
    stand = facts_db.stand
    b = mun.benchmarks()
    facts = (
        KeyFigure("population", f"Einwohner (Stand {fmt.date(p.population_date)})", p.population),
        KeyFigure("area", "Fläche", fmt.value_with_unit(p.area_km2, "km²", 2), "text"),
        KeyFigure("density", "Einwohner je km²", round(p.density) if p.density is not None else None),
        KeyFigure("central_place", "Zentraler Ort", p.central_place or "–", "text"),
    )
    facts_line = " · ".join((f"{p.kind}", f"Verwaltungsverband/-gemeinschaft: {p.association or 'keine'}",
                             f"Gemeindeschlüssel (AGS): {p.ags}"))
    chart = None
    pop_id = mun.population_indicator()
    if pop_id:
        info = mun.indicator_info(pop_id)
        trend = mun.to_index(mun.region_trend(pop_id, ags))
        if not trend.empty:
            styles = {p.name: ic.SeriesStyle(palette.HIGHLIGHT, "solid", 2.5)}
            styles.update({name: ic.REFERENCE_STYLES[role] for _, name, role in b.keyed()})
            fig = ic.trend_figure(trend, title=f"Einwohnerentwicklung {p.name} (Index, erstes Jahr = 100)",
                                  unit="Index", decimals=1, stand=trend["period"].max(), styles=styles,
                                  series_break=info.series_break)
            fig.update_layout(height=360, width=560, margin=dict(l=10, r=10, t=70, b=10),
                              title=dict(text=ic.plain("Einwohnerentwicklung (Index, erstes Jahr = 100)")))
            chart = chart_item(f"profile_{ags}", fig, f"Einwohner: {info.source}", "Liniendiagramm der Einwohnerzahl",
                               height=360, width=560)
    comparison = mun.comparison_table((ags,))
    ind_cols = tuple(Column(f"c{n}", str(c), "text", width=w) for n, (c, w) in enumerate(
        zip(comparison.columns, (1.2, 3.0, 1.2, 0.6, 1.3, 1.3, 1.3, 1.3))))
    indicators = Table("indicators", f"Indikatoren: {p.name} im Vergleich", ind_cols,
                       tuple(tuple(str(v) for v in row) for row in comparison.itertuples(index=False)),
                       empty_text="Keine Indikatorwerte geladen.",
                       note="Neuester Wert je Indikator (Jahr in Klammern, wenn älter). k. A. = kein Wert "
                            "veröffentlicht (nicht null)." + (f" {mun.GERMANY_NAME}: nur wo ein Bundeswert geladen "
                                                              "ist." if b.germany_key else ""))
    f = filters or Filters(dt.date(2000, 1, 1), stand or dt.date.today())
    scope = ReportFilters(f.date_from, f.date_to, f.themes, (), f.statuses, public_only=True)
    found = mun.municipality_initiatives(scope, ags)
    shown = found.head(MAX_INITIATIVES)
    cols = (Column("initiative_id", "ID", width=0.8), Column("title", "Titel", width=3.2),
            Column("theme", "Thema", width=1.3), Column("status", "Status", width=1.2),
            Column("lead", "Träger", width=2.0), Column("end", "Ende geplant", "date"),
            Column("granted", "Fördermittel bewilligt", "eur", short="Förder-\nmittel"))
    rows = tuple((r.initiative_id, str(r.title) + (" (kreisweit)" if r.districtwide else ""),
                  THEME_BY_ID[r.theme].short_de if r.theme in THEME_BY_ID else str(r.theme), r.status,
                  r.lead_organisation if isinstance(r.lead_organisation, str) else "–",
                  None if r.end_planned is None or pd.isna(r.end_planned) else pd.Timestamp(r.end_planned).date(),
                  None if pd.isna(r.funding_granted_eur) else float(r.funding_granted_eur))
                 for r in shown.itertuples(index=False))
    initiatives = Table("initiatives", "Initiativen in der Gemeinde (öffentlich)", cols, rows,
                        empty_text="Keine öffentlichen Initiativen in der Gemeinde für diese Auswahl.")
    src = sources.sources()
    # An attribution alone ("© Statistisches Landesamt …") would present synthetic values as official ones.
    stat = "; ".join(dict.fromkeys(f"{a} ({lic}{'; Werte synthetisch – Beispieldaten' if bool(syn) else ''})"
                                   for a, lic, syn in zip(src["attribution"], src["licence"], src["synthetic"])
                                   if isinstance(a, str) and a))
    return Profile(
        ags=ags, name=p.name, name_sorbian=p.name_sorbian, district_name=b.district_name, stand=stand,
        synthetic=facts_db.synthetic, facts=facts,
        facts_line=facts_line, chart=chart,
        indicators=indicators, initiatives=initiatives, more_initiatives=max(len(found) - len(shown), 0),
        sources_text=f"Quellen: {stat or 'amtliche Statistik'}; Initiativen: {sources.portfolio_source_label()}.",
        period_text=f"Zeitraum {fmt.date(f.date_from)} – {fmt.date(f.date_to)}" if filters else "alle",
    )


def to_pdf(profile: Profile, images: figures.ChartImages | None = None) -> bytes:
    """The Steckbrief as a one-page A4 PDF (bytes); ``images`` default: rendered now."""
    if images is None:
        images = figures.render([profile.chart] if profile.chart else [])
    st = pdf.styles()
    width = pdf.FRAME_W
    title = ParagraphStyle("p_title", fontName=pdf.FONT_WIDE_BOLD, fontSize=20, leading=24, textColor=pdf.NAVY)
    sub = ParagraphStyle("p_sub", fontName=pdf.PDF_FONT, fontSize=9.5, leading=12.5, textColor=pdf.GREY, spaceAfter=6)
    name = profile.name + (f" / {profile.name_sorbian}" if profile.name_sorbian else "")
    story = [Paragraph(pdf.esc(f"{profile.district_name} · Gemeinde-Steckbrief"), sub),
             Paragraph(pdf.esc(name), title),
             Paragraph(pdf.esc(f"Stand der Daten: {fmt.date(profile.stand)} · Initiativen: "
                               f"{profile.period_text}"), sub)]
    if profile.synthetic:
        story.append(Paragraph("Beispieldaten – keine amtlichen Zahlen.", st["warning"]))
    left_w = width * 0.36
    left = [pdf.figures_flowable(profile.facts, st, left_w, per_row=2), Spacer(1, 3),
            Paragraph(pdf.esc(profile.facts_line), st["note"])]
    right = [] if profile.chart is None else pdf.chart_flowable(
        profile.chart, images.get(profile.chart.key), images.note, 1, st, max_w=width - left_w - 4 * mm,
        max_h=58 * mm, keep=False)
    top = RLTable([[left, right]], colWidths=[left_w + 4 * mm, width - left_w - 4 * mm], hAlign="LEFT")
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
    story += [top, Spacer(1, 4)]
    story += pdf.table_flowable(profile.indicators, st, width, compact=True)
    story += pdf.table_flowable(profile.initiatives, st, width, compact=True)
    if profile.more_initiatives:
        story.append(Paragraph(pdf.esc(f"… und {profile.more_initiatives} weitere (vollständige Liste auf der Seite "
                                       "„Initiativen“)."), st["note"]))
    story.append(Paragraph(pdf.esc(profile.sources_text), st["note"]))
    buf = io.BytesIO()
    created = dt.datetime.combine(profile.stand or dt.date(2000, 1, 1), dt.time(12))
    c = rl_canvas.Canvas(buf, pagesize=A4, invariant=1, lang="de-DE")
    stamp = f"D:{created:%Y%m%d%H%M%S}+00'00'"
    c._doc.setDateFormatter(lambda *_: stamp)
    c.setTitle(f"Gemeinde-Steckbrief {profile.name}")
    c.setAuthor(profile.district_name)
    c.setSubject(f"{profile.district_name}: Steckbrief {profile.name} ({profile.ags})")
    c.setCreator("Regionalmonitor")
    frame = Frame(pdf.MARGIN_L, pdf.MARGIN_B, width, pdf.PAGE_H - pdf.MARGIN_B - 15 * mm, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    frame.addFromList([KeepInFrame(width, frame._aH, story, mode="shrink")], c)
    c.setFont(pdf.PDF_FONT, 7.5)
    c.setFillColor(pdf.GREY)
    c.drawString(pdf.MARGIN_L, 10 * mm, f"Regionalmonitor {profile.district_name} · Gemeinde-Steckbrief "
                                        f"{profile.name} · öffentlich")
    c.drawRightString(pdf.PAGE_W - pdf.MARGIN_R, 10 * mm, f"Stand der Daten: {fmt.date(profile.stand)}")
    c.showPage()
    c.save()
    return buf.getvalue()
