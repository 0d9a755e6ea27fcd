-- +goose Up
-- The régie's accountant (régisseur): a staff role that reads every
-- establishment's ledger and changes nothing.
ALTER TABLE staff_grants DROP CONSTRAINT staff_grants_role_check;
ALTER TABLE staff_grants ADD CONSTRAINT staff_grants_role_check CHECK (role IN ('central', 'director', 'coordinator', 'trainer',
    'guidance', 'helpdesk', 'regisseur'));

-- +goose Down
DELETE FROM staff_grants WHERE role = 'regisseur';
ALTER TABLE staff_grants DROP CONSTRAINT staff_grants_role_check;
ALTER TABLE staff_grants ADD CONSTRAINT staff_grants_role_check CHECK (role IN ('central', 'director', 'coordinator', 'trainer',
    'guidance', 'helpdesk'));
