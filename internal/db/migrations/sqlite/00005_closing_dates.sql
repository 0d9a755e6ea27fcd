-- +goose Up
-- A deadline is a calendar date, open until the end of that day in Europe/Paris
-- (domain.Deadline): the closing instants (TEXT in UTC) of the candidature and
-- answer periods become their last days (TEXT YYYY-MM-DD, as first_day and
-- last_day). A last day is the Paris date of the last instant that was open,
-- one second before the closing instant, so a period closing at 23:59 on 6
-- September and one closing at midnight starting 7 September both keep 6
-- September, now open to its very end. SQLite knows no time zones: Paris is
-- UTC+2 from the last Sunday of March at 01:00 UTC to the last Sunday of
-- October at 01:00 UTC (the EU rule), UTC+1 otherwise. The table's CHECKs
-- (opens < closes) still hold in text order for a period that closes on a later
-- day than it opens (domain.Session.Validate checks the exact rule).
UPDATE sessions SET
    candidature_closes = date(datetime(candidature_closes, '-1 seconds'), CASE
        WHEN datetime(candidature_closes, '-1 seconds') >= datetime(strftime('%Y', candidature_closes) || '-04-01', '-7 days', 'weekday 0', '+1 hours')
         AND datetime(candidature_closes, '-1 seconds') < datetime(strftime('%Y', candidature_closes) || '-11-01', '-7 days', 'weekday 0', '+1 hours')
        THEN '+2 hours' ELSE '+1 hours' END),
    answer_closes = date(datetime(answer_closes, '-1 seconds'), CASE
        WHEN datetime(answer_closes, '-1 seconds') >= datetime(strftime('%Y', answer_closes) || '-04-01', '-7 days', 'weekday 0', '+1 hours')
         AND datetime(answer_closes, '-1 seconds') < datetime(strftime('%Y', answer_closes) || '-11-01', '-7 days', 'weekday 0', '+1 hours')
        THEN '+2 hours' ELSE '+1 hours' END);

-- +goose Down
UPDATE sessions SET
    candidature_closes = strftime('%Y-%m-%dT%H:%M:%S.000000Z', datetime(candidature_closes, '+1 days', CASE
        WHEN datetime(candidature_closes, '+1 days', '-2 hours') >= datetime(strftime('%Y', candidature_closes) || '-04-01', '-7 days', 'weekday 0', '+1 hours')
         AND datetime(candidature_closes, '+1 days', '-2 hours') < datetime(strftime('%Y', candidature_closes) || '-11-01', '-7 days', 'weekday 0', '+1 hours')
        THEN '-2 hours' ELSE '-1 hours' END, '-1 minutes')),
    answer_closes = strftime('%Y-%m-%dT%H:%M:%S.000000Z', datetime(answer_closes, '+1 days', CASE
        WHEN datetime(answer_closes, '+1 days', '-2 hours') >= datetime(strftime('%Y', answer_closes) || '-04-01', '-7 days', 'weekday 0', '+1 hours')
         AND datetime(answer_closes, '+1 days', '-2 hours') < datetime(strftime('%Y', answer_closes) || '-11-01', '-7 days', 'weekday 0', '+1 hours')
        THEN '-2 hours' ELSE '-1 hours' END, '-1 minutes'));
