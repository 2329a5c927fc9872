-- Audit trail hardening (see docs/permissions.md, "The audit key and checkpoints").
--
-- TRUNCATE fires no row triggers, so 0001's append-only triggers did not stop
-- it: refuse it with statement triggers, for every role including the owner
-- (who would have to drop the trigger first, which `audit verify` with a
-- checkpoint then exposes).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The head moves only forward, one row at a time, to a row that exists with
-- that hash; it is never deleted. Resetting it to hide removed rows needs
-- the triggers dropped first.
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
       OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash) THEN
        RAISE EXCEPTION 'audit_head only moves forward to the newest audit row';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
