-- dues (党费) rollup: per branch and month, the charges and payments the
-- ranking, the summaries and the arrears board count, kept in the same
-- transaction as every write that changes dues_charges (dues::tally) and
-- rebuilt from the charges by `xianfeng rollups rebuild`. Distributed by
-- committee_id (the shard key, first in the primary key), beside the charges.

CREATE TABLE dues_tallies (
    committee_id BIGINT NOT NULL,
    month DATE NOT NULL,
    org_id BIGINT NOT NULL,
    -- Charges, those paid, those paid within their month.
    charges BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    due_fen BIGINT NOT NULL,
    paid_fen BIGINT NOT NULL,
    PRIMARY KEY (committee_id, month, org_id)
);

INSERT INTO dues_tallies (committee_id, month, org_id, charges, paid, on_time, due_fen, paid_fen)
SELECT committee_id, month, org_id, COUNT(*), SUM(CASE WHEN paid_on IS NULL THEN 0 ELSE 1 END), SUM(on_time),
       SUM(due_fen), SUM(COALESCE(paid_fen, 0))
FROM dues_charges GROUP BY committee_id, month, org_id;
