-- +goose Up
-- A selection's publication keeps one email per candidate (667,111 at a
-- million candidatures): rendered in its transaction, their bodies were 2 of
-- the publication's 3 minutes and 2.3 GB written (bench/README.md, "Publication at
-- scale, third pass"). Such a message is now kept without its body:
-- render_ref names what its kind's renderer renders it from (for
-- selection_outcomes: the published run, whose outcomes never change), and
-- the body is rendered and stored on the row, render_ref cleared, when the
-- message is first read — sent by the email worker or shown in the person's
-- space or to the central service (store.materialise). What was sent stays
-- kept as before.
ALTER TABLE messages ADD COLUMN render_ref BIGINT;

-- +goose Down
ALTER TABLE messages DROP COLUMN render_ref;
