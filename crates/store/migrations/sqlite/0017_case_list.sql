-- County scale (issue 10): the case list reads an agency's own cases from an
-- index in the list's order (newest first, then id) instead of sorting every
-- case it may see.
CREATE INDEX cases_owner_page ON cases (owner_agency, created_at DESC, id);
