-- auth (账号): the baseline of the area's tables.

-- Accounts are province-wide (a Citus reference table later).
CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    password_changed_at BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    -- Set when an account is (re)activated through a ticket; the owner is shown
    -- a notice until they acknowledge it, and the first sign-in is audited.
    reset_notice_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE password_history (
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    password_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, created_at)
);

-- A role bound to an org subtree (or, for members, to their own record).
CREATE TABLE user_roles (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    org_id BIGINT,
    member_id BIGINT,
    granted_by TEXT NOT NULL DEFAULT '',
    granted_at BIGINT NOT NULL
);

CREATE INDEX user_roles_by_user ON user_roles (user_id);

CREATE INDEX user_roles_by_member ON user_roles (member_id);

-- Server-side sessions: only a hash of the token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    role_id BIGINT,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);

CREATE INDEX sessions_by_user ON sessions (user_id);

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
