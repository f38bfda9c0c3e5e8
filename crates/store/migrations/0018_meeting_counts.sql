-- meeting (组织生活) rollup: how many meetings each org has planned for a
-- year, by kind and state, so a list's total (共 N 条) over a province's year
-- reads a few thousand rows instead of counting a million meetings. Kept in
-- the transaction of every write that adds a meeting or changes its state
-- (meeting::counts), moved with its org, rebuilt from the meetings by
-- `xianfeng rollups rebuild`. Distributed by committee_id (the shard key,
-- first in the primary key), beside the meetings. The year is planned_on's.

CREATE TABLE meeting_counts (
    committee_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (committee_id, org_id, year, kind, status)
);

CREATE INDEX meeting_counts_by_year ON meeting_counts (year, kind, status);

INSERT INTO meeting_counts (committee_id, org_id, year, kind, status, n)
SELECT committee_id, org_id, CAST(SUBSTR(CAST(planned_on AS TEXT), 1, 4) AS BIGINT), kind, status, COUNT(*)
FROM meetings GROUP BY committee_id, org_id, CAST(SUBSTR(CAST(planned_on AS TEXT), 1, 4) AS BIGINT), kind, status;
