"""The shared filter selection (period, theme, municipality, status) as a pure value with its SQL builder.

Contract for data modules::

    cond, params = f.initiative_sql("i")   # SQL condition on table initiative aliased i

The value carries the session's :class:`~monitor.data.access.Access`: ``initiative_sql`` keeps a Partner to the
public initiatives everywhere at once (tables, counts, maps, network, report, Steckbrief).

The sidebar widgets that produce a :class:`Filters` (bound to the URL) live in ``monitor/app/sidebar.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from monitor.core import format as fmt, vocab
from monitor.data import meta
from monitor.data.access import FULL, Access
from monitor.data.db import placeholders

CLOSED_STATUSES = ("Abgeschlossen", "Verworfen")


@dataclass(frozen=True)
class Filters:
    """The sidebar selection. Empty tuples mean "all". Frozen and hashable: usable as a cache key.

    - ``date_from``/``date_to``: the period (inclusive).
    - ``themes``: theme ids (vocab), matched against an initiative's main theme.
    - ``municipalities``: AGS; an initiative matches when it works in any of them (kreisweit = in all).
    - ``statuses``: current initiative status.
    - ``access``: who asks (the app sets the session's; the default, for the office's own tools and tests, is
      the Kompetenzstelle's). Not a filter the user chooses: never taken from the URL.
    """

    date_from: date
    date_to: date
    themes: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    access: Access = FULL

    def theme_ids(self) -> tuple[str, ...]:
        """The selected themes, or all four initiative themes when none is selected."""
        return self.themes or tuple(t.theme_id for t in vocab.THEMES)

    def status_list(self) -> tuple[str, ...]:
        """The selected statuses, or all nine in line order when none is selected."""
        return self.statuses or vocab.STATUSES

    def includes_theme(self, theme_id: str) -> bool:
        return not self.themes or theme_id in self.themes

    def includes_municipality(self, ags: str) -> bool:
        return not self.municipalities or ags in self.municipalities

    def includes_status(self, status: str) -> bool:
        return not self.statuses or status in self.statuses

    def includes_date(self, d: date | None) -> bool:
        """True when ``d`` lies in the period (None never does)."""
        return d is not None and self.date_from <= d <= self.date_to

    def is_unfiltered(self) -> bool:
        """True when no theme, municipality or status is selected."""
        return not (self.themes or self.municipalities or self.statuses)

    def with_(self, **changes) -> "Filters":
        """A copy with some fields changed, e.g. ``f.with_(themes=("mobility",))``."""
        return replace(self, **changes)

    def period_text(self) -> str:
        """'01.07.2025 – 30.06.2026'."""
        return f"{fmt.date(self.date_from)} – {fmt.date(self.date_to)}"

    def initiative_sql(self, alias: str = "i") -> tuple[str, tuple]:
        """SQL boolean condition and parameters selecting the initiatives (table ``initiative`` as ``alias``).

        Period rule: the initiative existed by ``date_to`` (its first status date, else its start date) and was
        not closed (Abgeschlossen/Verworfen) before ``date_from`` (the date its final status was reached).
        Without ``access.internal`` (a Partner) only public initiatives (``is_public``).
        """
        a = alias
        # the dates come from the mart initiative_span (etl/marts/020_initiative_span.sql)
        parts = [
            f"{a}.initiative_id in (select s.initiative_id from initiative_span s where"
            f" coalesce(s.first_date, ?) <= ? and not (s.closed and coalesce(s.closed_date, ?) < ?))",
        ]
        params: list = [self.date_to, self.date_to, self.date_from, self.date_from]
        if self.themes:
            parts.append(f"{a}.theme in ({placeholders(self.themes)})")
            params += self.themes
        if self.statuses:
            parts.append(f"{a}.status in ({placeholders(self.statuses)})")
            params += self.statuses
        if self.municipalities:
            parts.append(f"exists (select 1 from initiative_municipality m where m.initiative_id = {a}.initiative_id"
                         f" and m.ags in ({placeholders(self.municipalities)}))")
            params += self.municipalities
        if not self.access.internal:
            parts.append(f"{a}.is_public")
        return " and ".join(f"({p})" for p in parts), tuple(params)


# ---------------------------------------------------------------- defaults and options
def default_period(stand: date | None, today: date) -> tuple[date, date]:
    """The last 12 months up to the data Stand (or today, when there is no Stand or it lies in the future)."""
    end = stand if stand and stand <= today else today
    try:
        start = end.replace(year=end.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28) + timedelta(days=1)
    return start, end


def default_filters() -> Filters:
    """Filters with the default period and nothing else selected."""
    start, end = default_period(meta.info().stand, meta.today())
    return Filters(start, end)
