-- ranking (排队抓尾): the baseline of the area's tables.

-- Rectification (整改) of a branch in the tail of a year's ranking: the plan,
-- then progress notes, submission, and the unit's verification (lifted) or
-- return, each kept as an entry.
CREATE TABLE rectifications (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    score_x100 BIGINT NOT NULL,         -- the score when flagged, in hundredths
    rank_at_flag BIGINT NOT NULL,
    problems TEXT NOT NULL,
    measures TEXT NOT NULL,
    owner TEXT NOT NULL,
    deadline DATE NOT NULL,
    state TEXT NOT NULL,
    lifted_on DATE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (committee_id, id)
);

CREATE UNIQUE INDEX rectifications_one_per_year ON rectifications (committee_id, org_id, year);

CREATE TABLE rectification_entries (
    committee_id BIGINT NOT NULL,
    rectification_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    on_date DATE NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, rectification_id, seq)
);
