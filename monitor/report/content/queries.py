"""The SQL the report needs that the data layer does not offer (the reusable queries live in
:mod:`monitor.data.initiatives` / :mod:`monitor.data.actors`)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from monitor.data import db, initiatives
from monitor.data.filters import Filters


def overdue(f: Filters, as_of: dt.date) -> pd.DataFrame:
    """Milestones of the selected initiatives overdue on ``as_of`` (due before and not done by then, the
    initiative not Verworfen on that day; the rule is the database macro ``milestone_state_on``): initiative_id,
    title, theme, seq, milestone, due_date, done_date."""
    cte, params = initiatives.status_on(f, as_of)
    return db.query(
        f"""with {cte}
        select sel.initiative_id, sel.title, sel.theme, m.seq, m.title as milestone, m.due_date, m.done_date
        from sel join status_on s using (initiative_id) join milestone_state m using (initiative_id)
        where milestone_state_on(m.due_date, m.done_date, s.status, ?::date) = 'überfällig'
        order by m.due_date, sel.initiative_id, m.seq""",
        (*params, as_of),
    )
