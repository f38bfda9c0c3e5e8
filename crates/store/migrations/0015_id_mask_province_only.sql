-- The stored ID mask kept the region code and the last four characters;
-- beside the birth date (held in the clear for age filters) that was the
-- whole number. Keep the province code only (see text::mask_id_card).
UPDATE members SET id_card_masked = substr(id_card_masked, 1, 2) || '****************' WHERE length(id_card_masked) = 18;
