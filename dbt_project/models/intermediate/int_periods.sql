{#-
    The periods the marts report on, per municipality: every survey wave's end (30 June /
    31 December), the last day of every month that has an HR or org extract, and the last day
    of every month with a training completion (training_uptake). A period is identified by
    its end date (always the last day of a month).
-#}

with

responses as (

    select * from {{ scoped(ref('stg_survey__responses')) }}

),

employees as (

    select * from {{ scoped(ref('stg_hr__employees')) }}

),

org_units as (

    select * from {{ scoped(ref('stg_hr__org_units')) }}

),

training_months as (

    select * from {{ scoped(ref('int_training__months')) }}

),

wave_ends as (

    select distinct
        kommunekode,
        wave_end_date as period_end_date,
        wave,
        previous_wave
    from responses

),

extract_months as (

    select distinct kommunekode, snapshot_month from employees
    union
    select distinct kommunekode, snapshot_month from org_units

),

month_ends as (

    select
        kommunekode,
        cast({{ dbt.last_day('snapshot_month', 'month') }} as date) as period_end_date
    from extract_months

),

all_period_ends as (

    select kommunekode, period_end_date from wave_ends
    union
    select kommunekode, period_end_date from month_ends
    union
    select kommunekode, period_end_date from training_months

),

final as (

    select
        all_period_ends.kommunekode,
        all_period_ends.period_end_date,
        cast({{ dbt.date_trunc('month', 'all_period_ends.period_end_date') }} as date) as period_month,
        wave_ends.wave,
        wave_ends.previous_wave,
        wave_ends.wave is not null as is_wave_end

    from all_period_ends
    left join wave_ends
        on wave_ends.kommunekode = all_period_ends.kommunekode
        and wave_ends.period_end_date = all_period_ends.period_end_date

)

select * from final
