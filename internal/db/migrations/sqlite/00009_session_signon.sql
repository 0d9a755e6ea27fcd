-- +goose Up
-- The sign-on session a web session comes from (OpenID Connect): the
-- provider's issuer, the ID token's sid (when it has one) and subject, written
-- with the session's data (store.SessionStore.CommitSignedInCtx), so that a
-- logout started at the provider (back-channel or front-channel) finds every
-- web session bound to that sign-on session. Empty for other sessions.
ALTER TABLE web_sessions ADD COLUMN signon_issuer TEXT;
ALTER TABLE web_sessions ADD COLUMN signon_sid TEXT;
ALTER TABLE web_sessions ADD COLUMN signon_subject TEXT;
CREATE INDEX web_sessions_signon_sid ON web_sessions (signon_issuer, signon_sid);
CREATE INDEX web_sessions_signon_subject ON web_sessions (signon_issuer, signon_subject);

-- +goose Down
DROP INDEX web_sessions_signon_subject;
DROP INDEX web_sessions_signon_sid;
ALTER TABLE web_sessions DROP COLUMN signon_subject;
ALTER TABLE web_sessions DROP COLUMN signon_sid;
ALTER TABLE web_sessions DROP COLUMN signon_issuer;
