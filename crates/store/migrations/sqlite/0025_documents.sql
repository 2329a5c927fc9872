-- Documents and evidence attached to incidents and cases (issue 12):
-- photos, recordings, diary sheets, statements and the letters SafetyNet
-- produces. The content is kept in the row, or in the configured folder
-- (stored_path) with the row holding its checksum. Who may see a document
-- follows the record it is attached to; every download is audited.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies(code),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    description TEXT NOT NULL,
    content BLOB,
    stored_path TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX documents_record ON documents(record_type, record_id);
