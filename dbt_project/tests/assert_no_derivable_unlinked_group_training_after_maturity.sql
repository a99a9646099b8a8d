-- training_after_maturity describes the linked respondents of digital_maturity's respondents, so a
-- published row of each gives the unlinked rest by subtraction, and so does every residual group of
-- this mart (a unit minus its nearest published sub-units). No such group may hold
-- 1..min_cell-1 unlinked respondents, and this mart never publishes a row digital_maturity hides.
-- Fails with the published unit and the size of the group of unlinked respondents.
{{ derivable_small_groups(
    "(select followup.*, maturity.respondents - followup.linked_respondents as unlinked_respondents
      from " ~ ref('training_after_maturity') ~ " as followup
      inner join " ~ ref('digital_maturity') ~ " as maturity
        on maturity.kommunekode = followup.kommunekode and maturity.wave = followup.wave
        and maturity.los_id = followup.los_id and maturity.competence_area = followup.competence_area)",
    ['kommunekode', 'wave'], 'unlinked_respondents', split_by=['competence_area']) }}

union all

select
    followup.kommunekode, followup.wave, followup.competence_area, followup.los_id as unit_key,
    followup.linked_respondents as population, null as residual
from {{ ref('training_after_maturity') }} as followup
inner join {{ ref('digital_maturity') }} as maturity
    on
        maturity.kommunekode = followup.kommunekode
        and maturity.wave = followup.wave
        and maturity.los_id = followup.los_id
        and maturity.competence_area = followup.competence_area
where maturity.suppressed and not followup.suppressed
