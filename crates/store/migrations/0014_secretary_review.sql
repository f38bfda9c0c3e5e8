-- secretary_review (书记述职评议): the baseline of the area's tables.

-- Secretaries' annual review (书记抓党建述职评议): each unit's party secretary
-- reports (in writing or in person); participants rate 好/较好/一般/差 once each.
CREATE TABLE secretary_reviews (
    id BIGINT PRIMARY KEY,
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,              -- open | closed
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE secretary_reports (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    review_id BIGINT NOT NULL,
    secretary TEXT NOT NULL,
    mode TEXT NOT NULL,               -- written | in_person
    report TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);

CREATE UNIQUE INDEX secretary_reports_once ON secretary_reports (committee_id, review_id);

CREATE INDEX secretary_reports_by_review ON secretary_reports (review_id);

CREATE TABLE secretary_ratings (
    committee_id BIGINT NOT NULL,
    report_id BIGINT NOT NULL,
    rater_id BIGINT NOT NULL,
    rating TEXT NOT NULL,             -- good | fairly_good | average | poor
    rated_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, report_id, rater_id)
);
