{#-
    marts.training_uptake_by_staff_group: training uptake by staff group (personalekategori) per
    org unit: kommunekode × month × los_id × personalekategori, the 12-month coverage of
    training_uptake (competence area 'all') over the group's headcount.

    Suppression as in digital_maturity_by_staff_group (macros/staff_group_suppression.sql), with
    the group's headcount as the population (never the people trained: nobody trained is a
    published zero) and training_uptake's rows (area 'all') as the published unit totals.
-#}

{{ config(materialized='kommune_batched', batch_rows_from='int_training__staff_group_uptake_rollup') }}

with

rollup as (

    select * from {{ batched(ref('int_training__staff_group_uptake_rollup')) }}

),

unit_totals as (

    select kommunekode, month, los_id, parent_los_id, headcount, suppressed
    from {{ batched(ref('training_uptake')) }}
    where competence_area = 'all'

),

suppression as (

    {{ staff_group_suppression('rollup', 'unit_totals', ['kommunekode', 'month'], 'headcount', 'unit_headcount') }}

),

final as (

    select
        kommunekode,
        month,
        los_id,
        personalekategori,
        headcount,
        case when suppression_reason is null then people_trained_12m end as people_trained_12m,
        case when suppression_reason is null then coverage_12m end as coverage_12m,
        suppression_reason is not null as suppressed,
        suppression_reason,
        unit_headcount,
        ungrouped_headcount,
        month_end_date,
        {{ org_unit_columns() }}
    from suppression

)

select * from final
