-- No group of 1..min_cell-1 respondents of a staff group can be derived from
-- digital_maturity_by_staff_group by subtracting published rows along the org tree (a unit minus
-- its nearest published sub-units, per wave, area and staff group; docs/privacy.md). Fails with the
-- published unit and the residual group's size.
{{ derivable_small_groups(
    ref('digital_maturity_by_staff_group'),
    ['kommunekode', 'wave'],
    'respondents',
    split_by=['competence_area', 'personalekategori']
) }}
