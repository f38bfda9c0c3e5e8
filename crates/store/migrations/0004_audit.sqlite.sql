-- audit (审计): the baseline of the area's tables, the SQLite part.

-- SQLite: the audit log refuses updates, and deletes of rows younger than 184 days.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_keep_young BEFORE DELETE ON audit_log
WHEN OLD.ts_ms > (CAST(strftime('%s', 'now') AS INTEGER) - 184 * 86400) * 1000
BEGIN
    SELECT RAISE(ABORT, 'audit rows younger than 184 days cannot be deleted');
END;
