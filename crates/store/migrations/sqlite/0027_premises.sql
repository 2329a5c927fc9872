-- The premises register and the partners' visits (issue 13): business
-- premises on the fire service's Risk Based Inspection Programme and
-- licensed premises. Businesses, not people. Keep in step with the other
-- engine's 0027_premises.sql.
CREATE TABLE premises (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    risk_band TEXT,
    licence_number TEXT NOT NULL,
    added_by_agency TEXT NOT NULL REFERENCES agencies(code),
    last_visited_on TEXT,
    next_inspection_due TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX premises_kind ON premises(kind, next_inspection_due);

CREATE TABLE premises_visits (
    id TEXT PRIMARY KEY,
    premises_id TEXT NOT NULL REFERENCES premises(id),
    agency TEXT NOT NULL REFERENCES agencies(code),
    kind TEXT NOT NULL,
    visited_on TEXT NOT NULL,
    outcome TEXT NOT NULL,
    staff_trained BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX premises_visits_kind ON premises_visits(kind, visited_on);
CREATE INDEX premises_visits_premises ON premises_visits(premises_id, visited_on);
