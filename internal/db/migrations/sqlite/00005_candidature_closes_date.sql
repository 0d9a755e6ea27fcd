-- +goose Up
-- A deadline is a calendar date, open until the end of that day in Europe/Paris
-- (domain.Deadline): the candidature period's closing instant (TEXT in UTC)
-- becomes its last day (TEXT YYYY-MM-DD, as first_day and last_day). The last
-- day is the Paris date of the last instant that was open, one second before
-- the closing instant, so a period closing at 23:59 on 6 September and one
-- closing at midnight starting 7 September both keep 6 September, now open to
-- its very end. SQLite knows no time zones: Paris is UTC+2 from the last Sunday
-- of March at 01:00 UTC to the last Sunday of October at 01:00 UTC (the EU
-- rule), UTC+1 otherwise. The column's CHECK (candidature_opens <
-- candidature_closes) still holds in text order for a period that closes on a
-- later day than it opens.
UPDATE sessions SET candidature_closes = date(datetime(candidature_closes, '-1 seconds'), CASE
    WHEN datetime(candidature_closes, '-1 seconds') >= datetime(strftime('%Y', candidature_closes) || '-04-01', '-7 days', 'weekday 0', '+1 hours')
     AND datetime(candidature_closes, '-1 seconds') < datetime(strftime('%Y', candidature_closes) || '-11-01', '-7 days', 'weekday 0', '+1 hours')
    THEN '+2 hours' ELSE '+1 hours' END);

-- +goose Down
UPDATE sessions SET candidature_closes = strftime('%Y-%m-%dT%H:%M:%S.000000Z', datetime(candidature_closes, '+1 days', CASE
    WHEN datetime(candidature_closes, '+1 days', '-2 hours') >= datetime(strftime('%Y', candidature_closes) || '-04-01', '-7 days', 'weekday 0', '+1 hours')
     AND datetime(candidature_closes, '+1 days', '-2 hours') < datetime(strftime('%Y', candidature_closes) || '-11-01', '-7 days', 'weekday 0', '+1 hours')
    THEN '-2 hours' ELSE '-1 hours' END, '-1 minutes'));
