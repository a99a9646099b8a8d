{#-
    The employees counted in each period (docs/marts.md, headcount): the HR extract of the
    period's month, or else the newest earlier one; an employee counts when that extract
    lists them, ansat_fra <= the period's last day (empty = not known, counts) and ansat_til
    is empty or >= that day, also where the extract used is an older one.
    Grain: municipality × period × person_key × los_id (a person with posts in two units
    appears once per unit; roll-ups count distinct person_key).
-#}

with

periods as (

    select * from {{ scoped(ref('int_periods')) }}

),

employee_snapshots as (

    select * from {{ scoped(ref('int_hr__employee_snapshots')) }}

),

-- the newest extract at or before the period's month
period_snapshot as (

    {{ extract_in_use('periods', 'period_end_date', 'period_month', 'employee_snapshots', 'hr_snapshot_month') }}

),

employed_at_period_end as (

    select
        period_snapshot.kommunekode,
        period_snapshot.period_end_date,
        period_snapshot.hr_snapshot_month,
        employee_snapshots.person_key,
        employee_snapshots.los_id,
        employee_snapshots.beskaeftigelsesgrad
    from period_snapshot
    inner join employee_snapshots
        on employee_snapshots.kommunekode = period_snapshot.kommunekode
        and employee_snapshots.snapshot_month = period_snapshot.hr_snapshot_month
    where (employee_snapshots.ansat_fra is null or employee_snapshots.ansat_fra <= period_snapshot.period_end_date)
        and (employee_snapshots.ansat_til is null or employee_snapshots.ansat_til >= period_snapshot.period_end_date)

),

final as (

    select
        kommunekode,
        period_end_date,
        hr_snapshot_month,
        person_key,
        los_id,
        -- FTE of the person's posts in the unit (weekly hours / 37)
        sum(beskaeftigelsesgrad) as fte
    from employed_at_period_end
    group by kommunekode, period_end_date, hr_snapshot_month, person_key, los_id

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from final
order by kommunekode
