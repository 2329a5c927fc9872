-- Concerns about licensed drivers shared with the police (issue 13), each
-- with the lawful basis for sharing. Keep in step with the other engine's
-- 0032_taxi_concerns.sql.
CREATE TABLE taxi_concerns (
    id TEXT PRIMARY KEY,
    driver_id TEXT NOT NULL REFERENCES taxi_drivers(id),
    agency TEXT NOT NULL REFERENCES agencies(code),
    raised_on TEXT NOT NULL,
    details TEXT NOT NULL,
    shared_with TEXT NOT NULL REFERENCES agencies(code),
    lawful_basis TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX taxi_concerns_driver ON taxi_concerns(driver_id, raised_on);
CREATE INDEX taxi_concerns_shared ON taxi_concerns(shared_with, raised_on);
