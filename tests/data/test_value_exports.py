"""Downloads of indicator values (Themen ranking, Karte, Gemeinden comparison): the number itself, its unit and
date, and the flag with its German reason as columns — checked against the fixture's values, special ones
included (withheld, true zero)."""
from __future__ import annotations

import math

from monitor.core.vocab import flag_label
from monitor.data import map_values
from monitor.data import municipalities as mun
from tests.fixture_db import BOXBERG, MUNICIPALITY_NAME, VALUES, WEISSWASSER

INDICATOR, YEAR = "overnight_stays", 2024


def _fixture(region: str, year: int = YEAR, indicator: str = INDICATOR) -> dict:
    return next(v for v in VALUES if (v["indicator_id"], v["region_key"], v["year"]) == (indicator, region, year))


def test_values_export_has_numbers_flags_and_reasons(fixture_db):
    ranking, year = mun.municipal_values(INDICATOR, YEAR)
    out = map_values.values_export(ranking, unit="Anzahl")
    assert year == YEAR and len(out) == len(ranking)
    by_key = out.set_index("Gemeindeschlüssel")
    for key, name in MUNICIPALITY_NAME.items():
        row, want = by_key.loc[key], _fixture(key)
        assert row["Gemeinde"] == name and row["Einheit"] == "Anzahl" and row["Stichtag"] == want["period"]
        if want["value"] is None:
            assert math.isnan(row["Wert"])
        else:
            assert row["Wert"] == want["value"]
        assert row["Kennzeichen"] == (want["flag"] or "")
        assert row["Erläuterung"] == (flag_label(want["flag"]) if want["flag"] else "")
    assert by_key.loc[BOXBERG, "Kennzeichen"] == "secret" and by_key.loc[WEISSWASSER, "Wert"] == 0.0


def test_comparison_export_is_one_row_per_indicator_and_region(fixture_db):
    chosen = (BOXBERG, WEISSWASSER)
    out = mun.comparison_export(chosen)
    boxberg = out[(out["Regionalschlüssel"] == BOXBERG) & (out["Kennzahl"] == out["Kennzahl"].iloc[0])]
    assert len(boxberg) == 1
    stays = out[out["Regionalschlüssel"].isin(chosen)]
    for key in chosen:
        latest = max((v for v in VALUES if v["region_key"] == key and v["indicator_id"] == INDICATOR),
                     key=lambda v: v["year"])
        row = stays[(stays["Regionalschlüssel"] == key)
                    & (stays["Kennzahl"] == mun.indicator_info(INDICATOR).name)].iloc[0]
        assert row["Jahr"] == latest["year"] and row["Region"] == MUNICIPALITY_NAME[key]
        assert row["Kennzeichen"] == (latest["flag"] or "")
        assert (math.isnan(row["Wert"]) if latest["value"] is None else row["Wert"] == latest["value"])
    assert set(out.columns) >= {"Wert", "Einheit", "Kennzeichen", "Erläuterung"}
