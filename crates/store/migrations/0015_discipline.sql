-- discipline (纪检): the baseline of the area's tables.

-- Discipline cases (纪检监察): sanctions (处分) and handlings (处理) decided on
-- people of a unit. Read and written only by discipline staff; a case stays
-- with the unit where it was decided, even when the member later transfers.
CREATE TABLE discipline_cases (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    -- Where the person worked: the branch of a member, else the unit or a branch.
    org_id BIGINT NOT NULL,
    -- The member record, when the person is a party member of the unit.
    member_id BIGINT,
    person_name TEXT NOT NULL,
    cadre_rank TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    decided_on DATE NOT NULL,
    decided_by TEXT NOT NULL,
    document_no TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX discipline_cases_by_date ON discipline_cases (committee_id, decided_on);

CREATE INDEX discipline_cases_by_member ON discipline_cases (member_id, decided_on);
