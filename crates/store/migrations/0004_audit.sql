-- audit (审计): the baseline of the area's tables.

-- Append-only, hash-chained audit log.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    ts_ms BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);

CREATE INDEX audit_log_by_ts ON audit_log (ts_ms);

CREATE INDEX audit_log_by_user ON audit_log (username, seq);

-- The chain's head (last sequence and MAC) and its anchor (where kept rows begin).
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    mac TEXT NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_mac TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, mac, anchor_seq, anchor_mac)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0, '0000000000000000000000000000000000000000000000000000000000000000');
