-- Reports from the public (issue 14): the categories the partnership takes
-- reports in and the agency each goes to, the reports (held by the agency
-- they are routed to), and the updates the reporter is told about. Keep in
-- step with the other engine's 0033_public_reports.sql.
CREATE TABLE public_services (
    category TEXT PRIMARY KEY REFERENCES categories(code),
    agency TEXT NOT NULL REFERENCES agencies(code),
    description TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE public_reports (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL REFERENCES categories(code),
    agency TEXT NOT NULL REFERENCES agencies(code),
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    address TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    reporter_email TEXT NOT NULL,
    reporter_phone TEXT NOT NULL,
    source TEXT NOT NULL,
    client_id TEXT,
    submitter_key TEXT NOT NULL,
    status TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    anonymised_at BIGINT
);
CREATE INDEX public_reports_queue ON public_reports(agency, status, created_at);
CREATE INDEX public_reports_repeat ON public_reports(submitter_key, category, created_at);

CREATE TABLE public_report_updates (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES public_reports(id),
    agency TEXT NOT NULL REFERENCES agencies(code),
    status TEXT NOT NULL,
    public_note TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT
);
CREATE INDEX public_report_updates_report ON public_report_updates(report_id, at);
CREATE INDEX public_report_updates_at ON public_report_updates(at);
