-- ranking (排队抓尾): every ranked branch's place in a year gone by, kept so
-- that a restarted server shows the years before (a branch's history, the
-- 升降 against last year) without recomputing the province's records of
-- those years. A year's rows are valid while its key matches: the as-of day,
-- the ranking rule in force and every committee's generation numbers, whose
-- writes bump them in their own transactions. A year still running is never
-- kept (it depends on today). `ranking_placings` is distributed by
-- committee_id; `ranking_placing_keys` (one row per year) is a reference table.

CREATE TABLE ranking_placings (
    committee_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    score_x100 BIGINT NOT NULL,
    rank BIGINT NOT NULL,
    tail BOOLEAN NOT NULL,
    PRIMARY KEY (committee_id, year, org_id)
);

CREATE INDEX ranking_placings_by_year ON ranking_placings (year);

CREATE TABLE ranking_placing_keys (
    year BIGINT PRIMARY KEY,
    key TEXT NOT NULL
);
