-- The partners' programmes as working tools (issue 13). Keep in step with
-- the other engine's 0026_programmes.sql. Dates are 'YYYY-MM-DD' text,
-- times Unix ms.

-- The measure a commitment is computed by (see domain::measures), from the
-- strategy file's `measured_by`; NULL when progress is typed in.
ALTER TABLE commitments ADD COLUMN measured_by TEXT;

-- Referrals into a partner's programme (Safe and Well, LiFE, the youth
-- offer, No More, Phoenix). The referring and the receiving agency see it;
-- nobody else does.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    programme TEXT NOT NULL,
    from_agency TEXT NOT NULL REFERENCES agencies(code),
    to_agency TEXT NOT NULL REFERENCES agencies(code),
    incident_id TEXT REFERENCES incidents(id),
    full_name TEXT NOT NULL,
    date_of_birth TEXT,
    address TEXT NOT NULL,
    contact TEXT NOT NULL,
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    consent_by TEXT NOT NULL,
    referred_on TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT NOT NULL,
    achieved BOOLEAN NOT NULL,
    closed_on TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    updated_at BIGINT NOT NULL,
    anonymised_at BIGINT
);
CREATE INDEX referrals_to ON referrals(to_agency, status);
CREATE INDEX referrals_from ON referrals(from_agency, referred_on);
CREATE INDEX referrals_programme ON referrals(programme, status, closed_on);

-- Sessions in schools and colleges: counts only, no child's details.
CREATE TABLE school_sessions (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    school TEXT NOT NULL,
    school_key TEXT NOT NULL,
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    pupils BIGINT NOT NULL,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX school_sessions_topic ON school_sessions(topic, held_on);

-- The licensing authority's register of taxi and private hire drivers and
-- their DBS update service checks.
CREATE TABLE taxi_drivers (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    licence_number TEXT NOT NULL,
    full_name TEXT NOT NULL,
    licence_kind TEXT NOT NULL,
    licence_expires TEXT NOT NULL,
    update_service BOOLEAN NOT NULL,
    safeguarding_trained_on TEXT,
    last_checked_on TEXT,
    anonymised_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    UNIQUE (agency, licence_number)
);

CREATE TABLE taxi_dbs_checks (
    id TEXT PRIMARY KEY,
    driver_id TEXT NOT NULL REFERENCES taxi_drivers(id),
    checked_on TEXT NOT NULL,
    result TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX taxi_dbs_checks_driver ON taxi_dbs_checks(driver_id, checked_on);
