{#-
    The org tree of every month the benefit marts report on, as ancestor × descendant pairs
    (self pairs included), by the rules of int_org__tree_per_period and the macro org_closure: the org
    extract of the month or else the newest earlier one (docs/marts.md), with the units valid on
    the month's last day. A month before the first org extract has no tree (so no org-unit
    rows). Kept apart from int_periods so the benefit months (which reach into the future, to
    the target dates) do not add periods to the survey and HR models.
-#}

with

realisation as (

    select * from {{ scoped(ref('int_benefits__realisation_by_snapshot')) }}

),

snapshots as (

    select * from {{ scoped(ref('int_benefits__snapshots')) }}

),

unit_snapshots as (

    select * from {{ scoped(ref('int_org__unit_snapshots')) }}

),

months as (

    select distinct
        realisation.kommunekode,
        realisation.month,
        cast({{ dbt.last_day('realisation.month', 'month') }} as date) as month_end_date
    from realisation
    inner join snapshots
        on snapshots.kommunekode = realisation.kommunekode
        and snapshots.snapshot_date = realisation.snapshot_date
    where snapshots.is_newest

),

month_extract as (

    select
        months.kommunekode,
        months.month,
        months.month_end_date,
        max(extracts.snapshot_month) as org_snapshot_month
    from months
    inner join (select distinct kommunekode, snapshot_month from unit_snapshots) as extracts  -- noqa: ST05
        on extracts.kommunekode = months.kommunekode
        and extracts.snapshot_month <= months.month
    group by months.kommunekode, months.month, months.month_end_date

),

tree as (

    select
        kommunekode,
        month,
        los_id,
        parent_los_id
    from (
        select
            month_extract.kommunekode,
            month_extract.month,
            unit_snapshots.los_id,
            unit_snapshots.parent_los_id,
            row_number() over (
                partition by month_extract.kommunekode, month_extract.month, unit_snapshots.los_id
                order by unit_snapshots.source_row_number desc
            ) as unit_rank
        from month_extract
        inner join unit_snapshots
            on unit_snapshots.kommunekode = month_extract.kommunekode
            and unit_snapshots.snapshot_month = month_extract.org_snapshot_month
        where (unit_snapshots.gyldig_fra is null or unit_snapshots.gyldig_fra <= month_extract.month_end_date)
            and (unit_snapshots.gyldig_til is null or unit_snapshots.gyldig_til >= month_extract.month_end_date)
    ) as units
    where unit_rank = 1

),

closure as (

    {{ org_closure('tree', 'month') }}

)

select * from closure
