-- first_agenda (第一议题): the baseline of the area's tables.

CREATE TABLE first_agenda_tasks (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    owner_user_id BIGINT,
    owner_name TEXT NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    done_on DATE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX first_agenda_tasks_by_meeting ON first_agenda_tasks (committee_id, meeting_id);

CREATE INDEX first_agenda_tasks_by_owner ON first_agenda_tasks (owner_user_id, status, due_on);
