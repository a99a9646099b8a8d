{#-
    marts.digital_maturity_by_staff_group: digital maturity by staff group (personalekategori)
    per org unit: kommunekode × wave × los_id × competence_area × personalekategori.
    Measures as in digital_maturity, over the group's grouped respondents (see
    int_survey__respondent_staff_groups); respondents who cannot be grouped (anonymous, unlinked,
    not in the wave's headcount) are counted in ungrouped_respondents, never in a group.

    Suppression, with the one small-cell mechanism (macros/suppression.sql), in two steps:
    1. over the org tree, each staff group (and area) as a table of its own, exactly as
       digital_maturity: a group below var('min_cell') respondents is hidden ('small_group'), and
       so is what would let a smaller group be derived by subtracting a unit's published
       sub-units from it ('secondary');
    2. within each unit: the unit's total (digital_maturity.respondents, published there) minus
       its published groups leaves the ungrouped respondents plus the hidden groups. That residual
       must be 0 or at least min_cell, so each unit × area is a small tree of its own (the unit's
       total at the top, its groups below, the groups hidden in step 1 counting as hidden) and
       the same mechanism hides one more group where needed ('secondary').
    3. both ways together (macros/two_way_suppression.sql): the unit totals published in
       digital_maturity and the group rows published after steps 1 and 2 split the respondents
       into atoms (the people every published figure contains all or none of); whatever an
       analyst adds and subtracts is made of whole atoms, so each atom must hold 0 or at least
       min_cell respondents. Where one does not, more group rows are hidden ('secondary'), never
       a unit total. Steps 1 and 2 alone would leave e.g.
       (unit total − its published groups) − (sub-unit total − its published groups) open; they
       stay as the first choices (the sub-unit with people of its own, the smallest group).
-#}

with

rollup as (

    select * from {{ scoped(ref('int_survey__staff_group_rollup')) }}

),

-- 1. over the org tree, per staff group and area
across_units as (

    {{ small_cell_suppression(
        'rollup', ['kommunekode', 'wave'], 'respondents', split_by=['competence_area', 'personalekategori']
    ) }}

),

-- 2. within each unit: the unit's total above its groups; a group hidden in step 1 adds its
-- respondents to the residual, as if it had none of its own to publish
unit_trees as (

    select
        kommunekode, wave, los_id, competence_area,
        personalekategori as group_key,
        '' as parent_group_key,
        case when suppression_reason is null then respondents else 0 end as published_respondents
    from across_units

    union all

    select distinct
        kommunekode, wave, los_id, competence_area,
        '' as group_key,
        null as parent_group_key,
        unit_respondents as published_respondents
    from across_units

),

within_unit as (

    {{ small_cell_suppression(
        'unit_trees', ['kommunekode', 'wave', 'los_id', 'competence_area'], 'published_respondents',
        key='group_key', parent='parent_group_key'
    ) }}

),

one_way as (

    select
        across_units.*,
        case
            when across_units.suppression_reason is not null then across_units.suppression_reason
            when within_unit.suppression_reason = 'secondary' then 'secondary'
        end as one_way_suppression_reason
    from across_units
    inner join within_unit
        on within_unit.kommunekode = across_units.kommunekode
        and within_unit.wave = across_units.wave
        and within_unit.los_id = across_units.los_id
        and within_unit.competence_area = across_units.competence_area
        and within_unit.group_key = across_units.personalekategori

),

-- 3. the unit totals as digital_maturity publishes them, and the groups as steps 1 and 2 leave them
unit_totals as (

    select kommunekode, wave, competence_area, los_id, parent_los_id, respondents, suppressed
    from {{ scoped(ref('digital_maturity')) }}

),

groups_so_far as (

    select
        kommunekode, wave, competence_area, los_id, personalekategori, respondents,
        one_way_suppression_reason as suppression_reason
    from one_way

),

two_way as (

    {{ two_way_suppression('groups_so_far', 'unit_totals') }}

),

suppression as (

    select
        one_way.*,
        two_way.suppression_reason as final_suppression_reason
    from one_way
    inner join two_way
        on two_way.kommunekode = one_way.kommunekode
        and two_way.wave = one_way.wave
        and two_way.competence_area = one_way.competence_area
        and two_way.los_id = one_way.los_id
        and two_way.personalekategori = one_way.personalekategori

),

final as (

    select
        kommunekode,
        wave,
        los_id,
        competence_area,
        personalekategori,
        respondents,
        headcount,
        cast(respondents as double precision) / nullif(headcount, 0) as response_rate,
        case when final_suppression_reason is null then mean_score end as mean_score,
        case when final_suppression_reason is null then share_basic end as share_basic,
        case when final_suppression_reason is null then share_advanced end as share_advanced,
        final_suppression_reason is not null as suppressed,
        final_suppression_reason as suppression_reason,
        unit_respondents,
        ungrouped_respondents,
        wave_end_date,
        {{ org_unit_columns() }}
    from suppression

)

select * from final
