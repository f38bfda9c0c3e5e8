-- campaign (评选): the baseline of the area's tables.

-- Campaigns (评选) run by the working committee: applications by the subjects'
-- units, the panel's scores, results under quotas, publicity with objections,
-- and the honors register. Campaign definitions are province-wide (a Citus
-- reference table later); everything about a subject carries its unit's key.
CREATE TABLE campaigns (
    id BIGINT PRIMARY KEY,
    honor TEXT NOT NULL,
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    criteria TEXT NOT NULL,
    tiers TEXT NOT NULL,
    eligibility TEXT NOT NULL DEFAULT '[]',  -- conditions checked against the records when applying
    state TEXT NOT NULL,              -- applying | reviewing | publicity | named
    apply_until DATE NOT NULL,
    notice_from DATE,
    notice_to DATE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE campaign_reviewers (
    campaign_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    unit_id BIGINT,                   -- the reviewer's own unit: they never score it
    name TEXT NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
);

CREATE TABLE campaign_applications (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    subject_name TEXT NOT NULL,
    self_points TEXT NOT NULL,
    self_total BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    applied_by TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    disqualified TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, id)
);

CREATE UNIQUE INDEX campaign_applications_once ON campaign_applications (committee_id, campaign_id, subject_id);

CREATE INDEX campaign_applications_by_campaign ON campaign_applications (campaign_id);

CREATE TABLE campaign_scores (
    committee_id BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    reviewer_id BIGINT NOT NULL,
    points TEXT NOT NULL,
    total BIGINT NOT NULL,
    scored_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, application_id, reviewer_id)
);

CREATE TABLE campaign_results (
    committee_id BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    score_x100 BIGINT,
    reviewers BIGINT NOT NULL,
    place BIGINT,
    tier BIGINT,
    tie_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, application_id)
);

CREATE INDEX campaign_results_by_campaign ON campaign_results (campaign_id);

CREATE TABLE campaign_objections (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    state TEXT NOT NULL,              -- open | dismissed | upheld
    finding TEXT NOT NULL DEFAULT '',
    closed_by TEXT NOT NULL DEFAULT '',
    closed_at BIGINT,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX campaign_objections_by_campaign ON campaign_objections (campaign_id, state);

CREATE TABLE honors (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    application_id BIGINT NOT NULL,
    honor TEXT NOT NULL,
    tier_name TEXT NOT NULL,
    year BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    subject_name TEXT NOT NULL,
    named_on DATE NOT NULL,
    revoked_on DATE,
    revoked_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX honors_by_subject ON honors (committee_id, subject_id);
