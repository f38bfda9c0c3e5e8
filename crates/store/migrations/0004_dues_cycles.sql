-- Monthly dues cycles per unit (open → collecting → settled) and each member's
-- charge for the month, with the payment once recorded.
CREATE TABLE dues_cycles (
    committee_id BIGINT NOT NULL,
    month DATE NOT NULL,
    status TEXT NOT NULL,
    members BIGINT NOT NULL DEFAULT 0,
    expected_fen BIGINT NOT NULL DEFAULT 0,
    opened_by TEXT NOT NULL DEFAULT '',
    opened_at BIGINT NOT NULL,
    settled_by TEXT NOT NULL DEFAULT '',
    settled_at BIGINT,
    PRIMARY KEY (committee_id, month)
);

CREATE TABLE dues_charges (
    committee_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    month DATE NOT NULL,
    org_id BIGINT NOT NULL,
    due_fen BIGINT NOT NULL,
    paid_fen BIGINT,
    paid_on DATE,
    method TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '',
    recorded_at BIGINT,
    -- Month before member: a new month's charges go in as one run per unit, and
    -- no index is keyed by member first (that would scatter a month's writes).
    PRIMARY KEY (committee_id, month, member_id)
);
CREATE INDEX dues_charges_by_month ON dues_charges (month, committee_id, org_id);
