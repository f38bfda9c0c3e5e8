-- Check-ins refused at a meeting (an expired or wrong code, outside the
-- check-in hours), shown to the organizer: a code photographed and sent home
-- shows up here.
ALTER TABLE meetings ADD COLUMN checkin_refused BIGINT NOT NULL DEFAULT 0;
