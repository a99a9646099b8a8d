{#-
    marts.benchmark_municipality: each municipality's headline figures set against the
    distribution over every municipality in the warehouse that has the same figure for the same
    period (median, quartiles, rank), as FLIS does for HR figures.

    Only municipality-level aggregates enter it: the root rows (is_root) of digital_maturity and
    training_uptake (published values only: a suppressed figure is null and takes no part) and
    the sums of benefit_realisation_by_sektor over every sector.

    Unlike the other marts this one compares municipalities, so it cannot be built per
    municipality (macros/scope.sql): it is a plain table, recomputed in full on every build. That
    is cheap: it reads a few root rows per municipality and period.
-#}

{{ config(materialized='table') }}

with

maturity as (

    select
        kommunekode,
        'maturity_mean_score' as measure,
        wave as period,
        competence_area as dimension,
        mean_score as value
    from {{ ref('digital_maturity') }}
    where is_root and mean_score is not null

),

training as (

    select
        kommunekode,
        'training_coverage_12m' as measure,
        strftime(month, '%Y-%m') as period,
        competence_area as dimension,
        coverage_12m as value
    from {{ ref('training_uptake') }}
    where is_root and coverage_12m is not null

),

benefits as (

    select
        kommunekode,
        'benefit_realisation_pct' as measure,
        strftime(month, '%Y-%m') as period,
        unit as dimension,
        sum(realised_cumulative) / nullif(sum(target), 0) as value
    from {{ ref('benefit_realisation_by_sektor') }}
    where not is_future
    group by kommunekode, month, unit
    having sum(target) <> 0

),

figures as (

    select * from maturity
    union all
    select * from training
    union all
    select * from benefits

),

distribution as (

    select
        measure,
        period,
        dimension,
        count(*) as municipalities,
        min(value) as min_value,
        quantile_cont(value, 0.25) as p25,
        quantile_cont(value, 0.5) as median,
        quantile_cont(value, 0.75) as p75,
        max(value) as max_value
    from figures
    group by measure, period, dimension

),

final as (

    select
        figures.kommunekode,
        figures.measure,
        figures.period,
        figures.dimension,
        cast(figures.value as double precision) as value,
        cast(distribution.municipalities as integer) as municipalities,
        cast(rank() over (
            partition by figures.measure, figures.period, figures.dimension order by figures.value desc
        ) as integer) as rank_desc,
        cast(distribution.min_value as double precision) as min_value,
        cast(distribution.p25 as double precision) as p25,
        cast(distribution.median as double precision) as median,
        cast(distribution.p75 as double precision) as p75,
        cast(distribution.max_value as double precision) as max_value,
        case
            when distribution.municipalities < 2 then null
            when figures.value >= distribution.p75 then 'top_quartile'
            when figures.value >= distribution.median then 'above_median'
            when figures.value >= distribution.p25 then 'below_median'
            else 'bottom_quartile'
        end as position
    from figures
    inner join distribution
        on distribution.measure = figures.measure
        and distribution.period = figures.period
        and distribution.dimension = figures.dimension

)

select * from final
