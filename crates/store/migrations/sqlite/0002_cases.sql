-- Safety Net: incidents, people, cases, plans, risk, interventions, ASB Case Reviews (SQLite).
-- Keep in step with ../postgres/0002_cases.sql. Times are Unix ms; dates are 'YYYY-MM-DD' text.

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    grp TEXT NOT NULL,
    high_harm BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    category TEXT NOT NULL REFERENCES categories(code),
    occurred_from INTEGER NOT NULL,
    occurred_to INTEGER,
    reported_at INTEGER NOT NULL,
    latitude REAL,
    longitude REAL,
    address TEXT NOT NULL,
    uprn TEXT,
    lsoa_code TEXT,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    officer_id TEXT REFERENCES users(id),
    hate BOOLEAN NOT NULL,
    hate_strand TEXT,
    domestic_abuse BOOLEAN NOT NULL,
    involves_child BOOLEAN NOT NULL,
    repeat_flag BOOLEAN NOT NULL,
    outside_area_reason TEXT,
    created_at INTEGER NOT NULL,
    created_by TEXT
);
CREATE INDEX incidents_reported ON incidents(reported_at);
CREATE INDEX incidents_owner ON incidents(owner_agency, reported_at);
CREATE INDEX incidents_lat ON incidents(latitude);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    full_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    date_of_birth TEXT,
    address TEXT NOT NULL,
    address_key TEXT NOT NULL,
    uprn TEXT,
    is_business BOOLEAN NOT NULL,
    merged_into TEXT REFERENCES people(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX people_name ON people(name_key);
CREATE INDEX people_address ON people(address_key);

CREATE TABLE incident_people (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    PRIMARY KEY (incident_id, person_id, role)
);
CREATE INDEX incident_people_person ON incident_people(person_id);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    lead_officer_id TEXT REFERENCES users(id),
    status TEXT NOT NULL,
    outcome TEXT,
    problem TEXT NOT NULL,
    analysis_victim TEXT NOT NULL,
    analysis_offender TEXT NOT NULL,
    analysis_location TEXT NOT NULL,
    analysis_controllers TEXT NOT NULL,
    assessment TEXT NOT NULL,
    risk_level TEXT,
    next_review_on TEXT,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX cases_owner ON cases(owner_agency, status);
CREATE INDEX cases_review ON cases(next_review_on);

CREATE TABLE case_incidents (
    case_id TEXT NOT NULL REFERENCES cases(id),
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    PRIMARY KEY (case_id, incident_id)
);
CREATE INDEX case_incidents_incident ON case_incidents(incident_id);

CREATE TABLE record_shares (
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    lawful_basis TEXT NOT NULL,
    shared_by TEXT,
    shared_at INTEGER NOT NULL,
    PRIMARY KEY (record_type, record_id, agency_code)
);
CREATE INDEX record_shares_agency ON record_shares(agency_code, record_type);

CREATE TABLE case_tasks (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    title TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    owner_officer_id TEXT REFERENCES users(id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks(case_id);
CREATE INDEX case_tasks_due ON case_tasks(status, due_on);

CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    actor_id TEXT
);
CREATE INDEX case_events_case ON case_events(case_id, at);

CREATE TABLE risk_assessments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    answers TEXT NOT NULL,
    score INTEGER NOT NULL,
    computed_level TEXT NOT NULL,
    level TEXT NOT NULL,
    reasons TEXT NOT NULL,
    marac_referral BOOLEAN NOT NULL,
    assessed_at INTEGER NOT NULL,
    assessed_by TEXT,
    next_review_on TEXT NOT NULL
);
CREATE INDEX risk_assessments_case ON risk_assessments(case_id, assessed_at);

CREATE TABLE interventions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    person_id TEXT REFERENCES people(id),
    subject_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    conduct TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    expires_at INTEGER,
    amount_pence INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT
);
CREATE INDEX interventions_case ON interventions(case_id);
CREATE INDEX interventions_person ON interventions(person_id);
CREATE INDEX interventions_expiry ON interventions(expires_at);

CREATE TABLE intervention_breaches (
    id TEXT PRIMARY KEY,
    intervention_id TEXT NOT NULL REFERENCES interventions(id),
    breached_at INTEGER NOT NULL,
    notes TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE case_review_applications (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    person_id TEXT REFERENCES people(id),
    applicant_kind TEXT NOT NULL,
    received_on TEXT NOT NULL,
    acknowledge_by TEXT NOT NULL,
    decide_by TEXT NOT NULL,
    meeting_by TEXT NOT NULL,
    threshold_met BOOLEAN,
    decided_on TEXT,
    meeting_on TEXT,
    chair TEXT,
    panel TEXT,
    victim_attended BOOLEAN,
    recommendations INTEGER NOT NULL,
    outcome TEXT,
    appeal TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

ALTER TABLE partnership ADD COLUMN area_bbox TEXT;

CREATE TABLE questionnaires (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    PRIMARY KEY (id, version)
);
