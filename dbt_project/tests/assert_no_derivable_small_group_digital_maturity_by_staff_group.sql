-- No group of 1..min_cell-1 respondents can be derived from digital_maturity_by_staff_group by
-- subtracting a staff group's published rows over the org tree (a unit minus its nearest published
-- sub-units; docs/privacy.md). Fails with the published unit and the residual group's size.
{{ derivable_small_groups(ref('digital_maturity_by_staff_group'), ['kommunekode', 'wave'], 'respondents', split_by=['competence_area', 'personalekategori']) }}
