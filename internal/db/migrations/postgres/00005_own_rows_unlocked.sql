-- +goose Up
-- A validation's candidatures point at its validation, and their first history
-- events at them; store.WriteValidations writes all three in one statement.
-- The foreign keys made PostgreSQL lock each of those brand-new rows again
-- (FOR KEY SHARE) before the statement ended: at a registration opening that
-- was the slowest tenth of the validations (bench/README.md). What they
-- guarded is kept another way:
--   * a history event is only ever written for a candidature that exists
--     (store.InsertCandidatureEvent reads the candidature id in its INSERT, and
--     WriteValidations uses the ids its candidatures' INSERT returned);
--   * validations and candidatures are the city's record: never deleted, never
--     re-keyed (the triggers below), so what points at them stays valid.
-- SQLite keeps both foreign keys: its checks lock nothing.
ALTER TABLE candidatures DROP CONSTRAINT candidatures_validation_key_fkey;
ALTER TABLE candidature_events DROP CONSTRAINT candidature_events_candidature_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION refuse_removing_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are kept for good: never deleted, never re-keyed', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER validations_kept BEFORE DELETE OR UPDATE OF key ON validations
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();
CREATE TRIGGER candidatures_kept BEFORE DELETE OR UPDATE OF id ON candidatures
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();

-- +goose Down
DROP TRIGGER candidatures_kept ON candidatures;
DROP TRIGGER validations_kept ON validations;
DROP FUNCTION refuse_removing_record();
ALTER TABLE candidature_events ADD CONSTRAINT candidature_events_candidature_id_fkey
    FOREIGN KEY (candidature_id) REFERENCES candidatures (id);
ALTER TABLE candidatures ADD CONSTRAINT candidatures_validation_key_fkey
    FOREIGN KEY (validation_key) REFERENCES validations (key);
