-- County scale (issue 10): a counter that moves whenever what one agency may
-- see of another's incidents could change (shares, case links, case or
-- incident ownership, an incident's report time or category, its deletion),
-- so the incident list can keep each agency's shared incidents between
-- changes instead of joining every shared case on every page.
CREATE TABLE sharing_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO sharing_version (id, n) VALUES (1, 0);

CREATE TRIGGER sharing_version_shares_insert AFTER INSERT ON record_shares
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_shares_update AFTER UPDATE ON record_shares
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_shares_delete AFTER DELETE ON record_shares
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_links_insert AFTER INSERT ON case_incidents
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_links_update AFTER UPDATE ON case_incidents
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_links_delete AFTER DELETE ON case_incidents
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_case_owner AFTER UPDATE OF owner_agency ON cases
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_case_delete AFTER DELETE ON cases
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_incident_update AFTER UPDATE OF owner_agency, reported_at, category ON incidents
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sharing_version_incident_delete AFTER DELETE ON incidents
BEGIN UPDATE sharing_version SET n = n + 1 WHERE id = 1; END;
