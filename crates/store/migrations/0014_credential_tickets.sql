-- Account activation and password resets that no single administrator can
-- complete. The system administrator opens a ticket and is shown the first
-- half of the activation code; a security administrator (or, for a security
-- administrator's own account, an audit administrator) approves it and is
-- shown the second half; the owner, given both halves, sets a password.
-- Only hashes of the halves are stored.
-- Placement (national scale): local to the coordinator, like users and sessions.
CREATE TABLE credential_tickets (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    purpose TEXT NOT NULL,            -- create | reset
    state TEXT NOT NULL,              -- pending | approved | used | void
    requested_by TEXT NOT NULL,
    requested_by_id BIGINT,
    requested_at BIGINT NOT NULL,
    approved_by TEXT NOT NULL DEFAULT '',
    approved_by_id BIGINT,
    approved_at BIGINT,
    part_a_hash TEXT NOT NULL,
    part_b_hash TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX credential_tickets_by_user ON credential_tickets (user_id, state);

-- Set when an account is (re)activated through a ticket; the owner is shown
-- a notice until they acknowledge it, and the first sign-in is audited.
ALTER TABLE users ADD COLUMN reset_notice_at BIGINT NOT NULL DEFAULT 0;
