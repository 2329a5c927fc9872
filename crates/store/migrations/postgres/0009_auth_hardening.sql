-- Authentication hardening. Keep in step with ../sqlite/.
-- Server secrets: random keys made on first use (for example the key that
-- signs residents' survey tokens), so none is written into the code or the
-- configuration. Times are Unix milliseconds.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
