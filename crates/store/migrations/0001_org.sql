-- org (组织): the baseline of the area's tables.
-- Portable SQL for SQLite and PostgreSQL, one file set per area. Times are
-- Unix milliseconds (BIGINT), dates are DATE. Every member-scoped table
-- carries committee_id, the shard key of a later Citus deployment, as the
-- first column of its primary key.

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

-- Per-committee generation numbers for in-memory caches of derived data (see store::generation).
CREATE TABLE committee_generations (
    committee_id BIGINT PRIMARY KEY,
    orgs BIGINT NOT NULL DEFAULT 0,
    meetings BIGINT NOT NULL DEFAULT 0,
    -- 排队抓尾: a generation number for the facts the ranking reads besides
    -- meetings (dues charges and payments, recruitment cases), and rectification
    -- plans for branches in the tail.
    facts BIGINT NOT NULL DEFAULT 0
);

INSERT INTO committee_generations (committee_id, orgs, meetings) SELECT DISTINCT committee_id, 1, 1 FROM orgs;
