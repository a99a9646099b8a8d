-- No group of 1..min_cell-1 respondents can be derived by subtracting a unit's published staff
-- groups from its published total in digital_maturity (what is left: the ungrouped respondents
-- and the hidden groups; docs/privacy.md). Fails with the unit and the size of what is left.
select
    maturity.kommunekode,
    maturity.wave,
    maturity.los_id,
    maturity.competence_area,
    maturity.respondents - coalesce(sum(groups.respondents) filter (where not groups.suppressed), 0) as residual
from {{ ref('digital_maturity') }} as maturity
left join {{ ref('digital_maturity_by_staff_group') }} as groups
    on groups.kommunekode = maturity.kommunekode
    and groups.wave = maturity.wave
    and groups.los_id = maturity.los_id
    and groups.competence_area = maturity.competence_area
where not maturity.suppressed
group by maturity.kommunekode, maturity.wave, maturity.los_id, maturity.competence_area, maturity.respondents
having residual between 1 and {{ var('min_cell') | int }} - 1
