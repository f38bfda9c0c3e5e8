-- recruitment (发展党员): the baseline of the area's tables, the PostgreSQL part.

CREATE TABLE recruitment_documents (
    committee_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    case_id BIGINT NOT NULL,
    step BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (committee_id, id)
);

CREATE INDEX recruitment_documents_by_case ON recruitment_documents (committee_id, case_id);
