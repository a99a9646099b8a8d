{#-
    marts.digital_maturity_by_staff_group: digital maturity by staff group (personalekategori)
    per org unit: kommunekode × wave × los_id × competence_area × personalekategori.
    Measures as in digital_maturity, over the group's grouped respondents (see
    int_survey__respondent_staff_groups); respondents who cannot be grouped (anonymous, unlinked,
    not in the wave's headcount) are counted in ungrouped_respondents, never in a group.

    Suppression (macros/staff_group_suppression.sql): along the org tree per staff group, within
    each unit against its total in digital_maturity, and both ways at once (no differencing of
    the published group rows and digital_maturity's unit totals gives a group of 1..min_cell-1
    respondents away); the totals of digital_maturity are never changed here.
-#}

{{ config(materialized='kommune_batched', batch_rows_from='int_survey__staff_group_rollup') }}

with

rollup as (

    select * from {{ batched(ref('int_survey__staff_group_rollup')) }}

),

unit_totals as (

    select kommunekode, wave, competence_area, los_id, parent_los_id, respondents, suppressed
    from {{ batched(ref('digital_maturity')) }}

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
