{#-
    marts.training_uptake (docs/marts.md): kommunekode × month × los_id × competence_area.
    Suppression (docs/privacy.md), by the group each measure is an aggregate over:
    - people_trained < var('min_cell'): completions, people_trained, training_hours and
      hours_per_fte are null;
    - people_trained_12m (the people coverage_12m counts) < var('min_cell'): coverage_12m and
      people_trained_12m are null;
    - suppressed = true when either applies. headcount and fte (HR counts) stay published.
-#}

with

rollup as (

    select * from {{ scoped(ref('int_training__uptake_rollup')) }}

),

flagged as (

    select
        rollup.*,
        {{ is_small_cell('rollup.people_trained') }} as month_suppressed,
        {{ is_small_cell('rollup.people_trained_12m') }} as coverage_suppressed
    from rollup

),

final as (

    select
        -- the contract's columns, in its order
        kommunekode,
        month,
        los_id,
        competence_area,
        headcount,
        fte,
        case when not month_suppressed then completions end as completions,
        case when not month_suppressed then people_trained end as people_trained,
        case when not month_suppressed then training_hours end as training_hours,
        case when not month_suppressed then hours_per_fte end as hours_per_fte,
        case when not coverage_suppressed then coverage_12m end as coverage_12m,
        month_suppressed or coverage_suppressed as suppressed,

        -- descriptive extras
        case when not coverage_suppressed then people_trained_12m end as people_trained_12m,
        month_end_date,
        {{ org_unit_columns() }},
        org_snapshot_month,
        hr_snapshot_month

    from flagged

)

select * from final
