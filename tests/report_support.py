"""Expected figures of the period report, computed in plain Python from the fixture's lists (an independent
check of the SQL in monitor/report/content/), and helpers to read every text out of a report or a file.

The rules restated here are those of the report's module docstring (scope, status at start/end, started,
advanced, completed, milestones reached/overdue, KPI reached, rounds of the public variant).
"""
from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date, timedelta

from monitor.core.vocab import STATUS_LINE, STATUS_RANK
from tests.fixture_db import (
    DEFAULT_FROM,
    DEFAULT_TO,
    INITIATIVE,
    INITIATIVES,
    KPIS,
    MILESTONES,
    ROUNDS,
    STAND,
    initiatives_where,
    status_dates,
)

CONTACT_VALUES = tuple(v for i in INITIATIVES for v in (i["contact_name"], i["contact_email"], i["contact_phone"]))
NON_PUBLIC = tuple(i for i in INITIATIVES if not i["is_public"])
FORMULA_TITLE = next(i["title"] for i in INITIATIVES if i["title"].startswith("=HYPERLINK("))


def as_of(date_to: date = DEFAULT_TO) -> date:
    return min(date_to, STAND)


def in_period(d: date | None, date_from: date = DEFAULT_FROM, date_to: date = DEFAULT_TO) -> bool:
    return d is not None and date_from <= d <= date_to


def scope(*, internal: bool = False, themes=(), municipalities=(), date_from=DEFAULT_FROM, date_to=DEFAULT_TO):
    """The initiatives of the report (public only unless ``internal``)."""
    return [i for i in initiatives_where(date_from=date_from, date_to=date_to, themes=themes,
                                         municipalities=municipalities)
            if internal or i["is_public"]]


def status_at(initiative_id: str, day: date) -> str | None:
    hist = [s for d, s in status_dates(initiative_id) if d <= day]
    return hist[-1] if hist else None


def moves_in_period(initiative_id: str, date_from=DEFAULT_FROM, date_to=DEFAULT_TO) -> list[tuple[str, str]]:
    hist = status_dates(initiative_id)
    return [(a[1], b[1]) for a, b in zip(hist, hist[1:]) if in_period(b[0], date_from, date_to)]


def started(i: dict, date_from=DEFAULT_FROM, date_to=DEFAULT_TO) -> bool:
    return in_period(status_dates(i["initiative_id"])[0][0], date_from, date_to)


def advanced(i: dict, date_from=DEFAULT_FROM, date_to=DEFAULT_TO) -> bool:
    for prev, new in moves_in_period(i["initiative_id"], date_from, date_to):
        if new in STATUS_LINE and new != "Abgeschlossen" and (
                prev == "Ruht" or (prev in STATUS_LINE and STATUS_RANK[new] > STATUS_RANK[prev])):
            return True
    return False


def completed(i: dict, date_from=DEFAULT_FROM, date_to=DEFAULT_TO) -> bool:
    return any(new == "Abgeschlossen" for _, new in moves_in_period(i["initiative_id"], date_from, date_to))


def milestones_reached(items: list[dict], date_from=DEFAULT_FROM, date_to=DEFAULT_TO) -> list[tuple]:
    ids = {i["initiative_id"] for i in items}
    return [m for m in MILESTONES if m[0] in ids and in_period(m[3], date_from, date_to)]


def milestones_overdue(items: list[dict], day: date) -> list[tuple]:
    ids = {i["initiative_id"] for i in items}
    return [m for m in MILESTONES if m[0] in ids and m[2] is not None and m[2] < day
            and (m[3] is None or m[3] > day) and status_at(m[0], day) != "Verworfen"]


def kpis_rated_reached(items: list[dict]) -> tuple[int, int]:
    ids = {i["initiative_id"] for i in items}
    rated = reached = 0
    for ini, _name, _ind, _unit, baseline, target, _ty, actual, _asof in KPIS:
        if ini not in ids or actual is None or target is None:
            continue
        rated += 1
        reached += (actual <= target) if baseline is not None and baseline > target else (actual >= target)
    return rated, reached


def funding(items: list[dict]) -> float:
    return sum(i["funding_granted_eur"] or 0.0 for i in items)


def total_cost(items: list[dict]) -> float:
    return sum(i["total_cost_eur"] or 0.0 for i in items if i["status"] != "Verworfen")


def rounds_kept(*, internal: bool = False, date_from=DEFAULT_FROM, date_to=DEFAULT_TO) -> list[dict]:
    """Rounds in the period; the public variant drops rounds that dealt only with non-public initiatives."""
    return [r for r in ROUNDS if in_period(r["date"], date_from, date_to)
            and (internal or not r["initiatives"] or any(INITIATIVE[i]["is_public"] for i in r["initiatives"]))]


def organisations(items: list[dict], rounds: list[dict]) -> set[str]:
    orgs = {o for r in rounds for o in r["organisations"]}
    for i in items:
        orgs.add(i["lead_organisation"])
        orgs.update(i["partners"])
    return orgs


def day_before(d: date = DEFAULT_FROM) -> date:
    return d - timedelta(days=1)


# ---------------------------------------------------------------- reading texts back
def strings_of(obj) -> list[str]:
    """Every string inside a (frozen dataclass) report tree: fields, tuples, dicts."""
    out: list[str] = []
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            out.append(x)
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            stack.extend(getattr(x, f.name) for f in dataclasses.fields(x))
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, (list, tuple, set, frozenset)):
            stack.extend(x)
    return out


def zip_text(data: bytes) -> str:
    """All XML parts of an OOXML file (docx, xlsx) as one text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8", errors="ignore") for n in z.namelist()
                         if n.endswith((".xml", ".rels")))
