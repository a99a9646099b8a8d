{#-
    Benefit realisation per org unit, rolled up (docs/marts.md), and month, in DKK (oekonomi_dkk)
    and hours (tid_timer). An initiative sits at its los_id; a unit's row covers the benefits of
    initiatives at the unit and every descendant in the org tree of the month (int_benefits__org_closure).
    There is a row for every unit of that tree × both units of measure, with zeros where nothing
    is registered. Initiatives whose los_id is not in the month's tree are in no row.
-#}

with

realisation as (

    select * from {{ scoped(ref('benefit_realisation')) }}

),

closure as (

    select * from {{ scoped(ref('int_benefits__org_closure')) }}

),

units_of_measure as (

    select * from (values ('DKK'), ('hours')) as measures (unit)  -- noqa: AL05, ST05

),

grid as (

    select
        closure.kommunekode,
        closure.month,
        closure.ancestor_los_id as los_id,
        units_of_measure.unit
    from closure
    cross join units_of_measure
    where closure.depth = 0

),

rolled_up as (

    select
        closure.kommunekode,
        closure.month,
        closure.ancestor_los_id as los_id,
        realisation.unit,
        count(*) as benefits,
        sum(realisation.target) as target,
        sum(realisation.planned_cumulative) as planned_cumulative,
        sum(realisation.realised_cumulative) as realised_cumulative,
        count(*) filter (where realisation.status = 'stopped') as benefits_stopped
    from closure
    inner join realisation
        on realisation.kommunekode = closure.kommunekode
        and realisation.month = closure.month
        and realisation.los_id = closure.descendant_los_id
    where realisation.benefit_kind = 'flow'
    group by closure.kommunekode, closure.month, closure.ancestor_los_id, realisation.unit

),

final as (

    select
        grid.kommunekode,
        grid.month,
        grid.los_id,
        grid.unit,
        coalesce(rolled_up.benefits, 0) as benefits,
        coalesce(rolled_up.target, 0) as target,
        round(coalesce(rolled_up.planned_cumulative, 0), 6) as planned_cumulative,
        round(coalesce(rolled_up.realised_cumulative, 0), 6) as realised_cumulative,
        round(rolled_up.realised_cumulative, 6) / nullif(rolled_up.target, 0) as realisation_pct,
        coalesce(rolled_up.benefits_stopped, 0) as benefits_stopped
    from grid
    left join rolled_up
        on rolled_up.kommunekode = grid.kommunekode
        and rolled_up.month = grid.month
        and rolled_up.los_id = grid.los_id
        and rolled_up.unit = grid.unit

)

select * from final
