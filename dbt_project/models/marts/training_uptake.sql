{#-
    marts.training_uptake (docs/marts.md): kommunekode × month × los_id × competence_area.
    Suppression (macros/suppression.sql) by the population the row describes, the unit's
    headcount, never by the number of people trained (nobody trained is a published zero):
    where headcount < var('min_cell'), or where publishing the row would let a smaller group be
    derived by subtracting published rows, completions, people_trained, training_hours,
    hours_per_fte, coverage_12m and people_trained_12m are null, suppressed = true and
    suppression_reason says why. headcount and fte stay published.
-#}

with

rollup as (

    select * from {{ scoped(ref('int_training__uptake_rollup')) }}

),

-- every area has the unit's headcount as population, so the areas of a month are hidden alike
suppression as (

    {{ small_cell_suppression('rollup', ['kommunekode', 'month'], 'headcount', split_by=['competence_area']) }}

),

flagged as (

    select
        suppression.*,
        suppression_reason is not null as suppressed
    from suppression

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
        case when not suppressed then completions end as completions,
        case when not suppressed then people_trained end as people_trained,
        case when not suppressed then training_hours end as training_hours,
        case when not suppressed then hours_per_fte end as hours_per_fte,
        case when not suppressed then coverage_12m end as coverage_12m,
        suppressed,

        -- descriptive extras
        suppression_reason,
        case when not suppressed then people_trained_12m end as people_trained_12m,
        month_end_date,
        {{ org_unit_columns() }},
        org_snapshot_month,
        hr_snapshot_month

    from flagged

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from final
order by kommunekode
