-- Open311 GeoReport v2 clients (issue 14): each client (a FixMyStreet
-- instance, a council app) has a key, kept only as its SHA-256, an hourly
-- allowance of calls, and is revoked rather than deleted so that the reports
-- it sent keep their sender. Reports keep the photo link and the service
-- attributes a client sends. Keep in step with the other engine's
-- 0034_open311.sql.
CREATE TABLE open311_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    per_hour BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Calls each client made in each hour (the rate limit's count).
CREATE TABLE open311_usage (
    client_id TEXT NOT NULL REFERENCES open311_clients(id),
    hour BIGINT NOT NULL,
    calls BIGINT NOT NULL,
    PRIMARY KEY (client_id, hour)
);

ALTER TABLE public_reports ADD COLUMN media_url TEXT NOT NULL DEFAULT '';
ALTER TABLE public_reports ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
CREATE INDEX public_reports_client ON public_reports(client_id, created_at);
