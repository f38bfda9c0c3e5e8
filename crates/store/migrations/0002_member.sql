-- member (党员): the baseline of the area's tables.

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
    -- A member who moved between units (组织关系转接) keeps the units they came
    -- from, so their own meetings and dues there stay readable.
    prior_committees TEXT NOT NULL DEFAULT '',
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
