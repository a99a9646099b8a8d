-- No group of 1..min_cell-1 employees can be derived by subtracting a unit's published staff
-- groups (training_uptake_by_staff_group) from its published total in training_uptake (what is
-- left: the employees without a staff group and the hidden groups; docs/privacy.md). Fails with
-- the unit and the size of what is left.
select
    uptake.kommunekode,
    uptake.month,
    uptake.los_id,
    uptake.headcount - coalesce(sum(groups.headcount) filter (where not groups.suppressed), 0) as residual
from {{ ref('training_uptake') }} as uptake
left join {{ ref('training_uptake_by_staff_group') }} as groups
    on groups.kommunekode = uptake.kommunekode
    and groups.month = uptake.month
    and groups.los_id = uptake.los_id
where not uptake.suppressed and uptake.competence_area = 'all'
group by uptake.kommunekode, uptake.month, uptake.los_id, uptake.headcount
having residual between 1 and {{ var('min_cell') | int }} - 1
