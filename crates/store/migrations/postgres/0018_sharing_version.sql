-- County scale (issue 10): a counter that moves whenever what one agency may
-- see of another's incidents could change (shares, case links, case or
-- incident ownership, an incident's report time or category, its deletion),
-- so the incident list can keep each agency's shared incidents between
-- changes instead of joining every shared case on every page.
CREATE TABLE sharing_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO sharing_version (id, n) VALUES (1, 0);

CREATE FUNCTION sharing_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sharing_version SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER sharing_version_shares AFTER INSERT OR UPDATE OR DELETE ON record_shares
FOR EACH STATEMENT EXECUTE FUNCTION sharing_version_bump();
CREATE TRIGGER sharing_version_links AFTER INSERT OR UPDATE OR DELETE ON case_incidents
FOR EACH STATEMENT EXECUTE FUNCTION sharing_version_bump();
CREATE TRIGGER sharing_version_case_owner AFTER UPDATE OF owner_agency ON cases
FOR EACH STATEMENT EXECUTE FUNCTION sharing_version_bump();
CREATE TRIGGER sharing_version_case_delete AFTER DELETE ON cases
FOR EACH STATEMENT EXECUTE FUNCTION sharing_version_bump();
CREATE TRIGGER sharing_version_incident_update AFTER UPDATE OF owner_agency, reported_at, category ON incidents
FOR EACH STATEMENT EXECUTE FUNCTION sharing_version_bump();
CREATE TRIGGER sharing_version_incident_delete AFTER DELETE ON incidents
FOR EACH STATEMENT EXECUTE FUNCTION sharing_version_bump();
