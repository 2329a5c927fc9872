-- SafetyNet foundation schema (PostgreSQL). Keep in step with ../sqlite/
-- Times are Unix milliseconds (INTEGER); ids are UUIDv7 text.

CREATE TABLE partnership (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lad_codes TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('responsible_authority', 'partner')),
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies(code),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE login_throttle (
    source TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id TEXT,
    agency_code TEXT,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT,
    detail TEXT NOT NULL,
    source TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE police_crimes (
    row_key TEXT NOT NULL UNIQUE,
    crime_id TEXT,
    month TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    falls_within TEXT NOT NULL,
    longitude DOUBLE PRECISION,
    latitude DOUBLE PRECISION,
    location TEXT NOT NULL,
    lsoa_code TEXT NOT NULL,
    lsoa_name TEXT NOT NULL,
    crime_type TEXT NOT NULL,
    last_outcome TEXT NOT NULL,
    context TEXT NOT NULL
);
CREATE INDEX police_crimes_month_type ON police_crimes(month, crime_type);
CREATE INDEX police_crimes_lsoa ON police_crimes(lsoa_code, month);

CREATE TABLE police_outcomes (
    row_key TEXT NOT NULL UNIQUE,
    crime_id TEXT NOT NULL,
    month TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    falls_within TEXT NOT NULL,
    longitude DOUBLE PRECISION,
    latitude DOUBLE PRECISION,
    location TEXT NOT NULL,
    lsoa_code TEXT NOT NULL,
    lsoa_name TEXT NOT NULL,
    outcome_type TEXT NOT NULL
);
CREATE INDEX police_outcomes_crime_id ON police_outcomes(crime_id);

-- The audit trail is append-only: the application never updates or deletes
-- it, and these triggers refuse it for anyone else short of dropping them
-- (which `safetynet audit verify` would then expose through the hash chain).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
