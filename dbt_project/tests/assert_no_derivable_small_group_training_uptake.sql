-- No group of 1..min_cell-1 employees (headcount) can be derived from training_uptake by
-- subtracting published rows (a unit minus its nearest published sub-units; docs: README
-- "Small cells and secondary suppression"). Fails with the published unit and the residual's size.
{{ derivable_small_groups(
    ref('training_uptake'),
    ['kommunekode', 'month'],
    'headcount',
    split_by=['competence_area']
) }}
