-- compliance (落实情况): the baseline of the area's tables.

-- Counted meetings per kind and month of one org in one year (see core::meeting::Tally).
CREATE TABLE meeting_tallies (
    committee_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    tally TEXT NOT NULL,
    PRIMARY KEY (committee_id, org_id, year)
);

CREATE INDEX meeting_tallies_by_year ON meeting_tallies (year, committee_id);
