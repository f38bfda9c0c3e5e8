-- The meeting list, newest first, across a whole province or unit.
CREATE INDEX meetings_by_date ON meetings (planned_on, committee_id);
