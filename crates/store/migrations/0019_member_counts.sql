-- member (党员) rollup: how many members each org holds directly, by status,
-- so a roster's total (共 N 人) over a unit or the whole province sums a few
-- thousand rows instead of counting every member. Kept in the transaction of
-- every write that adds a member, moves one between orgs or changes a status
-- (member::counts), moved with its org, rebuilt from the members by
-- `xianfeng rollups rebuild`. Distributed by committee_id (the shard key,
-- first in the primary key), beside the members. `org_id` is the member's
-- own org (their branch); a subtree's count joins the orgs by path.

CREATE TABLE member_counts (
    committee_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (committee_id, org_id, status)
);

INSERT INTO member_counts (committee_id, org_id, status, n)
SELECT committee_id, org_id, status, COUNT(*) FROM members GROUP BY committee_id, org_id, status;
