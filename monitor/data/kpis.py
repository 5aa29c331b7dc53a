"""KPIs (Kennzahlen) of initiatives: one way to name them and one rule for "target reached", for every page.

- **Name**: a KPI whose workbook column *Kennzahl* names an indicator id of the catalogue (``kpi.indicator_id``
  set by the ETL) is shown with the indicator's German name, e.g. ``stop_20dep_share`` -> "Bevölkerung nahe
  Haltestelle mit 20+ Abfahrten"; its unit is the KPI's own unit, else the indicator's. Free-text KPIs keep
  their text.
- **Reached**: the actual value has reached the target in the direction from the baseline to the target
  (baseline above target: lower is better, else higher is better); a KPI without actual or target value is
  not rated (None).

SQL fragments for queries over ``kpi k left join indicator ind on ind.indicator_id = k.indicator_id`` and the
same rules in Python. Pure, no ``st.*``.
"""
from __future__ import annotations

import pandas as pd

#: Join that every KPI query uses so the fragments below can name the indicator (alias ``ind``).
INDICATOR_JOIN = "left join indicator ind on ind.indicator_id = k.indicator_id"
#: German display name of a KPI (indicator name when the KPI names an indicator id).
NAME_SQL = "coalesce(ind.name_de, k.name)"
#: Unit of a KPI: its own (when not blank), else the indicator's; '' when neither.
UNIT_SQL = "coalesce(nullif(trim(k.unit), ''), ind.unit, '')"
#: True / False when rated, NULL when actual or target is missing.
REACHED_SQL = ("case when k.actual is null or k.target is null then null "
               "when k.baseline is not null and k.baseline > k.target then k.actual <= k.target "
               "else k.actual >= k.target end")


def _missing(v) -> bool:
    return v is None or bool(pd.isna(v))


def is_reached(baseline, target, actual) -> bool | None:
    """The rule of :data:`REACHED_SQL` in Python: True/False, None when actual or target is missing."""
    if _missing(actual) or _missing(target):
        return None
    if not _missing(baseline) and float(baseline) > float(target):
        return float(actual) <= float(target)
    return float(actual) >= float(target)

