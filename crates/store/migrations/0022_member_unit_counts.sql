-- member (党员) rollup above member_counts: how many members each unit
-- (committee) holds, by status, so the province's roster total sums a few
-- hundred rows. Recomputed from the unit's member_counts in the same
-- transaction whenever one of its orgs is recounted (member::counts), rebuilt
-- by `xianfeng rollups rebuild`. Distributed by committee_id.

CREATE TABLE member_unit_counts (
    committee_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (committee_id, status)
);

INSERT INTO member_unit_counts (committee_id, status, n)
SELECT committee_id, status, COUNT(*) FROM members GROUP BY committee_id, status;
