-- Partnership tasking: targeted operations and their evaluations, meeting
-- series (JAG, RAG, Priority Setting Forums), meetings, decisions and
-- actions carried from meeting to meeting, and residents' priority surveys.
-- Dates are YYYY-MM-DD text; times Unix milliseconds; lists are JSON text.
CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    prompted_by TEXT NOT NULL,
    prompted_link TEXT NOT NULL,
    target_zone TEXT NOT NULL,
    buffer_m DOUBLE PRECISION NOT NULL,
    control_zone TEXT,
    crime_types TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    lead_agency TEXT NOT NULL REFERENCES agencies(code),
    agencies TEXT NOT NULL,
    evaluation TEXT,
    recommendation TEXT,
    evaluated_at BIGINT,
    created_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX operations_by_end ON operations (ends_on);

CREATE TABLE operation_tasks (
    id TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations(id),
    title TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    created_at BIGINT NOT NULL
);
CREATE INDEX operation_tasks_by_operation ON operation_tasks (operation_id);

CREATE TABLE meeting_series (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('jag', 'rag', 'psf')),
    title TEXT NOT NULL,
    agenda TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    series_code TEXT NOT NULL REFERENCES meeting_series(code),
    held_on TEXT NOT NULL,
    location TEXT NOT NULL,
    minutes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (series_code, held_on)
);

CREATE TABLE meeting_attendees (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    user_id TEXT REFERENCES users(id),
    name TEXT NOT NULL,
    agency TEXT NOT NULL,
    UNIQUE (meeting_id, name, agency)
);

CREATE TABLE meeting_decisions (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE meeting_actions (
    id TEXT PRIMARY KEY,
    series_code TEXT NOT NULL REFERENCES meeting_series(code),
    raised_at TEXT NOT NULL REFERENCES meetings(id),
    raised_on TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    owner_name TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'dropped')),
    closed_on TEXT,
    update_note TEXT NOT NULL,
    public_note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_actions_by_series ON meeting_actions (series_code, raised_on);

CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    series_code TEXT NOT NULL REFERENCES meeting_series(code),
    title TEXT NOT NULL,
    options TEXT NOT NULL,
    areas TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    area TEXT NOT NULL,
    ranking TEXT NOT NULL,
    voter_hash TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (survey_id, voter_hash)
);
CREATE INDEX survey_responses_by_source ON survey_responses (survey_id, source_hash);
