-- The dates of the sidebar's period rule (monitor.filters.Filters.initiative_sql): an initiative is in a period
-- when it existed by the period's end (first_date) and was not closed before its start (closed_date).
--
-- @table initiative_span: The dates of the period rule, one row per initiative.
-- @column initiative_id: Initiative (initiative.initiative_id).
-- @column first_date: Date the initiative first appears: its first status date, else its start date (NULL when neither is known; then it counts as existing).
-- @column closed: True when its current status is Abgeschlossen or Verworfen.
-- @column closed_date: For a closed initiative, the last date its status history reached the current status (NULL when not closed or without such an entry; then it never counts as closed before a period).

create table initiative_span as
with source as (
    select i.initiative_id, i.status, i.start_date, h.date as history_date, h.status as history_status
    from initiative i
    left join status_history h on h.initiative_id = i.initiative_id
),
renamed as (
    select initiative_id,
           start_date,
           history_date,
           status in ('Abgeschlossen', 'Verworfen') as closed,
           history_status = status as reaches_current_status
    from source
),
final as (
    select initiative_id,
           coalesce(min(history_date), start_date) as first_date,
           closed,
           case when closed then max(history_date) filter (where reaches_current_status) end as closed_date
    from renamed
    group by initiative_id, start_date, closed
)
select * from final;
