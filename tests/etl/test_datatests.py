"""SQL data tests catch planted violations and pass on clean data."""
from pathlib import Path

import duckdb
import pytest

from etl.datatests import TESTS, run_data_tests
from etl.marts import build_marts

SCHEMA = (Path(__file__).resolve().parents[2] / "etl" / "schema.sql").read_text(encoding="utf-8")


@pytest.fixture()
def con():
    c = duckdb.connect()
    c.execute(SCHEMA)
    c.execute("insert into theme values ('mobility','Mobilität','Mobility','#0072B2',0),"
              "('demography','Bevölkerung','Demography','#7F7F7F',4)")
    c.execute("insert into status values ('Idee',1,true),('Bewilligt',5,true)")
    c.execute("insert into region values ('14626','LK','kreis','14'),('14626060','Boxberg/O.L.','gemeinde','14626')")
    c.execute("insert into municipality (ags,name,kind,population,population_date,lat,lon) values "
              "('14626060','Boxberg/O.L.','Gemeinde',4303,'2024-12-31',51.4,14.6)")
    c.execute("insert into indicator values ('population','Einwohner','Population','demography','Personen',null,0,"
              "'StaLa','dl-de/by-2-0','Def','file',null,'12411','BEVSTD','',null,null)")
    c.execute("insert into source (source_id,file_name,kind,origin,licence,synthetic) values "
              "('s.csv','s.csv','statistics','StaLa','dl-de/by-2-0',true)")
    c.execute("insert into indicator_value values ('population','14626',date '2024-12-31',2024,4303,null,'s.csv'),"
              "('population','14626060',date '2024-12-31',2024,4303,null,'s.csv')")
    c.execute("insert into initiative (initiative_id,title,theme,districtwide,status,is_public,total_cost_eur,"
              "funding_granted_eur) values ('I-1','Rufbus','mobility',false,'Idee',true,100,50)")
    c.execute("insert into status_history values ('I-1','2024-01-01','Idee',null,1)")
    c.execute("insert into milestone values ('I-1',1,'M',date '2024-06-30',null)")
    c.execute("insert into kpi (initiative_id,seq,name,target,actual) values ('I-1',1,'Fahrgäste',10,5)")
    build_marts(c)
    return c


def failing(con):
    return {r.name: r.failing_rows for r in run_data_tests(con) if r.failing_rows}


def test_clean_database_passes(con):
    assert failing(con) == {}


@pytest.mark.parametrize("plant, test_name", [
    ("insert into initiative (initiative_id,title,theme,districtwide,status,is_public) values "
     "('I-2','X','mobility',false,'Erfunden',true)", "accepted_values_initiative_status"),
    ("insert into milestone values ('I-9',1,'M',null,null)", "relationship_milestone_initiative_id"),
    ("insert into indicator_value values ('population','99999999',date '2023-12-31',2023,1,null,'s.csv')",
     "relationship_indicator_value_region_key"),
    ("insert into indicator_value values ('population','14626060',date '2023-12-31',2023,null,null,'s.csv')",
     "value_without_flag_not_null"),
    ("insert into indicator_value values ('population','14626060',date '2022-12-31',2022,5,'zero','s.csv')",
     "zero_flag_is_zero"),
    ("insert into indicator_value values ('population','14626060',date '2022-12-31',2022,5,'secret','s.csv')",
     "withheld_flag_is_null"),
    ("insert into indicator_value values ('population','14626060',date '2022-12-31',2022,5,null,'s.csv+t.csv')",
     "relationship_indicator_value_source_id"),
    ("update initiative set funding_granted_eur = 500", "funds_within_cost"),
    ("update municipality set population = 4000", "population_adds_up"),
    ("delete from status_history", "initiative_has_history"),
    ("delete from indicator_value", "not_empty_indicator_value"),
    ("delete from initiative_span", "complete_initiative_span"),
    ("insert into initiative_span select * from initiative_span", "unique_initiative_span_initiative_id"),
    ("delete from milestone_state", "complete_milestone_state"),
    ("update milestone_state set state = 'vergessen'", "accepted_values_milestone_state_state"),
    ("insert into kpi_rating select * from kpi_rating", "unique_kpi_rating_initiative_id_seq"),
    ("update kpi_rating set unit = null", "not_null_kpi_rating_unit"),
])
def test_planted_violation_is_caught(con, plant, test_name):
    con.execute(plant)
    assert test_name in failing(con)


def test_every_test_has_a_german_description_and_known_severity():
    names = [t.name for t in TESTS]
    assert len(names) == len(set(names))
    assert all(t.description and t.severity in ("error", "warning") for t in TESTS)


def test_broken_test_sql_counts_as_failing(con):
    from etl.datatests import DataTest
    res = run_data_tests(con, (DataTest("broken", "kaputt", "select * from no_such_table"),))
    assert res[0].failing_rows == 1 and "nicht ausführbar" in res[0].sample


# ---------------------------------------------------------------------------------------------- KPI plausibility
# A small made-up portfolio like the sample before its KPIs were made consistent (issue "Every figure right"):
# a cycle path measured in passengers (I-003), a share far below its towns' (I-004: 29,5 % against 92–94 %),
# overnight stays beyond the municipality's total (I-029), 42 direct marketers against Löbau's 5 (I-046).
TOWNS = {"14626370": ("Niesky", 92.4), "14626600": ("Weißwasser/O.L.", 93.1), "14626290": ("Löbau", 94.0)}
KPI_INITIATIVES = [  # id, title, theme, municipalities
    ("I-003", "Radweg Boxberg – Bärwalder See: Lückenschluss", "mobility", ["14626060"]),
    ("I-004", "E-Carsharing in Kleinstädten", "mobility", list(TOWNS)),
    ("I-029", "Ferienhof am Bärwalder See", "tourism", ["14626060"]),
    ("I-046", "Regionalregal Löbau", "value_chains", ["14626290"]),
    ("I-050", "Dorfladen Boxberg", "supply", ["14626060"]),
    ("I-051", "Rufbus Boxberg", "mobility", ["14626060"]),
]
BEFORE = [  # initiative, seq, Kennzahl, indicator, unit, baseline, actual; the test each row fails
    ("I-003", 1, "Fahrgäste je Monat", None, "Fahrgäste/Monat", 0, None, "kpi_unit_fits_initiative"),
    ("I-004", 1, "stop_20dep_share", "stop_20dep_share", "%", 29.5, None, "kpi_share_plausible"),
    ("I-029", 1, "overnight_stays", "overnight_stays", None, 37500, 47771, "kpi_count_within_total"),
    ("I-046", 1, "direct_marketers", "direct_marketers", "Betriebe", 4, None, "kpi_unit_is_indicator_unit"),
    ("I-046", 2, "direct_marketers", "direct_marketers", None, 42, None, "kpi_count_within_total"),
    ("I-050", 1, "Gäste je Woche", None, "Übernachtungen", 0, 20, "kpi_unit_fits_theme"),
    ("I-051", 1, "car_time_centre", "car_time_centre", "Minuten", 45, None, "kpi_rate_plausible"),
]
AFTER = [  # the same KPIs made consistent: pass every test
    ("I-003", 1, "Radfahrten je Tag", None, "Radfahrten je Tag (Zählstelle)", 0, 140),
    ("I-004", 1, "stop_20dep_share", "stop_20dep_share", "%", 93.1, 95.2),
    ("I-029", 1, "overnight_stays", "overnight_stays", "Anzahl", 32584, 38000),
    ("I-046", 1, "direct_marketers", "direct_marketers", "anzahl ", 5, 6),
    ("I-050", 1, "Kundinnen und Kunden je Woche", None, "Personen", 0, 250),
    ("I-051", 1, "car_time_centre", "car_time_centre", "Minuten", 12.5, 11),
]


def _kpi_database(con, kpis):
    con.execute("insert into theme values ('tourism','Tourismus','Tourism','#E69F00',2),"
                "('supply','Nahversorgung','Supply','#009E73',1),('value_chains','Wertschöpfung','VC','#CC79A7',3)")
    for ags, (name, _) in TOWNS.items():
        con.execute("insert into region values (?, ?, 'gemeinde', '14626')", [ags, name])
        con.execute("insert into municipality (ags,name,kind,population,population_date,lat,lon) values "
                    "(?, ?, 'Stadt', 0, '2024-12-31', 51.2, 14.7)", [ags, name])
    for iid, unit in (("stop_20dep_share", "%"), ("overnight_stays", "Anzahl"), ("direct_marketers", "Anzahl"),
                      ("car_time_centre", "Minuten")):
        con.execute("insert into indicator values (?, ?, ?, 'mobility', ?, null, 1, 'S', 'dl-de/by-2-0', 'D', "
                    "'file', null, null, null, '', null, null)", [iid, iid, iid, unit])
    values = [("stop_20dep_share", ags, 2023, share) for ags, (_, share) in TOWNS.items()]
    values += [("stop_20dep_share", ags, 2017, 30.0) for ags in TOWNS]  # older values: not the latest
    values += [("overnight_stays", "14626060", 2024, 32584), ("overnight_stays", "14626060", 2019, 60000),
               ("direct_marketers", "14626290", 2024, 5), ("car_time_centre", "14626060", 2023, 12.0)]
    for iid, key, year, value in values:
        con.execute("insert into indicator_value values (?, ?, make_date(?, 12, 31), ?, ?, null, 's.csv')",
                    [iid, key, year, year, value])
    for iid, title, theme, places in KPI_INITIATIVES:
        con.execute("insert into initiative (initiative_id,title,theme,districtwide,status,is_public) values "
                    "(?, ?, ?, false, 'Idee', true)", [iid, title, theme])
        con.execute("insert into initiative_theme values (?, ?, true)", [iid, theme])
        con.execute("insert into status_history values (?, '2024-01-01', 'Idee', null, 1)", [iid])
        for ags in places:
            con.execute("insert into initiative_municipality values (?, ?)", [iid, ags])
    for iid, seq, name, indicator, unit, baseline, actual, *_ in kpis:
        con.execute("insert into kpi (initiative_id,seq,name,indicator_id,unit,baseline,target,actual) values "
                    "(?, ?, ?, ?, ?, ?, ?, ?)", [iid, seq, name, indicator, unit, baseline, baseline, actual])


def _kpi_failures(con) -> set[tuple[str, str, int]]:
    out = set()
    for t in TESTS:
        if t.name.startswith("kpi_"):
            cur = con.execute(t.sql)
            cols = [d[0] for d in cur.description]
            out |= {(t.name, r[cols.index("initiative_id")], r[cols.index("seq")]) for r in cur.fetchall()}
    return out


def test_kpi_tests_are_warnings_documented_where_defined():
    kpi_tests = [t for t in TESTS if t.name.startswith("kpi_") and t.name != "kpi_indicator_known"]
    assert len(kpi_tests) == 6 and all(t.severity == "warning" for t in kpi_tests)


def test_implausible_kpis_are_flagged(con):
    _kpi_database(con, BEFORE)
    assert _kpi_failures(con) == {(test, iid, seq) for iid, seq, *_, test in BEFORE}
    results = {r.name: r for r in run_data_tests(con)}
    assert results["kpi_count_within_total"].severity == "warning" and results["kpi_count_within_total"].failing_rows


def test_consistent_kpis_pass(con):
    _kpi_database(con, AFTER)
    assert _kpi_failures(con) == set()
    assert not {n for n in failing(con) if n.startswith("kpi")}
