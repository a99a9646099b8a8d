-- No group of 1..min_cell-1 respondents can be derived by subtracting a unit's published staff
-- groups from its published total in digital_maturity (what is left: the ungrouped respondents
-- and the hidden groups; docs/privacy.md). Fails with the unit and the size of what is left.
{{ staff_group_residuals(
    ref('digital_maturity'),
    ref('digital_maturity_by_staff_group'),
    ['kommunekode', 'wave', 'los_id', 'competence_area'],
    'respondents'
) }}
