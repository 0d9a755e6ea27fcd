-- +goose Up
-- The account a session is signed in to, written with the session's data, so
-- that a request reads its session and its account in one query
-- (store.SessionStore.FindSignedInCtx). Empty for a session not signed in.
ALTER TABLE web_sessions ADD COLUMN account_id BIGINT;

-- +goose Down
ALTER TABLE web_sessions DROP COLUMN account_id;
