-- No group of 1..min_cell-1 employees can be derived by subtracting a unit's published staff
-- groups (training_uptake_by_staff_group) from its published total in training_uptake (what is
-- left: the employees without a staff group and the hidden groups; docs/privacy.md). Fails with
-- the unit and the size of what is left.
{{ staff_group_residuals(
    "(select * from " ~ ref('training_uptake') ~ " where competence_area = 'all')",
    ref('training_uptake_by_staff_group'),
    ['kommunekode', 'month', 'los_id'],
    'headcount'
) }}
