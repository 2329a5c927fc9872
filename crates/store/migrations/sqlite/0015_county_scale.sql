-- County scale (issue 10): a page of the incident list is read from an index
-- in the list's order, and its total from counts that triggers keep, so
-- neither depends on how many incidents the partnership holds.

-- Incidents per owning agency and category, kept by the triggers below in
-- the transaction that inserts, deletes or re-files an incident.
CREATE TABLE incident_counts (
    owner_agency TEXT NOT NULL,
    category TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (owner_agency, category)
);
INSERT INTO incident_counts (owner_agency, category, n)
    SELECT owner_agency, category, COUNT(*) FROM incidents GROUP BY owner_agency, category;

CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents
BEGIN
    INSERT INTO incident_counts (owner_agency, category, n) VALUES (NEW.owner_agency, NEW.category, 1)
        ON CONFLICT (owner_agency, category) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents
BEGIN
    UPDATE incident_counts SET n = n - 1 WHERE owner_agency = OLD.owner_agency AND category = OLD.category;
END;
CREATE TRIGGER incident_counts_update AFTER UPDATE OF owner_agency, category ON incidents
BEGIN
    UPDATE incident_counts SET n = n - 1 WHERE owner_agency = OLD.owner_agency AND category = OLD.category;
    INSERT INTO incident_counts (owner_agency, category, n) VALUES (NEW.owner_agency, NEW.category, 1)
        ON CONFLICT (owner_agency, category) DO UPDATE SET n = n + 1;
END;

-- The list's order (newest report first, then id) per owner, and per owner
-- and category; they cover the page's keys, and replace incidents_owner.
DROP INDEX incidents_owner;
CREATE INDEX incidents_owner_page ON incidents (owner_agency, reported_at DESC, id);
CREATE INDEX incidents_owner_category_page ON incidents (owner_agency, category, reported_at DESC, id);

-- The daily review's repeat-location count: incidents at an address (as
-- lower-cased) since a date.
CREATE INDEX incidents_address ON incidents (LOWER(address), reported_at);

-- Audit rows are appended many to a statement (group commit of reads,
-- imports), so the head moves forward by as many rows at once: still only
-- forward, only to the newest row, with every row in between present
-- (see 0008 and docs/permissions.md).
DROP TRIGGER audit_head_forward;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id OR NEW.seq <= OLD.seq
     OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash)
     OR EXISTS (SELECT 1 FROM audit_log WHERE seq > NEW.seq)
     OR (SELECT COUNT(*) FROM audit_log WHERE seq > OLD.seq AND seq <= NEW.seq) <> NEW.seq - OLD.seq
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward to the newest audit row'); END;

-- The crime browser's area list: the LSOAs that police.uk rows name, kept by
-- the importer (store::crimes::merge_staged) instead of a scan of every row
-- per page. (Its month and type lists read police_crime_counts.)
CREATE TABLE police_crime_areas (
    lsoa_code TEXT PRIMARY KEY,
    lsoa_name TEXT NOT NULL
);
INSERT INTO police_crime_areas (lsoa_code, lsoa_name)
    SELECT lsoa_code, MIN(lsoa_name) FROM police_crimes WHERE lsoa_code <> '' GROUP BY lsoa_code;

-- Outcome rows per month, kept by the importer as it adds them, for the
-- dashboard's totals (instead of a count of every row per view).
CREATE TABLE police_outcome_counts (
    month TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO police_outcome_counts (month, n) SELECT month, COUNT(*) FROM police_outcomes GROUP BY month;

-- The crime browser filtered by type reads its page in order from here
-- (0014's index serves the unfiltered order).
CREATE INDEX police_crimes_type_page ON police_crimes (crime_type, month DESC, row_key);

-- Repeats at the same UPRN (the address has incidents_address).
CREATE INDEX incidents_uprn ON incidents (uprn);

-- The same person by name and date of birth (repeat victims in the daily
-- review and an incident's repeats), read from the index alone; it covers
-- 0002's people_name.
DROP INDEX people_name;
CREATE INDEX people_name_dob ON people (name_key, date_of_birth);

-- Repeats nearby: the box (and the time window) is decided in the index, so
-- only incidents inside it are read (0002's incidents_lat read every
-- incident in the latitude band).
DROP INDEX incidents_lat;
CREATE INDEX incidents_place ON incidents (latitude, longitude, reported_at);
