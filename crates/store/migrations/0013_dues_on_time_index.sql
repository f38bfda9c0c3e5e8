-- 排队抓尾 reads a year of charges per branch. With on_time in the month
-- index, each month's charges are grouped per branch in index order (no
-- sorter, no table lookups); the year is the sum of its months. The month
-- pages use the same index as before (same leading columns).
DROP INDEX dues_charges_by_month;
CREATE INDEX dues_charges_by_month ON dues_charges (month, committee_id, org_id, on_time);
