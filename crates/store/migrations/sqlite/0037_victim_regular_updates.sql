-- Regular updates for victims (issue 14; the Victims' Code lets a victim
-- agree how often they are told, besides the points): the gap in days, or
-- NULL when only the points were agreed. Keep in step with the other
-- engine's 0037_victim_regular_updates.sql.
ALTER TABLE victim_contacts ADD COLUMN every_days BIGINT;
