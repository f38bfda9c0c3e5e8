-- meeting (会议): the baseline of the area's tables.

-- Organizational life: meetings of every kind, attendance, observers and
-- attachments (first-agenda tasks and the compliance tally are areas of their
-- own). Every table carries committee_id (the shard key) first in its primary key.

CREATE TABLE meetings (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    planned_on DATE NOT NULL,
    held_on DATE,
    start_time TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    recorder TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    decisions TEXT NOT NULL DEFAULT '',
    first_agenda TEXT NOT NULL DEFAULT '',
    quorum TEXT NOT NULL DEFAULT 'none',
    expected_count BIGINT NOT NULL DEFAULT 0,
    present_count BIGINT NOT NULL DEFAULT 0,
    leave_count BIGINT NOT NULL DEFAULT 0,
    absent_count BIGINT NOT NULL DEFAULT 0,
    voting_total BIGINT NOT NULL DEFAULT 0,
    voting_present BIGINT NOT NULL DEFAULT 0,
    committee_total BIGINT NOT NULL DEFAULT 0,
    committee_present BIGINT NOT NULL DEFAULT 0,
    observer_count BIGINT NOT NULL DEFAULT 0,
    quorum_met BOOLEAN NOT NULL DEFAULT FALSE,
    counted BOOLEAN NOT NULL DEFAULT FALSE,
    checkin_token TEXT NOT NULL,
    checkin_open BOOLEAN NOT NULL DEFAULT TRUE,
    cancel_reason TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Check-ins refused at a meeting (an expired or wrong code, outside the
    -- check-in hours), shown to the organizer: a code photographed and sent home
    -- shows up here.
    checkin_refused BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX meetings_by_org ON meetings (committee_id, org_id, planned_on);

CREATE INDEX meetings_by_kind ON meetings (kind, held_on);

CREATE TABLE meeting_attendees (
    committee_id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    voting BOOLEAN NOT NULL,
    committee_member BOOLEAN NOT NULL,
    presence TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    checked_in_at BIGINT,
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, meeting_id, member_id)
);

CREATE INDEX meeting_attendees_by_member ON meeting_attendees (committee_id, member_id);

CREATE TABLE meeting_observers (
    committee_id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    org_name TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (committee_id, meeting_id, seq)
);

-- The meeting list, newest first, across a whole province or unit.
CREATE INDEX meetings_by_date ON meetings (planned_on, committee_id);
