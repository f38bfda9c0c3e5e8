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
    PRIMARY KEY (committee_id, member_id, effective_from)
);
