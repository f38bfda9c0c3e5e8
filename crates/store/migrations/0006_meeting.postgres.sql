-- meeting (会议): the baseline of the area's tables, the PostgreSQL part.

CREATE TABLE meeting_attachments (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX meeting_attachments_by_meeting ON meeting_attachments (committee_id, meeting_id);
