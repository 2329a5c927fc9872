-- Issue 10: the check for earlier warnings before a new intervention looks a
-- subject without a person record up by lower-cased name; without this index
-- it read every intervention (quadratic as cases accumulate).
CREATE INDEX interventions_subject ON interventions (LOWER(subject_name));
