-- Arson vigilance checks (issue 13): areas the fire service's crews and
-- Community Volunteers walk, the fire risks they find and what was done.
-- Places and risks, not people. Keep in step with the other engine's
-- 0031_vigilance.sql.
CREATE TABLE vigilance_checks (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    area TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    checked_on TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    risks TEXT NOT NULL,
    risk_count BIGINT NOT NULL,
    action_taken TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX vigilance_checks_day ON vigilance_checks(checked_on);
