-- A meeting's members who sent their apologies (issue 15): recorded with
-- the attendees, listed apart from them, and not counted as attending.
ALTER TABLE meeting_attendees ADD COLUMN apologies BOOLEAN NOT NULL DEFAULT FALSE;
