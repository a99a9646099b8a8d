-- No group of 1..min_cell-1 employees of a staff group can be derived from
-- training_uptake_by_staff_group by subtracting published rows along the org tree (a unit minus
-- its nearest published sub-units, per month and staff group; docs/privacy.md). Fails with the
-- published unit and the residual group's size.
{{ derivable_small_groups(
    ref('training_uptake_by_staff_group'),
    ['kommunekode', 'month'],
    'headcount',
    split_by=['personalekategori']
) }}
