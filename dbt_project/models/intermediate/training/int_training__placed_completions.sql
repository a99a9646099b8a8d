{#-
    Each distinct completion placed at the person's los_id in the HR snapshot of the
    completion month: that month's extract, or else the newest earlier one (docs/marts.md).
    Employment dates are not judged here: a person the snapshot lists is placed where it lists
    them. A person with posts in two units is placed in both (roll-ups count them once).
    A completion whose person the snapshot does not list has no row (counted in dq_training_records).
-#}

with

completions as (

    select * from {{ scoped(ref('int_training__completions')) }}

),

employee_snapshots as (

    select * from {{ scoped(ref('int_hr__employee_snapshots')) }}

),

completion_months as (

    select distinct kommunekode, completion_month
    from completions

),

-- the newest extract at or before the completion month
month_snapshot as (

    {{ extract_in_use(
        'completion_months', 'completion_month', 'completion_month', 'employee_snapshots', 'hr_snapshot_month'
    ) }}

),

placements as (

    select distinct
        month_snapshot.kommunekode,
        month_snapshot.completion_month,
        month_snapshot.hr_snapshot_month,
        employee_snapshots.person_key,
        employee_snapshots.los_id
    from month_snapshot
    inner join employee_snapshots
        on employee_snapshots.kommunekode = month_snapshot.kommunekode
        and employee_snapshots.snapshot_month = month_snapshot.hr_snapshot_month
    where employee_snapshots.los_id is not null

),

final as (

    select
        completions.kommunekode,
        completions.completion_month,
        cast({{ dbt.last_day('completions.completion_month', 'month') }} as date) as period_end_date,
        placements.hr_snapshot_month,
        completions.person_key,
        placements.los_id,
        completions.course_id,
        completions.competence_area,
        completions.hours
    from completions
    inner join placements
        on placements.kommunekode = completions.kommunekode
        and placements.completion_month = completions.completion_month
        and placements.person_key = completions.person_key

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from final
order by kommunekode
