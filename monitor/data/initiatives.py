"""Data of the Initiativen page: the filtered portfolio table, the page's own filters (programme, lead
organisation, origin, free text), one initiative's details, and the table prepared for download.

:func:`load` gathers everything the page shows (frozen :class:`InitiativesView`); :func:`filter_options` the
choices of the page's filter widgets (needed before the widgets, so before :func:`load`). Display frames
(``*_table``) carry the German column names the page shows. Pure functions over ``monitor.data.db.query``.
Personal data (contact name, e-mail, phone) appears only in :func:`detail`, and only for an
:class:`~monitor.data.access.Access` with ``contacts`` (the office); :func:`portfolio` and :func:`export_table` never
select it. Without ``access.internal`` (a Partner) no non-public initiative is read (``Filters.initiative_sql``,
:func:`detail`), no status note, no filter option that only a non-public initiative names, and the download is
the public list whatever is asked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from monitor.data import db, export, meta, sources
from monitor.core import format as fmt
from monitor.data.access import FULL, Access
from monitor.data.filters import Filters
from monitor.core.vocab import ORIGINS, SAMPLE_DATA_NOTE, THEME_BY_ID

DISTRICTWIDE = "kreisweit"


@dataclass(frozen=True)
class PortfolioFilters:
    """The Initiativen page's own filters; empty = all. ``search`` matches ID, title or summary (case-insensitive)."""

    programmes: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    search: str = ""


def _visible(access: Access, alias: str = "i") -> str:
    """SQL condition on table ``initiative`` as ``alias``: the initiatives ``access`` may see."""
    return "true" if access.internal else f"{alias}.is_public"


def programme_options(access: Access = FULL) -> list[str]:
    """Every funding programme named in the portfolio (of the initiatives ``access`` may see), sorted."""
    return list(db.query("select distinct x.programme from initiative_programme x join initiative i using"
                         f" (initiative_id) where {_visible(access)} order by x.programme")["programme"])


def lead_options(access: Access = FULL) -> list[str]:
    """Every lead organisation (Träger) of the portfolio (of the initiatives ``access`` may see), sorted."""
    return list(db.query("select distinct lead_organisation from initiative i where lead_organisation is not null"
                         f" and {_visible(access)} order by lead_organisation")["lead_organisation"])


@dataclass(frozen=True)
class FilterOptions:
    """The choices of the page's own filter widgets."""

    programmes: tuple[str, ...]
    leads: tuple[str, ...]
    origins: tuple[str, ...]


def filter_options(access: Access = FULL) -> FilterOptions:
    """Programmes and lead organisations of the portfolio (as far as ``access`` sees it), the origins of the
    vocabulary."""
    return FilterOptions(tuple(programme_options(access)), tuple(lead_options(access)), ORIGINS)


def _where(f: Filters, p: PortfolioFilters) -> tuple[str, tuple]:
    cond, params = f.initiative_sql("i")
    parts, params = [cond], list(params)
    if p.programmes:
        parts.append("exists (select 1 from initiative_programme x where x.initiative_id = i.initiative_id"
                     f" and x.programme in ({db.placeholders(p.programmes)}))")
        params += p.programmes
    if p.leads:
        parts.append(f"i.lead_organisation in ({db.placeholders(p.leads)})")
        params += p.leads
    if p.origins:
        parts.append(f"i.origin in ({db.placeholders(p.origins)})")
        params += p.origins
    term = p.search.strip().lower()
    if term:
        parts.append("(contains(lower(i.initiative_id), ?) or contains(lower(i.title), ?)"
                     " or contains(lower(coalesce(i.summary, '')), ?))")
        params += [term, term, term]
    return " and ".join(f"({x})" for x in parts), tuple(params)


def portfolio(f: Filters, p: PortfolioFilters = PortfolioFilters()) -> pd.DataFrame:
    """The initiatives matching sidebar and page filters, one row each, ordered by ID: initiative_id, title,
    summary, theme, status, municipalities ('kreisweit' or names joined by ', '), lead_organisation, origin,
    programmes (joined by ', '), start_date, end_planned, total_cost_eur, funding_granted_eur, own_funds_eur,
    is_public, as_of. No personal data."""
    cond, params = _where(f, p)
    df = db.query(
        f"""select i.initiative_id, i.title, i.summary, i.theme, i.status,
               case when i.districtwide then '{DISTRICTWIDE}' else
                   (select string_agg(m.name, ', ' order by m.name) from initiative_municipality im
                    join municipality m using (ags) where im.initiative_id = i.initiative_id) end as municipalities,
               i.lead_organisation, i.origin,
               (select string_agg(x.programme, ', ' order by x.programme) from initiative_programme x
                where x.initiative_id = i.initiative_id) as programmes,
               i.start_date, i.end_planned, i.total_cost_eur, i.funding_granted_eur, i.own_funds_eur,
               i.is_public, i.as_of
        from initiative i where {cond} order by i.initiative_id""",
        params,
    )
    df["theme_name"] = df["theme"].map(lambda t: THEME_BY_ID[t].name_de if t in THEME_BY_ID else t)
    return df



def status_on(f: Filters, day: date) -> tuple[str, tuple]:
    """CTEs ``sel`` (the initiatives selected by ``f``: initiative_id, title, theme, status, start_date) and
    ``status_on`` (initiative_id, status on ``day``: the last status-history entry up to that day; an
    initiative without any history counts with its current status from its start date on; NULL = not yet
    recorded), with their parameters."""
    cond, params = f.initiative_sql("i")
    return (f"""sel as (select i.initiative_id, i.title, i.theme, i.status, i.start_date from initiative i
                       where {cond}),
        h as (select initiative_id, arg_max(status, (date, seq)) as status from status_history
              where date <= ? group by initiative_id),
        any_h as (select distinct initiative_id from status_history),
        status_on as (select sel.initiative_id,
                             case when a.initiative_id is not null then h.status
                                  when coalesce(sel.start_date, ?) <= ? then sel.status end as status
                      from sel left join h using (initiative_id) left join any_h a using (initiative_id))""",
            (*params, day, day, day))


def status_at(f: Filters, day: date) -> dict[str, str | None]:
    """Status of every initiative selected by ``f`` on ``day`` (see :func:`status_on`); None = not yet recorded."""
    cte, params = status_on(f, day)
    df = db.query(f"with {cte} select initiative_id, status from status_on order by initiative_id", params)
    return {r.initiative_id: None if pd.isna(r.status) else str(r.status) for r in df.itertuples(index=False)}


#: Most initiatives the detail selector offers (a large portfolio: search and filters narrow the list).
DETAIL_CHOICES = 500


def requested_detail(session_value, url_value) -> str | None:
    """The initiative ID the detail selector is asked for: its current value, else the one in the shared link
    (the URL holds the option's label 'ID – Titel'); None when neither."""
    if isinstance(session_value, str) and session_value:
        return session_value
    if isinstance(url_value, str) and url_value.strip():
        return url_value.split(" – ", 1)[0].strip()
    return None


def detail_choices(table: pd.DataFrame, wanted: str | None = None, limit: int = DETAIL_CHOICES) -> pd.DataFrame:
    """The initiatives the detail selector offers: the first ``limit`` rows of the filtered ``table`` (by ID)
    plus ``wanted`` (the chosen or linked one) when it is in the table further down, so a link keeps working."""
    if len(table) <= limit:
        return table
    head = table.head(limit)
    if wanted is not None and wanted not in set(head["initiative_id"]):
        head = pd.concat([head, table[table["initiative_id"] == wanted]])
    return head


@dataclass(frozen=True)
class InitiativeDetail:
    """Everything the detail view shows. ``info`` includes the contact only for ``access.contacts`` (never
    exported); ``history.note`` is empty without ``access.internal``."""

    info: dict
    themes: tuple[str, ...]  # all theme ids, main theme first
    municipalities: tuple[str, ...]  # names, or ('kreisweit',)
    programmes: tuple[str, ...]
    organisations: pd.DataFrame  # organisation, role
    history: pd.DataFrame  # date, status, note
    milestones: pd.DataFrame  # seq, title, due_date, done_date, state (on the day asked for)
    kpis: pd.DataFrame  # name (indicator name when linked), unit, baseline, target, target_year, actual, as_of, reached
    rounds: pd.DataFrame  # round_id, date, format, results, organisations


#: Columns of table ``initiative`` that name the contact person (Kompetenzstelle only).
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")


def detail(initiative_id: str, today: date | None = None, access: Access = FULL) -> InitiativeDetail | None:
    """One initiative's details, or None when the ID does not exist or ``access`` may not see it (a non-public
    one without ``access.internal``). Contact columns only with ``access.contacts``, status notes only with
    ``access.internal``. The milestones' state is the one on
    ``today`` (erledigt, verspätet erledigt, entfallen, überfällig, offen: the database macro
    ``milestone_state_on``), without ``today`` the one on the data Stand (mart ``milestone_state``); the KPIs
    come named and rated from the mart ``kpi_rating``."""
    columns = "*" if access.contacts else f"* exclude ({', '.join(CONTACT_COLUMNS)})"
    info = db.query(f"select {columns} from initiative i where initiative_id = ? and {_visible(access)}",
                    (initiative_id,))
    if info.empty:
        return None
    row = info.iloc[0].to_dict()
    themes = db.query("select theme from initiative_theme where initiative_id = ? order by not is_primary, theme",
                      (initiative_id,))["theme"]
    municipalities = db.query(
        "select m.name from initiative_municipality im join municipality m using (ags)"
        " where im.initiative_id = ? order by m.name", (initiative_id,))["name"]
    programmes = db.query("select programme from initiative_programme where initiative_id = ? order by programme",
                          (initiative_id,))["programme"]
    organisations = db.query(
        "select organisation, role from initiative_organisation where initiative_id = ?"
        " order by role <> 'Träger', organisation", (initiative_id,))
    note = "note" if access.internal else "null::varchar as note"  # the office's working notes
    history = db.query(f"select date, status, {note} from status_history where initiative_id = ? order by seq",
                       (initiative_id,))
    ms_table, ms_params = ("milestone_state", ()) if today is None else ("milestones_on(?)", (today,))
    milestones = db.query(f"select seq, title, due_date, done_date, state from {ms_table}"
                          " where initiative_id = ? order by seq", (*ms_params, initiative_id))
    kpis = db.query(
        """select name, unit, baseline, target, target_year, actual, as_of, reached
           from kpi_rating where initiative_id = ? order by seq""", (initiative_id,))
    rounds = db.query(
        """select r.round_id, r.date, r.format, r.results,
                  (select string_agg(o.organisation, ', ' order by o.organisation)
                   from coordination_round_organisation o where o.round_id = r.round_id) as organisations
           from coordination_round r join coordination_round_initiative ri using (round_id)
           where ri.initiative_id = ? order by r.date desc""", (initiative_id,))
    themes_t = tuple(themes) if len(themes) else (row["theme"],)
    munis = (DISTRICTWIDE,) if row.get("districtwide") else tuple(municipalities)
    return InitiativeDetail(row, themes_t, munis, tuple(programmes), organisations, history, milestones, kpis, rounds)


#: Download columns: (column of :func:`portfolio`, German header). Contact columns are deliberately absent.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("initiative_id", "ID"), ("title", "Titel"), ("summary", "Kurzbeschreibung"), ("theme_name", "Thema"),
    ("status", "Status"), ("municipalities", "Gemeinden"), ("lead_organisation", "Träger"),
    ("origin", "Herkunft"), ("programmes", "Förderprogramme"), ("start_date", "Beginn"),
    ("end_planned", "Ende geplant"), ("total_cost_eur", "Gesamtkosten (€)"),
    ("funding_granted_eur", "Fördermittel bewilligt (€)"), ("own_funds_eur", "Eigenmittel (€)"),
    ("is_public", "Öffentlich"), ("as_of", "Stand"),
)


def export_table(df: pd.DataFrame, public_only: bool = True) -> pd.DataFrame:
    """The portfolio table for download: German headers, dates as ``date``, Öffentlich as 'ja'/'nein', only
    public initiatives unless ``public_only`` is False. Never contains contact data."""
    if public_only:
        df = df[df["is_public"].astype(bool)]
    out = pd.DataFrame({de: df[col] for col, de in EXPORT_COLUMNS})
    for col in ("Beginn", "Ende geplant", "Stand"):
        out[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in out[col]]
    out["Öffentlich"] = [fmt.yes_no(v) for v in out["Öffentlich"]]
    return out.reset_index(drop=True)


def portfolio_table(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`portfolio` as the page's table shows them: ID, Titel, Thema, Status, Gemeinden, Träger,
    Förderprogramme, Gesamtkosten and Fördermittel bewilligt (German € text), Beginn, Ende geplant, Öffentlich."""
    return pd.DataFrame({
        "ID": df["initiative_id"], "Titel": df["title"], "Thema": df["theme_name"], "Status": df["status"],
        "Gemeinden": df["municipalities"], "Träger": df["lead_organisation"], "Förderprogramme": df["programmes"],
        "Gesamtkosten": [fmt.eur(v) for v in df["total_cost_eur"]],
        "Fördermittel bewilligt": [fmt.eur(v) for v in df["funding_granted_eur"]],
        "Beginn": df["start_date"], "Ende geplant": df["end_planned"],
        "Öffentlich": [fmt.yes_no(v) for v in df["is_public"]],
    }).reset_index(drop=True)


def milestone_table(milestones: pd.DataFrame) -> pd.DataFrame:
    """The milestones of :func:`detail` (with their state) for display: Nr., Meilenstein, Fällig am, Erledigt am
    (timestamps), Stand heute."""
    return pd.DataFrame({"Nr.": milestones["seq"], "Meilenstein": milestones["title"],
                         "Fällig am": pd.to_datetime(milestones["due_date"]),
                         "Erledigt am": pd.to_datetime(milestones["done_date"]),
                         "Stand heute": milestones["state"]}).reset_index(drop=True)


def value_text(value, unit: str | None) -> str:
    """A KPI value with its unit, German: whole numbers without decimals, else one or two decimals; '–' if missing."""
    if value is None or pd.isna(value):
        return fmt.MISSING
    v = float(value)
    decimals = 0 if v == int(v) else (1 if round(v, 1) == v else 2)
    return fmt.value_with_unit(v, unit, decimals)


def kpi_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """The KPIs of :func:`detail` for display: Kennzahl, Ausgangswert, Zielwert, Istwert (German text with unit),
    Zieljahr, Stand, Ziel erreicht ('ja' / 'nein' / '–' when not rated)."""
    def texts(col: str) -> list[str]:
        return [value_text(v, u) for v, u in zip(kpis[col], kpis["unit"])]

    return pd.DataFrame({
        "Kennzahl": kpis["name"], "Ausgangswert": texts("baseline"), "Zielwert": texts("target"),
        "Zieljahr": kpis["target_year"], "Istwert": texts("actual"), "Stand": pd.to_datetime(kpis["as_of"]),
        "Ziel erreicht": [fmt.MISSING if r is None or pd.isna(r) else fmt.yes_no(r) for r in kpis["reached"]],
    }).reset_index(drop=True)


def rounds_table(rounds: pd.DataFrame) -> pd.DataFrame:
    """The coordination rounds of :func:`detail` for display: Datum, Format, Teilnehmende Organisationen,
    Ergebnisse."""
    return pd.DataFrame({"Datum": pd.to_datetime(rounds["date"]), "Format": rounds["format"],
                         "Teilnehmende Organisationen": rounds["organisations"],
                         "Ergebnisse": rounds["results"]}).reset_index(drop=True)


@dataclass(frozen=True)
class DetailView:
    """The chosen initiative as the detail view shows it: the raw :class:`InitiativeDetail` (for the timelines
    and the header) plus labelled facts and display tables."""

    detail: InitiativeDetail
    facts: tuple[tuple[str, str | None], ...]  # (German label, text) of the facts column
    partners: tuple[str, ...]  # organisations other than the lead
    contact: tuple[tuple[str, str | None], ...]  # (German label, text); empty without access.contacts
    milestones: pd.DataFrame  # milestone_table
    kpis: pd.DataFrame  # kpi_table
    rounds: pd.DataFrame  # rounds_table


def detail_view(initiative_id: str, today: date, access: Access = FULL) -> DetailView | None:
    """:func:`detail` of one initiative prepared for display; None when the ID does not exist or ``access`` may
    not see it. ``contact`` is empty without ``access.contacts``."""
    d = detail(initiative_id, today, access)
    if d is None:
        return None
    info = d.info
    facts = (("Träger", info.get("lead_organisation")), ("Herkunft", info.get("origin")),
             ("Gemeinden", ", ".join(d.municipalities) or None), ("Beginn", fmt.date(info.get("start_date"))),
             ("Ende geplant", fmt.date(info.get("end_planned"))), ("Stand der Angaben", fmt.date(info.get("as_of"))))
    partners = tuple(d.organisations.loc[d.organisations["role"] != "Träger", "organisation"])
    contact = tuple((label, info.get(col)) for label, col in zip(("Name", "E-Mail", "Telefon"), CONTACT_COLUMNS)
                    if access.contacts)
    return DetailView(d, facts, partners, contact, milestone_table(d.milestones), kpi_table(d.kpis),
                      rounds_table(d.rounds))


@dataclass(frozen=True)
class InitiativesView:
    """Everything the Initiativen page shows, for one selection of sidebar and page filters and one day."""

    filters: Filters
    page_filters: PortfolioFilters
    today: date
    stand: date | None  # data Stand (figure subtitles)
    source: str  # how captions name the portfolio
    rows: pd.DataFrame  # portfolio(): one row per initiative, database columns
    table: pd.DataFrame  # portfolio_table(rows)
    active_cost_eur: float  # total cost without Verworfen
    granted_eur: float
    export_public: pd.DataFrame  # export_table(rows), public initiatives only
    export_all: pd.DataFrame  # export_table(rows, public_only=False)
    choices: Mapping[str, str]  # the detail selector's options: ID -> title, in order
    detail: DetailView | None  # the requested initiative, when it is among the choices
    download_title: str  # title line of the downloads: SAMPLE_DATA_NOTE when sample data is loaded, else ''

    def export(self, public_only: bool) -> pd.DataFrame:
        """The download rows: only public initiatives, or all (only with ``filters.access.internal``: a Partner
        gets the public list whatever is asked)."""
        return self.export_public if public_only or not self.filters.access.internal else self.export_all

    def download_csv(self, public_only: bool) -> bytes:
        """The CSV download of :meth:`export` (flagged as sample data when it is)."""
        return export.to_csv(self.export(public_only), title=self.download_title)

    def download_xlsx(self, public_only: bool) -> bytes:
        """The Excel download of :meth:`export` (flagged as sample data when it is)."""
        return export.to_xlsx(self.export(public_only), title=self.download_title)


def load(f: Filters, page_filters: PortfolioFilters = PortfolioFilters(), detail_id: str | None = None,
         today: date | None = None) -> InitiativesView:
    """All data of the Initiativen page. ``detail_id``: the initiative asked for (see :func:`requested_detail`);
    its details are loaded when it is among the selector's choices. ``today`` defaults to ``meta.today()``.
    What is read is limited by ``f.access`` (see the module docstring)."""
    today = today or meta.today()
    rows = portfolio(f, page_filters)
    choices = detail_choices(rows, detail_id)
    titles = MappingProxyType(dict(zip(choices["initiative_id"], choices["title"])))
    chosen = detail_view(detail_id, today, f.access) if detail_id in titles else None
    return InitiativesView(
        f, page_filters, today, meta.info().stand, sources.portfolio_source_label(), rows, portfolio_table(rows),
        float(rows.loc[rows["status"] != "Verworfen", "total_cost_eur"].sum()),
        float(rows["funding_granted_eur"].sum()), export_table(rows, public_only=True),
        export_table(rows, public_only=not f.access.internal), titles, chosen,
        SAMPLE_DATA_NOTE if meta.info().synthetic else "")
