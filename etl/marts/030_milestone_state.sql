-- Milestones with their state (rule: macro milestone_state_on) as of the data Stand, and a table macro for the
-- same rows as of any other day.
--
-- @table milestone_state: Every milestone with its initiative's status and its state as of the data Stand (meta stand).
-- @column initiative_id: Initiative (initiative.initiative_id).
-- @column seq: Order of the milestone within its initiative (1..n, workbook order).
-- @column title: Milestone as written in the workbook.
-- @column due_date: Date the milestone is due (Fällig am); NULL when not planned.
-- @column done_date: Date the milestone was done (Erledigt am); NULL when not done.
-- @column initiative_status: Current status of the initiative (initiative.status).
-- @column stand: The data Stand the column state refers to (meta stand, date).
-- @column state: State on stand: erledigt | verspätet erledigt | entfallen | überfällig | offen (macro milestone_state_on).
-- @table_macro milestones_on: milestones_on(as_of): the rows of milestone_state with state (and stand) as of the day as_of instead of the data Stand.

create table milestone_state as
with source as (
    select m.initiative_id, m.seq, m.title, m.due_date, m.done_date, i.status,
           (select try_cast(left(value, 10) as date) from meta where key = 'stand') as stand
    from milestone m
    join initiative i on i.initiative_id = m.initiative_id
),
renamed as (
    select initiative_id, seq, title, due_date, done_date, status as initiative_status, stand
    from source
),
final as (
    select *, milestone_state_on(due_date, done_date, initiative_status, stand) as state
    from renamed
)
select * from final order by initiative_id, seq;

create macro milestones_on(as_of) as table
    select * replace (as_of::date as stand, milestone_state_on(due_date, done_date, initiative_status, as_of::date) as state)
    from milestone_state;
