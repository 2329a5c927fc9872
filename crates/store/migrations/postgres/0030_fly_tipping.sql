-- Fly-tipping and environmental crime (issue 13): the Defra categories of
-- each fly-tipping incident, the enforcement actions taken on it with their
-- outcomes, and the council's camera deployments. Keep in step with the
-- other engine's 0030_fly_tipping.sql.
CREATE TABLE fly_tips (
    incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
    land_type TEXT NOT NULL,
    waste_type TEXT NOT NULL,
    size TEXT NOT NULL,
    cleared_on TEXT,
    recorded_by_agency TEXT NOT NULL REFERENCES agencies(code),
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);

CREATE TABLE fly_tip_actions (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    agency TEXT NOT NULL REFERENCES agencies(code),
    action TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    legal_basis TEXT,
    amount_pence BIGINT,
    notes TEXT NOT NULL,
    paid_on TEXT,
    court_result TEXT,
    result_on TEXT,
    fine_pence BIGINT,
    costs_awarded_pence BIGINT,
    costs_recovered_pence BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX fly_tip_actions_incident ON fly_tip_actions(incident_id, taken_on);
CREATE INDEX fly_tip_actions_taken ON fly_tip_actions(taken_on);
CREATE INDEX fly_tip_actions_result ON fly_tip_actions(result_on);

CREATE TABLE fly_tip_cameras (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    site TEXT NOT NULL,
    camera TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    deployed_on TEXT NOT NULL,
    removed_on TEXT,
    captures BIGINT,
    vehicles_identified BIGINT,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX fly_tip_cameras_agency ON fly_tip_cameras(agency, deployed_on);
