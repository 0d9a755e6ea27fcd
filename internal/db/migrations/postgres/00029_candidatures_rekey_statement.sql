-- +goose Up
-- A row-level BEFORE UPDATE trigger makes PostgreSQL fetch and lock each row
-- before the update, whatever the trigger's column list (the list is looked
-- at afterwards): candidatures_kept (00005, BEFORE DELETE OR UPDATE OF id)
-- thus cost a tuple lock and its WAL record for every candidature a
-- selection's publication decides — a million at a time (pg_walinspect:
-- one Heap/LOCK per row; bench/README.md "Publication at scale, third
-- pass"). Refusing to re-key is the same as a statement-level trigger on
-- UPDATE OF id: any UPDATE that sets id is refused, for no cost to the
-- others; deletions keep their row-level trigger. The same for accounts
-- (00028), which every profile change updates.
DROP TRIGGER candidatures_kept ON candidatures;
CREATE TRIGGER candidatures_kept BEFORE DELETE ON candidatures
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();
CREATE TRIGGER candidatures_not_rekeyed BEFORE UPDATE OF id ON candidatures
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_record();
DROP TRIGGER accounts_kept ON accounts;
CREATE TRIGGER accounts_kept BEFORE DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();
CREATE TRIGGER accounts_not_rekeyed BEFORE UPDATE OF id ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_removing_record();

-- +goose Down
DROP TRIGGER accounts_not_rekeyed ON accounts;
DROP TRIGGER accounts_kept ON accounts;
CREATE TRIGGER accounts_kept BEFORE DELETE OR UPDATE OF id ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();
DROP TRIGGER candidatures_not_rekeyed ON candidatures;
DROP TRIGGER candidatures_kept ON candidatures;
CREATE TRIGGER candidatures_kept BEFORE DELETE OR UPDATE OF id ON candidatures
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();
