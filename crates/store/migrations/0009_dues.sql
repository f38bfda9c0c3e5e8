-- dues (党费): the baseline of the area's tables.

-- Party dues: each member's dues setting (type, base) as versioned rows by month.
CREATE TABLE dues_bases (
    committee_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    effective_from DATE NOT NULL,
    member_type TEXT NOT NULL,
    base_fen BIGINT NOT NULL DEFAULT 0,
    fixed_fen BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    set_by TEXT NOT NULL DEFAULT '',
    set_at BIGINT NOT NULL,
    gross_fen BIGINT NOT NULL DEFAULT 0,
    deductions TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, member_id, effective_from)
);

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
    -- Whether a charge was paid within its month (or before): set when the payment
    -- is recorded, so the ranking sums it instead of comparing dates per row.
    on_time BIGINT NOT NULL DEFAULT 0,
    -- Month before member: a new month's charges go in as one run per unit, and
    -- no index is keyed by member first (that would scatter a month's writes).
    PRIMARY KEY (committee_id, month, member_id)
);

-- Each unit's deduction items (养老保险, 住房公积金, …) and, per setting, the
-- gross wage and the deductions the base was computed from.
CREATE TABLE dues_deduction_items (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (committee_id, id)
);

-- Members in arrears are found from their unpaid charges only.
CREATE INDEX dues_charges_unpaid ON dues_charges (committee_id, month, member_id) WHERE paid_on IS NULL;

CREATE INDEX dues_charges_by_month ON dues_charges (month, committee_id, org_id, on_time);
