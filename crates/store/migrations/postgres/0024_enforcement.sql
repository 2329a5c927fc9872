-- The enforcement toolkit (issue 12).
-- Which powers an agency holds follows from its sector (council, police,
-- housing provider...); an agency without one is asked to set it before it
-- uses a statutory power.
ALTER TABLE agencies ADD COLUMN sector TEXT;

-- The public spaces protection order register (Part 4): the area is a
-- GeoJSON Polygon; ends_on is the last day in force, extensions included.
CREATE TABLE pspos (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    title TEXT NOT NULL,
    prohibitions TEXT NOT NULL,
    area TEXT NOT NULL,
    made_on TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    consulted_police BOOLEAN NOT NULL,
    consulted_pcc BOOLEAN NOT NULL,
    consulted_community BOOLEAN NOT NULL,
    consulted_owners BOOLEAN NOT NULL,
    publicised_on TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX pspos_ends ON pspos(ends_on);

CREATE TABLE pspo_extensions (
    id TEXT PRIMARY KEY,
    pspo_id TEXT NOT NULL REFERENCES pspos(id),
    decided_on TEXT NOT NULL,
    previous_ends_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    consulted BOOLEAN NOT NULL,
    published BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX pspo_extensions_pspo ON pspo_extensions(pspo_id);

-- What each intervention rests on: a fixed penalty's legal basis, the
-- earlier intervention it follows (a CPN's warning, a closure order's
-- notice...), the PSPO breached, who authorised it, a warning's compliance
-- date, the conviction an order rests on, the youth offending team's
-- consultation and items surrendered on dispersal.
ALTER TABLE interventions ADD COLUMN legal_basis TEXT;
ALTER TABLE interventions ADD COLUMN follows_id TEXT REFERENCES interventions(id);
ALTER TABLE interventions ADD COLUMN pspo_id TEXT REFERENCES pspos(id);
ALTER TABLE interventions ADD COLUMN authorised_by TEXT;
ALTER TABLE interventions ADD COLUMN compliance_by TEXT;
ALTER TABLE interventions ADD COLUMN convicted_on TEXT;
ALTER TABLE interventions ADD COLUMN yot_consulted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE interventions ADD COLUMN items_surrendered TEXT NOT NULL DEFAULT '';
-- The date of birth the age rules were checked against (from the person
-- record when there is one); a youth order's reviews follow from it.
ALTER TABLE interventions ADD COLUMN subject_date_of_birth TEXT;
-- A dispersal authorisation's area, as a GeoJSON Polygon.
ALTER TABLE interventions ADD COLUMN area TEXT;
CREATE INDEX interventions_pspo ON interventions(pspo_id);
-- CPW-before-CPN now matches on the person record, never on a name.
DROP INDEX interventions_subject;

-- DASH is assessed per victim (a person), and a new domestic abuse incident
-- within 12 months of a MARAC referral is a repeat referral.
ALTER TABLE risk_assessments ADD COLUMN person_id TEXT REFERENCES people(id);
ALTER TABLE risk_assessments ADD COLUMN repeat_marac BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX risk_assessments_person ON risk_assessments(person_id);

-- An ASB Case Review application keeps the threshold as it stood on the
-- day the application was received.
ALTER TABLE case_review_applications ADD COLUMN qualifying_on_application BIGINT;
ALTER TABLE case_review_applications ADD COLUMN threshold_met_on_application BOOLEAN;
