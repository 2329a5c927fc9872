-- The police's daily crime extract and the daily review's decisions (issue
-- 17; sqlite, keep in step with ../postgres/). Times are Unix milliseconds.

-- One row per crime the force sent, owned by the police agency that sent
-- it; a crime reference sent again replaces its fields (store::police_daily).
-- Never published: police.uk figures, packs for the public and the open
-- data API do not read this table. address_key is the address lower-cased
-- and trimmed; victim_key the matching key of the victim's name and date of
-- birth (domain::police_daily::victim_key), when the force sends them;
-- fingerprint the SHA-256 of the fields as sent, so a crime sent again
-- unchanged is counted as unchanged and not rewritten.
CREATE TABLE police_daily_crimes (
    id TEXT PRIMARY KEY,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    crime_reference TEXT NOT NULL,
    offence_code TEXT NOT NULL,
    offence_description TEXT NOT NULL,
    category TEXT NOT NULL REFERENCES categories(code),
    occurred_from BIGINT NOT NULL,
    occurred_to BIGINT,
    reported_at BIGINT NOT NULL,
    latitude REAL,
    longitude REAL,
    address TEXT NOT NULL,
    address_key TEXT NOT NULL,
    beat TEXT,
    ward TEXT,
    domestic_abuse BOOLEAN NOT NULL,
    hate_strand TEXT,
    weapon BOOLEAN NOT NULL,
    vulnerable_victim BOOLEAN NOT NULL,
    repeat_victim BOOLEAN NOT NULL,
    repeat_location BOOLEAN NOT NULL,
    child_involved BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    victim_key TEXT,
    fingerprint TEXT NOT NULL,
    source_file TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (owner_agency, crime_reference)
);
CREATE INDEX police_daily_reported ON police_daily_crimes (reported_at);
CREATE INDEX police_daily_victim ON police_daily_crimes (victim_key, reported_at);
CREATE INDEX police_daily_address ON police_daily_crimes (address_key, reported_at);

-- Each extract file imported, by the SHA-256 of its bytes: the same file
-- again is not imported twice. The counts are the import's report.
CREATE TABLE police_daily_files (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    imported_at BIGINT NOT NULL,
    added BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    rejected BIGINT NOT NULL
);

-- What a reviewer decided about a line of the daily review: open a case,
-- link to a case, or no action with a reason. One decision per reviewing
-- agency and item; a changed decision replaces it (and is audited).
CREATE TABLE daily_review_decisions (
    id TEXT PRIMARY KEY,
    review_date TEXT NOT NULL,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('incident', 'police_crime')),
    item_id TEXT NOT NULL,
    reviewer_agency TEXT NOT NULL REFERENCES agencies(code),
    decision TEXT NOT NULL CHECK (decision IN ('open_case', 'link_case', 'no_action')),
    case_id TEXT REFERENCES cases(id),
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES users(id),
    decided_at BIGINT NOT NULL,
    UNIQUE (reviewer_agency, item_kind, item_id)
);
CREATE INDEX daily_review_decisions_at ON daily_review_decisions (decided_at);
