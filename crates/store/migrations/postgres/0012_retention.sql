-- The retention schedule: when a record's personal data and free text were
-- anonymised (Unix ms), so a run is idempotent and pages can say so.
ALTER TABLE incidents ADD COLUMN anonymised_at BIGINT;
ALTER TABLE people ADD COLUMN anonymised_at BIGINT;
ALTER TABLE cases ADD COLUMN anonymised_at BIGINT;
