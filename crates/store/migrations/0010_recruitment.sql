-- recruitment (发展党员): the baseline of the area's tables.

-- Recruitment (发展党员): one case per person in the pipeline, its events
-- (append-only; the case row holds what the replay of the events derives, for
-- lists and dashboards), its documents, and each unit's yearly plan.
CREATE TABLE recruitment_cases (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    state TEXT NOT NULL,              -- open | completed | closed
    person_status TEXT NOT NULL,      -- applicant … full / left, as derived
    next_step BIGINT NOT NULL,
    pending_step BIGINT,
    applied_on DATE NOT NULL,
    activist_on DATE,
    candidate_on DATE,
    admitted_on DATE,
    probation_end DATE,
    full_on DATE,
    last_on DATE,
    earliest_on DATE,                 -- first day the next step is possible, when a timer sets it
    due_step BIGINT,
    due_on DATE,                      -- deadline of the next step, when a rule sets one
    events BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX recruitment_cases_by_member ON recruitment_cases (committee_id, member_id);

CREATE INDEX recruitment_cases_by_state ON recruitment_cases (committee_id, state, person_status);

CREATE INDEX recruitment_cases_by_due ON recruitment_cases (state, due_on);

CREATE INDEX recruitment_cases_by_admitted ON recruitment_cases (committee_id, admitted_on);

CREATE TABLE recruitment_events (
    committee_id BIGINT NOT NULL,
    case_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    step BIGINT NOT NULL,
    action TEXT NOT NULL,
    on_date DATE NOT NULL,
    responsible TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL,               -- the event's data as JSON (votes, notice, outcome …)
    summary TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    actor_level TEXT NOT NULL,        -- branch | higher
    created_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, case_id, seq)
);

CREATE TABLE recruitment_plans (
    committee_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    planned BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, year)
);
