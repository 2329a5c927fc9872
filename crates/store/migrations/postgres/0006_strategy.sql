-- The partnership's strategy as data: priorities, commitments owned by
-- agencies, and the progress updates recorded against them (dates are
-- YYYY-MM-DD text, times Unix milliseconds).
CREATE TABLE strategies (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);

CREATE TABLE strategy_priorities (
    strategy_code TEXT NOT NULL REFERENCES strategies(code),
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    crime_types TEXT NOT NULL,
    PRIMARY KEY (strategy_code, code)
);

CREATE TABLE commitments (
    id TEXT PRIMARY KEY,
    strategy_code TEXT NOT NULL,
    priority_code TEXT NOT NULL,
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    team TEXT NOT NULL,
    partners TEXT NOT NULL,
    measure TEXT NOT NULL,
    target DOUBLE PRECISION,
    progress DOUBLE PRECISION,
    status TEXT NOT NULL,
    rag TEXT,
    rag_reason TEXT NOT NULL,
    update_every_days BIGINT NOT NULL,
    last_update_at BIGINT,
    next_update_due TEXT NOT NULL,
    UNIQUE (strategy_code, code),
    FOREIGN KEY (strategy_code, priority_code) REFERENCES strategy_priorities(strategy_code, code)
);
CREATE INDEX commitments_due ON commitments (owner_agency, next_update_due);

CREATE TABLE commitment_updates (
    id TEXT PRIMARY KEY,
    commitment_id TEXT NOT NULL REFERENCES commitments(id),
    at_ms BIGINT NOT NULL,
    author_id TEXT,
    author_agency TEXT NOT NULL,
    status TEXT NOT NULL,
    rag TEXT NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    figure DOUBLE PRECISION,
    evidence TEXT NOT NULL
);
CREATE INDEX commitment_updates_by_commitment ON commitment_updates (commitment_id, at_ms);
