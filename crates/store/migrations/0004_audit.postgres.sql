-- audit (审计): the baseline of the area's tables, the PostgreSQL part.

-- PostgreSQL: the audit log refuses updates, truncation, and deletes of rows younger than 184 days.
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    IF OLD.ts_ms > (extract(epoch FROM now()) * 1000)::bigint - 184::bigint * 86400000 THEN
        RAISE EXCEPTION 'audit rows younger than 184 days cannot be deleted';
    END IF;
    RETURN OLD;
END
$guard$;
CREATE TRIGGER audit_log_guard_rows BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_guard_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
