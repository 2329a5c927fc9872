-- E-mail notifications (SQLite; keep in step with ../postgres/). The outbox (written in the same transaction as the
-- change that causes a message; the scheduler sends with retries) and each
-- user's choice of which kinds they get. Times are Unix milliseconds.
-- A message holds no personal data: what happened, a reference and a link.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id),
    address TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link_path TEXT NOT NULL,
    -- Scheduled reminders are queued once: (kind, record, deadline or day, user).
    once_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    failed_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_user ON outbox (user_id, created_at);

CREATE TABLE notification_preferences (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
