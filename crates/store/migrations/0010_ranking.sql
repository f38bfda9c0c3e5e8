-- 排队抓尾: a generation number for the facts the ranking reads besides
-- meetings (dues charges and payments, recruitment cases), and rectification
-- plans for branches in the tail.
ALTER TABLE committee_generations ADD COLUMN facts BIGINT NOT NULL DEFAULT 0;
-- Whether a charge was paid within its month (or before): set when the payment
-- is recorded, so the ranking sums it instead of comparing dates per row.
ALTER TABLE dues_charges ADD COLUMN on_time BIGINT NOT NULL DEFAULT 0;
