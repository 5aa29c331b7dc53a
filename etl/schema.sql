-- Regionalmonitor database: the tables the app and the tools read.
-- Built by `python -m etl` into a fresh file; names are fixed (other code relies on them).
-- Every column is described (with its unit) by a COMMENT below its table.

-- ---------------------------------------------------------------- reference data
create table meta (
    key   varchar primary key,
    value varchar
);
comment on table meta is 'Build facts: district key and name, data Stand, whether synthetic data is loaded.';

create table theme (
    theme_id  varchar primary key,
    name_de   varchar not null,
    name_en   varchar not null,
    colour    varchar not null,
    sort      integer not null
);
comment on column theme.colour is 'Hex colour of the theme on every chart and map (Okabe-Ito, colour-blind safe).';

create table status (
    status    varchar primary key,
    rank      integer not null,
    on_track  boolean not null
);
comment on column status.rank is 'Position on the status line Idee (1) .. Abgeschlossen (7); Ruht 8, Verworfen 9.';
comment on column status.on_track is 'True for the seven stages of the line, false for Ruht and Verworfen.';

create table region (
    region_key  varchar primary key,
    name        varchar not null,
    level       varchar not null,
    parent_key  varchar
);
comment on table region is 'Every unit a value can belong to: the municipalities and the benchmark aggregates.';
comment on column region.region_key is 'AGS (8 digits) for a municipality, 5 digits for a district, 2 for a Land, DG for Germany.';
comment on column region.level is 'gemeinde | kreis | land | bund';

create table municipality (
    ags              varchar primary key,
    name             varchar not null,
    name_sorbian     varchar,
    kind             varchar not null,
    association      varchar,
    population       bigint,
    population_date  date,
    area_km2         double,
    lat              double not null,
    lon              double not null,
    central_place    varchar,
    valid_from       date,
    valid_to         date,
    source           varchar
);
comment on column municipality.ags is 'Amtlicher Gemeindeschlüssel, 8 digits, string with leading zeros.';
comment on column municipality.kind is 'Stadt | Gemeinde';
comment on column municipality.population is 'Inhabitants (persons) on population_date, official.';
comment on column municipality.area_km2 is 'Area in km².';
comment on column municipality.lat is 'Latitude of the municipality point, WGS84 degrees.';
comment on column municipality.lon is 'Longitude of the municipality point, WGS84 degrees.';
comment on column municipality.central_place is 'Oberzentrum | Mittelzentrum | Grundzentrum | NULL';
comment on column municipality.valid_from is 'First day the municipality exists in this form (NULL = before records).';
comment on column municipality.valid_to is 'Last day it exists in this form (NULL = still current).';

create table municipality_geometry (
    ags       varchar primary key,
    geojson   varchar not null,
    source    varchar
);
comment on column municipality_geometry.geojson is 'GeoJSON geometry (Polygon/MultiPolygon, WGS84) of the municipality boundary.';

-- ---------------------------------------------------------------- sources and indicators
create table source (
    source_id       varchar primary key,
    file_name       varchar not null,
    kind            varchar not null,
    format          varchar,
    title           varchar,
    origin          varchar not null,
    reference_date  date,
    licence         varchar not null,
    attribution     varchar,
    synthetic       boolean not null,
    note            varchar,
    size_bytes      bigint,
    sha256          varchar,
    rows_loaded     bigint
);
comment on table source is 'Provenance of every loaded file: origin, reference date, licence; synthetic = sample data, not official.';
comment on column source.kind is 'statistics | catalogue | portfolio | municipalities | regions | geometry';
comment on column source.format is 'genesis_ffcsv | genesis_table | inkar | xlsx | csv | geojson';

create table indicator (
    indicator_id      varchar primary key,
    name_de           varchar not null,
    name_en           varchar not null,
    theme             varchar not null,
    unit              varchar not null,
    higher_is_better  boolean,
    decimals          integer not null,
    source            varchar not null,
    licence           varchar not null,
    definition        varchar not null,
    method            varchar not null,
    source_file       varchar,
    source_statistic  varchar,
    source_variable   varchar,
    source_dims       varchar,
    formula           varchar,
    series_break      varchar
);
comment on column indicator.theme is 'mobility | supply | tourism | value_chains | demography';
comment on column indicator.unit is 'Unit of every value of the indicator, German (e.g. Personen, km, Minuten, %, je 10.000 EW).';
comment on column indicator.higher_is_better is 'True if a higher value is better, false if lower is better, NULL if neutral.';
comment on column indicator.method is 'file (values read from a statistics file) | formula (computed from other indicators)';
comment on column indicator.source_dims is 'Further variable attributes a file row must carry, "CODE=ATTR;..." sorted; empty = none.';
comment on column indicator.formula is 'Expression over other indicators, e.g. "{beds} / {population} * 1000"; or "change_pct({population})".';
comment on column indicator.series_break is 'Break in the series: "YYYY-MM-DD|note"; values from that date on are on a new basis. A formula indicator without its own takes the latest break of the indicators it is computed from (note: "... (übernommen aus <name>)").';

create table indicator_value (
    indicator_id  varchar not null,
    region_key    varchar not null,
    period        date not null,
    year          integer not null,
    value         double,
    flag          varchar,
    source_id     varchar not null
);
comment on table indicator_value is 'One value per (indicator_id, region_key, period); uniqueness is checked by a data test (an index would triple the load time at national scale).';
comment on column indicator_value.value is 'Value in indicator.unit; NULL when the source withholds it (see flag).';
comment on column indicator_value.flag is 'NULL (normal) | zero | secret | later | unreliable | not_applicable | limited | provisional | revised | estimated | final | break';
comment on column indicator_value.period is 'Reference date of the value (31.12. of the year for stock figures).';

-- ---------------------------------------------------------------- portfolio
create table initiative (
    initiative_id        varchar primary key,
    title                varchar not null,
    summary              varchar,
    theme                varchar not null,
    districtwide         boolean not null,
    lead_organisation    varchar,
    origin               varchar,
    status               varchar not null,
    start_date           date,
    end_planned          date,
    total_cost_eur       double,
    funding_granted_eur  double,
    own_funds_eur        double,
    contact_name         varchar,
    contact_email        varchar,
    contact_phone        varchar,
    is_public            boolean not null,
    lat                  double,
    lon                  double,
    as_of                date,
    source_row           integer
);
comment on column initiative.theme is 'Main theme: mobility | supply | tourism | value_chains.';
comment on column initiative.origin is 'Bürgerschaft | Gemeinde | Verein | Landratsamt | Unternehmen | Wissenschaft';
comment on column initiative.status is 'Current status (from the Initiativen sheet), one of table status.';
comment on column initiative.total_cost_eur is 'Total cost in EUR.';
comment on column initiative.funding_granted_eur is 'Funds granted (bewilligt) in EUR.';
comment on column initiative.own_funds_eur is 'Own funds in EUR.';
comment on column initiative.contact_name is 'PERSONAL DATA: shown to the office only, never exported.';
comment on column initiative.contact_email is 'PERSONAL DATA: shown to the office only, never exported.';
comment on column initiative.contact_phone is 'PERSONAL DATA: shown to the office only, never exported.';
comment on column initiative.is_public is 'Öffentlich: may appear in reports that leave the office.';
comment on column initiative.as_of is 'Stand: date the office last checked the row.';
comment on column initiative.source_row is 'Row number in the workbook sheet Initiativen (Excel numbering).';

create table initiative_theme (
    initiative_id  varchar not null,
    theme          varchar not null,
    is_primary     boolean not null,
    primary key (initiative_id, theme)
);

create table initiative_municipality (
    initiative_id  varchar not null,
    ags            varchar not null,
    primary key (initiative_id, ags)
);
comment on table initiative_municipality is 'Municipalities an initiative works in; kreisweit = all municipalities of the district.';

create table initiative_programme (
    initiative_id  varchar not null,
    programme      varchar not null,
    primary key (initiative_id, programme)
);
comment on column initiative_programme.programme is 'Funding programme (Förderprogramm) as written in the workbook, e.g. LEADER, STARK, EFRE.';

create table initiative_organisation (
    initiative_id  varchar not null,
    organisation   varchar not null,
    role           varchar not null,
    primary key (initiative_id, organisation, role)
);
comment on column initiative_organisation.role is 'Träger (lead) | Partner';

create table milestone (
    initiative_id  varchar not null,
    seq            integer not null,
    title          varchar not null,
    due_date       date,
    done_date      date,
    primary key (initiative_id, seq)
);
comment on column milestone.seq is 'Order of the milestone within its initiative (1..n, workbook order).';

create table status_history (
    initiative_id  varchar not null,
    date           date not null,
    status         varchar not null,
    note           varchar,
    seq            integer not null,
    primary key (initiative_id, seq)
);

create table kpi (
    initiative_id  varchar not null,
    seq            integer not null,
    name           varchar not null,
    indicator_id   varchar,
    unit           varchar,
    baseline       double,
    target         double,
    target_year    integer,
    actual         double,
    as_of          date,
    primary key (initiative_id, seq)
);
comment on column kpi.indicator_id is 'Set when the Kennzahl names an indicator of the catalogue.';
comment on column kpi.baseline is 'Ausgangswert in kpi.unit.';
comment on column kpi.target is 'Zielwert in kpi.unit.';
comment on column kpi.actual is 'Istwert in kpi.unit on as_of.';

create table coordination_round (
    round_id   integer primary key,
    date       date not null,
    format     varchar,
    results    varchar
);
comment on column coordination_round.round_id is 'Row order in sheet Abstimmungsrunden (1..n).';

create table coordination_round_organisation (
    round_id      integer not null,
    organisation  varchar not null,
    primary key (round_id, organisation)
);

create table coordination_round_initiative (
    round_id       integer not null,
    initiative_id  varchar not null,
    primary key (round_id, initiative_id)
);

-- ---------------------------------------------------------------- runs and quality
create table validation_issue (
    run_id    varchar not null,
    severity  varchar not null,
    file      varchar,
    sheet     varchar,
    row       integer,
    col       varchar,
    value     varchar,
    message   varchar not null,
    expected  varchar
);
comment on table validation_issue is 'Warnings of the build that produced this database (errors stop a build).';

create table data_test (
    run_id        varchar not null,
    test_name     varchar not null,
    description   varchar not null,
    failing_rows  bigint not null,
    sample        varchar
);
comment on table data_test is 'SQL data tests run after the build; failing_rows = rows the test query returned.';

create table etl_run (
    run_id         varchar primary key,
    started_at     timestamp not null,
    finished_at    timestamp,
    duration_s     double,
    status         varchar not null,
    source_dir     varchar,
    files          varchar,
    row_counts     varchar,
    warnings       integer,
    errors         integer,
    data_tests     varchar,
    message        varchar
);
comment on table etl_run is 'Every ETL run: the successful ones land in the database; failed ones in data/etl_runs.jsonl.';
comment on column etl_run.files is 'JSON list of source files: name, size_bytes, sha256.';
comment on column etl_run.row_counts is 'JSON object table -> rows.';
comment on column etl_run.duration_s is 'Duration in seconds.';
