-- County scale (issue 10): the case list keeps the cases shared with each
-- agency per sharing version, with their status (its live filter), so a
-- status change moves the version too.
CREATE TRIGGER sharing_version_case_status AFTER UPDATE OF status ON cases
FOR EACH STATEMENT EXECUTE FUNCTION sharing_version_bump();
