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
ALTER TABLE dues_bases ADD COLUMN gross_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dues_bases ADD COLUMN deductions TEXT NOT NULL DEFAULT '';
