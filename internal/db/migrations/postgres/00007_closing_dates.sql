-- +goose Up
-- A deadline is a calendar date, open until the end of that day in Europe/Paris
-- (domain.Deadline): the closing instants of the candidature and answer periods
-- become their last days. A last day is the Paris date of the last instant that
-- was open, so a period closing at 23:59 on 6 September and one closing at
-- midnight starting 7 September both keep 6 September, now open to its very end.
-- +goose StatementBegin
DO $$
DECLARE check_name text;
BEGIN
    FOR check_name IN SELECT conname FROM pg_constraint
        WHERE conrelid = 'sessions'::regclass AND contype = 'c'
          AND (pg_get_constraintdef(oid) LIKE '%candidature_opens < candidature_closes%'
            OR pg_get_constraintdef(oid) LIKE '%answer_opens < answer_closes%')
    LOOP
        EXECUTE format('ALTER TABLE sessions DROP CONSTRAINT %I', check_name);
    END LOOP;
END $$;
-- +goose StatementEnd
ALTER TABLE sessions
    ALTER COLUMN candidature_closes TYPE DATE
        USING ((candidature_closes - INTERVAL '1 microsecond') AT TIME ZONE 'Europe/Paris')::date,
    ALTER COLUMN answer_closes TYPE DATE
        USING ((answer_closes - INTERVAL '1 microsecond') AT TIME ZONE 'Europe/Paris')::date;
ALTER TABLE sessions
    ADD CONSTRAINT sessions_candidature_period
        CHECK (candidature_opens < ((candidature_closes + 1)::timestamp AT TIME ZONE 'Europe/Paris')),
    ADD CONSTRAINT sessions_answer_period
        CHECK (answer_opens < ((answer_closes + 1)::timestamp AT TIME ZONE 'Europe/Paris'));

-- +goose Down
ALTER TABLE sessions DROP CONSTRAINT sessions_candidature_period, DROP CONSTRAINT sessions_answer_period;
ALTER TABLE sessions
    ALTER COLUMN candidature_closes TYPE TIMESTAMPTZ
        USING (((candidature_closes + 1)::timestamp AT TIME ZONE 'Europe/Paris') - INTERVAL '1 minute'),
    ALTER COLUMN answer_closes TYPE TIMESTAMPTZ
        USING (((answer_closes + 1)::timestamp AT TIME ZONE 'Europe/Paris') - INTERVAL '1 minute');
ALTER TABLE sessions ADD CHECK (candidature_opens < candidature_closes), ADD CHECK (answer_opens < answer_closes);
