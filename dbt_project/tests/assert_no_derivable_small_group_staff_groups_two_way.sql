-- No group of 1..min_cell-1 respondents can be derived by combining the published rows of
-- digital_maturity_by_staff_group with the published unit totals of digital_maturity, along the
-- org tree and across the staff groups at once: every atom of the published figures (the people
-- each published figure contains all or none of) holds 0 or at least min_cell respondents
-- (macros/two_way_suppression.sql explains why that is enough). Fails with each small atom: its
-- published totals (region), its group and published group rows, and its size.
{{ two_way_suppression(
    "(select kommunekode, wave, competence_area, los_id, personalekategori, respondents,"
        ~ " case when suppressed then suppression_reason end as suppression_reason"
        ~ " from " ~ ref('digital_maturity_by_staff_group') ~ ")",
    ref('digital_maturity'),
    rounds=0,
    small_atoms_only=true
) }}
