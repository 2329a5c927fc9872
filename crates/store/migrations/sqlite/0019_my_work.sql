-- County scale (issue 10): an officer's overdue tasks (their own, and those
-- on the cases they lead) from indexes, not every outstanding task.
CREATE INDEX case_tasks_officer ON case_tasks (owner_officer_id);
CREATE INDEX cases_lead ON cases (lead_officer_id);
