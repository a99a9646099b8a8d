-- No group of 1..min_cell-1 respondents can be derived from digital_maturity by subtracting
-- published rows (a unit minus its nearest published sub-units; docs: README "Small cells and
-- secondary suppression"). Fails with the published unit and the residual group's size.
{{ derivable_small_groups(
    ref('digital_maturity'),
    ['kommunekode', 'wave'],
    'respondents',
    split_by=['competence_area']
) }}
