-- No group of 1..min_cell-1 employees can be derived by differencing the published rows of
-- training_uptake_by_staff_group and the published unit totals of training_uptake (area 'all'),
-- along the org tree and across the staff groups at once (macros/two_way_suppression.sql). Fails
-- with each relation that gives a small group away.
{{ two_way_suppression(
    "(select kommunekode, month, los_id, personalekategori, headcount,"
        ~ " case when suppressed then suppression_reason end as suppression_reason"
        ~ " from " ~ ref('training_uptake_by_staff_group') ~ ")",
    "(select * from " ~ ref('training_uptake') ~ " where competence_area = 'all')",
    ['kommunekode', 'month'],
    'headcount',
    audit_only=true
) }}
