-- Keeping victims informed (issue 14; the Victims' Code, right 6): how and
-- at which points each victim on a case chose to be told, and the updates
-- given (the record the Code asks for). Held by the lead agency; removed
-- with the case. Keep in step with the other engine's 0036_victim_contact.sql.
CREATE TABLE victim_contacts (
    case_id TEXT NOT NULL REFERENCES cases(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    channel TEXT NOT NULL,
    email TEXT NOT NULL,
    points TEXT NOT NULL,
    agreed_on TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);

CREATE TABLE victim_updates (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    milestone TEXT NOT NULL,
    note TEXT NOT NULL,
    channel TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT
);
CREATE INDEX victim_updates_case ON victim_updates(case_id, person_id, at);
