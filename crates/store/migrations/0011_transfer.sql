-- transfer (组织关系转接): the baseline of the area's tables.
-- A row lives with the sending unit (for transfers into the province, with
-- the receiving unit); the receiving side finds it through to_committee_id.

CREATE TABLE transfers (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    member_id BIGINT,
    member_name TEXT NOT NULL,
    from_org_id BIGINT,
    from_org_name TEXT NOT NULL,
    to_committee_id BIGINT,
    to_org_id BIGINT,
    to_org_name TEXT NOT NULL,
    letter_no TEXT NOT NULL DEFAULT '',
    issued_on DATE,
    valid_until DATE,
    reason TEXT NOT NULL DEFAULT '',
    requested_on DATE NOT NULL,
    dues_paid_through DATE,
    -- Transfers into the province: the record as entered, encrypted with the field key.
    payload TEXT NOT NULL DEFAULT '',
    out_by TEXT NOT NULL DEFAULT '',
    out_on DATE,
    in_by TEXT NOT NULL DEFAULT '',
    in_on DATE,
    rejected_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX transfers_by_state ON transfers (committee_id, state);

CREATE INDEX transfers_incoming ON transfers (to_committee_id, state);

CREATE INDEX transfers_by_member ON transfers (committee_id, member_id);
