-- dues (党费) rollup: every member with unpaid charges, with how many months
-- are unpaid, what they owe, and how many months in a row up to the unit's
-- latest cycle are unpaid — so the arrears list (欠缴党费) over a province
-- reads a page of members in order instead of every unpaid charge. Kept in
-- the transaction of every write that adds charges or changes whether one
-- is paid (dues::owed), rebuilt from the charges by `xianfeng rollups
-- rebuild`. `org_id` is the branch of the member's latest unpaid charge.
-- Distributed by committee_id (the shard key, first in the primary key).

CREATE TABLE dues_arrears (
    committee_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    months BIGINT NOT NULL,
    owed_fen BIGINT NOT NULL,
    consecutive BIGINT NOT NULL,
    PRIMARY KEY (committee_id, member_id)
);

CREATE INDEX dues_arrears_in_order ON dues_arrears (consecutive, committee_id, org_id, member_id);

-- From the charges already there (the same figures as dues::owed counts):
-- a month is in the run when every calendar month from it to the unit's
-- latest cycle is an unpaid charge of the member's.
INSERT INTO dues_arrears (committee_id, member_id, org_id, months, owed_fen, consecutive)
SELECT c.committee_id, c.member_id,
    (SELECT c3.org_id FROM dues_charges c3
     WHERE c3.committee_id = c.committee_id AND c3.member_id = c.member_id AND c3.paid_on IS NULL
     ORDER BY c3.month DESC LIMIT 1),
    COUNT(*),
    CAST(SUM(c.due_fen) AS BIGINT),
    (SELECT COUNT(*) FROM dues_charges u
     WHERE u.committee_id = c.committee_id AND u.member_id = c.member_id AND u.paid_on IS NULL AND u.month <= l.latest
       AND (CAST(SUBSTR(CAST(l.latest AS TEXT), 1, 4) AS BIGINT) * 12 + CAST(SUBSTR(CAST(l.latest AS TEXT), 6, 2) AS BIGINT))
         - (CAST(SUBSTR(CAST(u.month AS TEXT), 1, 4) AS BIGINT) * 12 + CAST(SUBSTR(CAST(u.month AS TEXT), 6, 2) AS BIGINT)) + 1
         = (SELECT COUNT(*) FROM dues_charges u2
            WHERE u2.committee_id = u.committee_id AND u2.member_id = u.member_id AND u2.paid_on IS NULL
              AND u2.month >= u.month AND u2.month <= l.latest))
FROM dues_charges c
LEFT JOIN (SELECT committee_id, MAX(month) AS latest FROM dues_cycles GROUP BY committee_id) l ON l.committee_id = c.committee_id
WHERE c.paid_on IS NULL
GROUP BY c.committee_id, c.member_id, l.latest;
