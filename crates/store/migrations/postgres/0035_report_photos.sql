-- Photos residents send with a report (issue 14), kept with their metadata
-- already taken out (only JPEG, PNG or WebP); held, and removed, with the
-- report. Keep in step with the other engine's 0035_report_photos.sql.
CREATE TABLE public_report_photos (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES public_reports(id),
    content_type TEXT NOT NULL,
    content BYTEA NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX public_report_photos_report ON public_report_photos(report_id);
