-- Members in arrears are found from their unpaid charges only.
CREATE INDEX dues_charges_unpaid ON dues_charges (committee_id, month, member_id) WHERE paid_on IS NULL;
