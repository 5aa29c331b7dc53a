"""SQL data tests catch planted violations and pass on clean data."""
from pathlib import Path

import duckdb
import pytest

from etl.datatests import TESTS, run_data_tests
from etl.marts import build_marts

SCHEMA = (Path(__file__).parent.parent / "etl" / "schema.sql").read_text(encoding="utf-8")


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
