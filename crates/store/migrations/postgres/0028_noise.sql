-- Noise investigations (issue 13): the recording equipment register, its
-- bookings to noise complaints, and officers' visits to witness the noise.
-- Keep in step with the other engine's 0028_noise.sql. The equipment's
-- version is bumped by every booking, so two bookings of one kit queue.
CREATE TABLE noise_equipment (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    asset_tag TEXT NOT NULL,
    description TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    UNIQUE (agency, asset_tag)
);

CREATE TABLE noise_bookings (
    id TEXT PRIMARY KEY,
    equipment_id TEXT NOT NULL REFERENCES noise_equipment(id),
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    starts_on TEXT NOT NULL,
    due_back_on TEXT NOT NULL,
    returned_on TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX noise_bookings_equipment ON noise_bookings(equipment_id, starts_on);
CREATE INDEX noise_bookings_starts ON noise_bookings(starts_on);

CREATE TABLE noise_visits (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    visited_at BIGINT NOT NULL,
    out_of_hours BOOLEAN NOT NULL,
    witnessed BOOLEAN NOT NULL,
    statutory_nuisance BOOLEAN NOT NULL,
    notes TEXT NOT NULL,
    officer_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX noise_visits_agency ON noise_visits(agency, visited_at);
CREATE INDEX noise_visits_incident ON noise_visits(incident_id);
