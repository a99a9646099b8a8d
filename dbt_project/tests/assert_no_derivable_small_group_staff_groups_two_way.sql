-- No group of 1..min_cell-1 respondents can be derived by differencing the published rows of
-- digital_maturity_by_staff_group and the published unit totals of digital_maturity, along the
-- org tree and across the staff groups at once (macros/two_way_suppression.sql). Fails with each
-- relation that gives a small group away.
{{ two_way_suppression(
    "(select kommunekode, wave, competence_area, los_id, personalekategori, respondents,"
        ~ " case when suppressed then suppression_reason end as suppression_reason"
        ~ " from " ~ ref('digital_maturity_by_staff_group') ~ ")",
    ref('digital_maturity'),
    ['kommunekode', 'wave', 'competence_area'],
    'respondents',
    audit_only=true
) }}
