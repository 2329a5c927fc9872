-- Audit trail hardening (see docs/permissions.md, "The audit key and checkpoints").
--
-- SQLite has no TRUNCATE (a DELETE without WHERE fires 0001's row trigger),
-- so only the head's rules are needed here: it moves only forward, one row
-- at a time, to a row that exists with that hash, and is never deleted.
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
     OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash)
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward to the newest audit row'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward to the newest audit row'); END;
