"""The SQL the report needs that the data layer does not offer (the reusable queries live in
:mod:`monitor.data.initiatives` / :mod:`monitor.data.actors`)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from monitor.data import db
from monitor.data.filters import Filters


def overdue(f: Filters, as_of: dt.date) -> pd.DataFrame:
    """Milestones of the selected initiatives due before ``as_of`` and not done by then: initiative_id,
    title, theme, seq, milestone, due_date, done_date."""
    cond, params = f.initiative_sql("i")
    return db.query(
        f"""select i.initiative_id, i.title, i.theme, m.seq, m.title as milestone, m.due_date, m.done_date
        from initiative i join milestone m using (initiative_id)
        where {cond} and m.due_date < ? and (m.done_date is null or m.done_date > ?)
        order by m.due_date, i.initiative_id, m.seq""",
        (*params, as_of, as_of),
    )
