-- No group of 1..min_cell-1 linked respondents can be derived from training_after_maturity by
-- subtracting published rows (a unit minus its nearest published sub-units; docs: README
-- "Small cells and secondary suppression"). Fails with the published unit and the residual's size.
{{ derivable_small_groups(
    ref('training_after_maturity'),
    ['kommunekode', 'wave'],
    'linked_respondents',
    split_by=['competence_area']
) }}
