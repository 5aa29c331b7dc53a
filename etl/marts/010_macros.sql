-- Rules that depend on a day ("as of"): defined once here, stored in the database, called by the marts below and
-- by every query of the app and the report that needs another day (the app: today; the report: its reference day).
--
-- @macro milestone_state_on: State of one milestone on the day as_of: 'erledigt' (done by as_of, not after its due date) | 'verspätet erledigt' (done by as_of, after its due date) | 'entfallen' (not done by as_of, initiative Verworfen: counts neither as open nor as overdue) | 'überfällig' (not done by as_of, due before as_of) | 'offen' (otherwise, also without due date). A done date after as_of counts as not done yet on as_of.

create macro milestone_state_on(due_date, done_date, initiative_status, as_of) as
    case
        when done_date <= as_of then
            case when done_date > due_date then 'verspätet erledigt' else 'erledigt' end
        when initiative_status = 'Verworfen' then 'entfallen'
        when due_date < as_of then 'überfällig'
        else 'offen'
    end;
