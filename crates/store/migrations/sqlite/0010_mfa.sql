-- Two-step sign-in (TOTP, RFC 6238). Keep in step with ../postgres/.
-- The TOTP secret must be readable to check a code: it is kept here (base32),
-- shown to its holder once at enrolment, never logged. A factor is in use
-- once confirmed; last_step is the last 30-second step whose code was
-- accepted, so that no code is accepted twice. Times are Unix milliseconds.
CREATE TABLE user_mfa (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step INTEGER
);

-- One-time recovery codes, stored only as SHA-256 hashes.
CREATE TABLE mfa_recovery_codes (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- Sign-ins waiting for their second step: the SHA-256 of the random value
-- in the browser's short-lived cookie, for 5 minutes.
CREATE TABLE mfa_pending (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
