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

unit_totals as (

    select kommunekode, wave, competence_area, los_id, parent_los_id, respondents, suppressed
    from {{ scoped(ref('digital_maturity')) }}

),

suppression as (

    {{ staff_group_suppression(
        'rollup', 'unit_totals', ['kommunekode', 'wave'], 'respondents', 'unit_respondents',
        split_by=['competence_area']
    ) }}

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
        case when suppression_reason is null then mean_score end as mean_score,
        case when suppression_reason is null then share_basic end as share_basic,
        case when suppression_reason is null then share_advanced end as share_advanced,
        suppression_reason is not null as suppressed,
        suppression_reason,
        unit_respondents,
        ungrouped_respondents,
        wave_end_date,
        {{ org_unit_columns() }}
    from suppression

)

select * from final
