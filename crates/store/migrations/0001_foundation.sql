-- Foundation schema: org tree, members, accounts, sessions, audit, rules.
-- Portable SQL for SQLite and PostgreSQL. Times are Unix milliseconds (BIGINT),
-- dates are DATE. Every member-scoped table carries committee_id, the shard key
-- of a later Citus deployment, as the first column of its primary key.

CREATE TABLE id_blocks (
    name TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);
INSERT INTO id_blocks (name, next_id) VALUES ('global', 1);

-- The org tree as a materialized path: '/1/5/23/'; a subtree is a prefix.
CREATE TABLE orgs (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    parent_id BIGINT,
    path TEXT NOT NULL,
    depth BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    district TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL DEFAULT '',
    sort_order BIGINT NOT NULL DEFAULT 0,
    established_on DATE,
    term_start DATE,
    term_end DATE,
    dissolved_on DATE,
    dissolved_reason TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);
CREATE INDEX orgs_by_id ON orgs (id);
CREATE INDEX orgs_by_path ON orgs (committee_id, path);
CREATE INDEX orgs_by_parent ON orgs (committee_id, parent_id);
CREATE INDEX orgs_by_kind ON orgs (kind, active);

-- Changes to orgs (created, renamed, moved, dissolved), kept for history.
CREATE TABLE org_history (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    ts_ms BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL DEFAULT '',
    change TEXT NOT NULL,
    from_value TEXT NOT NULL DEFAULT '',
    to_value TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, id)
);
CREATE INDEX org_history_by_org ON org_history (committee_id, org_id, ts_ms);

CREATE TABLE members (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    group_id BIGINT,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    birth_date DATE NOT NULL,
    id_card_enc TEXT NOT NULL,
    id_card_masked TEXT NOT NULL,
    id_card_index TEXT NOT NULL,
    phone_enc TEXT NOT NULL DEFAULT '',
    phone_masked TEXT NOT NULL DEFAULT '',
    education TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    cadre_rank TEXT NOT NULL DEFAULT '',
    native_place TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    community TEXT NOT NULL DEFAULT '',
    join_date DATE,
    full_date DATE,
    status TEXT NOT NULL,
    import_batch_id BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);
CREATE INDEX members_by_id ON members (id);
CREATE INDEX members_by_org ON members (committee_id, org_id, status);
-- No index on name: the roster searches by substring (LIKE '%…%'), which an
-- index cannot serve; counts by status go through members_by_org.
CREATE INDEX members_by_idcard ON members (id_card_index);

-- One row per spreadsheet import: the members it created point here, so a
-- 40,000-row import writes its provenance once instead of once per member.
CREATE TABLE import_batches (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    row_count BIGINT NOT NULL
);

-- Every change to a member record: who, when, why.
CREATE TABLE member_history (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    ts_ms BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL DEFAULT '',
    change TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    from_value TEXT NOT NULL DEFAULT '',
    to_value TEXT NOT NULL DEFAULT '',
    effective_date DATE,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, id)
);
CREATE INDEX member_history_by_member ON member_history (committee_id, member_id, ts_ms);

-- Leadership posts of an org (secretary, committee members, group leaders).
CREATE TABLE org_posts (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    post TEXT NOT NULL,
    since DATE,
    PRIMARY KEY (committee_id, id)
);
CREATE INDEX org_posts_by_org ON org_posts (committee_id, org_id);

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
    created_by TEXT NOT NULL DEFAULT ''
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

-- Append-only, hash-chained audit log.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    ts_ms BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX audit_log_by_ts ON audit_log (ts_ms);
CREATE INDEX audit_log_by_user ON audit_log (username, seq);

-- The chain's head (last sequence and MAC) and its anchor (where kept rows begin).
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    mac TEXT NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_mac TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, mac, anchor_seq, anchor_mac)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Versioned rules with effective dates.
CREATE TABLE rules (
    rule_key TEXT NOT NULL,
    effective_from DATE NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (rule_key, effective_from)
);
