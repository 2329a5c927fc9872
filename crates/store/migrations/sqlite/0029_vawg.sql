-- VAWG scrutiny panels (issue 13): panels, a finding per sampled case, and
-- learning actions carried until done. The sample itself is drawn when the
-- panel is opened (a hash of the panel's and the case's ids), so it holds
-- no copy of any case. Keep in step with the other engine's 0029_vawg.sql.
CREATE TABLE vawg_panels (
    id TEXT PRIMARY KEY,
    held_on TEXT NOT NULL,
    chair TEXT NOT NULL,
    location TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX vawg_panels_held ON vawg_panels(held_on);

CREATE TABLE vawg_findings (
    panel_id TEXT NOT NULL REFERENCES vawg_panels(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    finding TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT,
    PRIMARY KEY (panel_id, case_id)
);

CREATE TABLE vawg_actions (
    id TEXT PRIMARY KEY,
    panel_id TEXT NOT NULL REFERENCES vawg_panels(id),
    title TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    due_on TEXT NOT NULL,
    done_on TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX vawg_actions_open ON vawg_actions(done_on, due_on);
