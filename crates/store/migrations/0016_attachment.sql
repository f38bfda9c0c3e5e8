-- attachment (附件): one table for the files of every area (meetings,
-- recruitment cases, and every later area), replacing meeting_attachments
-- and recruitment_documents. Distributed by committee_id (the shard key,
-- first in the primary key); owner_kind is core's attachment::Owner code.
-- Written once for both engines: BYTEA becomes BLOB on SQLite.

CREATE TABLE attachments (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX attachments_by_owner ON attachments (committee_id, owner_kind, owner_id);

INSERT INTO attachments (committee_id, id, owner_kind, owner_id, slot, file_name, content_type, size, data, uploaded_by, uploaded_at)
SELECT committee_id, id, 'meeting', meeting_id, 0, file_name, content_type, size, data, uploaded_by, uploaded_at
FROM meeting_attachments;

INSERT INTO attachments (committee_id, id, owner_kind, owner_id, slot, file_name, content_type, size, data, uploaded_by, uploaded_at)
SELECT committee_id, id, 'recruitment_case', case_id, step, file_name, content_type, size, data, uploaded_by, uploaded_at
FROM recruitment_documents;

DROP TABLE meeting_attachments;
DROP TABLE recruitment_documents;
