-- KPIs (Kennzahlen) of the initiatives with their display name, unit and rating: the one place of these rules.
--
-- @table kpi_rating: One row per KPI of an initiative, named and rated.
-- @column initiative_id: Initiative (initiative.initiative_id).
-- @column seq: Order of the KPI within its initiative (1..n, workbook order).
-- @column name: German display name: the indicator's name when the Kennzahl names an indicator of the catalogue (kpi.indicator_id), else the Kennzahl as written.
-- @column indicator_id: Indicator the Kennzahl names (NULL for free text).
-- @column unit: Unit of baseline, target and actual: the KPI's own unit when not blank, else the indicator's; '' when neither.
-- @column baseline: Ausgangswert in unit.
-- @column target: Zielwert in unit.
-- @column target_year: Year the target is to be reached (Zieljahr).
-- @column actual: Istwert in unit on as_of.
-- @column as_of: Date of the actual value.
-- @column reached: True when the actual value has reached the target in the direction from the baseline to the target (baseline above target: lower is better, else higher is better); NULL (not rated) when actual or target is missing.
-- @column progress: Share of the way from the baseline (0 when missing) to the target reached by the actual value, in percent (100 = target reached; can exceed 100 or be negative); NULL when actual or target is missing or the target equals the baseline.

create table kpi_rating as
with source as (
    select k.*, ind.name_de as indicator_name, ind.unit as indicator_unit
    from kpi k
    left join indicator ind on ind.indicator_id = k.indicator_id
),
renamed as (
    select initiative_id, seq,
           coalesce(indicator_name, name) as name,
           indicator_id,
           coalesce(nullif(trim(unit), ''), indicator_unit, '') as unit,
           baseline, target, target_year, actual, as_of,
           coalesce(baseline, 0) as progress_base
    from source
),
final as (
    select initiative_id, seq, name, indicator_id, unit, baseline, target, target_year, actual, as_of,
           case when actual is null or target is null then null
                when baseline is not null and baseline > target then actual <= target
                else actual >= target end as reached,
           case when actual is null or target is null or target = progress_base then null
                else 100.0::double * (actual - progress_base) / (target - progress_base) end as progress
    from renamed
)
select * from final order by initiative_id, seq;
