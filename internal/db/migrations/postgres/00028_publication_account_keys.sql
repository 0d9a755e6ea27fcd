-- +goose Up
-- A selection's publication writes a history line per candidature (a million)
-- naming the publishing person, and a message per candidate (667,111): each
-- row's foreign key to accounts made PostgreSQL look up and lock (FOR KEY
-- SHARE) the account again — at 400,000 candidatures 2.3 s for the history
-- lines and 2.2 s for the messages, of a publication of 20 s (EXPLAIN ANALYZE,
-- bench/README.md "Publication at scale, third pass"). What they guarded is
-- kept as in 00005 and 00025:
--   * those rows are only written for accounts that exist: a message for the
--     person a capability read, a history line by the signed-in actor or a
--     publication's for the accounts of the candidatures it changed;
--   * accounts are never deleted nor re-keyed (the trigger below; 24 other
--     foreign keys point at them).
-- SQLite keeps both foreign keys: its checks lock nothing.
ALTER TABLE messages DROP CONSTRAINT messages_account_id_fkey;
ALTER TABLE candidature_events DROP CONSTRAINT candidature_events_actor_account_id_fkey;
CREATE TRIGGER accounts_kept BEFORE DELETE OR UPDATE OF id ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_record();

-- +goose Down
DROP TRIGGER accounts_kept ON accounts;
ALTER TABLE candidature_events ADD CONSTRAINT candidature_events_actor_account_id_fkey
    FOREIGN KEY (actor_account_id) REFERENCES accounts (id);
ALTER TABLE messages ADD CONSTRAINT messages_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id);
