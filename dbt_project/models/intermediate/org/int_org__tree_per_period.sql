{#-
    The org tree of each period (municipality × period end date): the org extract of the
    period's month, or else the newest earlier one (docs/marts.md), keeping the units valid on
    the period's last day (gyldig_fra <= day <= gyldig_til, both inclusive; empty = open).
-#}

with

periods as (

    select * from {{ scoped(ref('int_periods')) }}

),

unit_snapshots as (

    select * from {{ scoped(ref('int_org__unit_snapshots')) }}

),

-- the newest extract at or before the period's month (few periods × few extracts: small)
period_snapshot as (

    {{ extract_in_use('periods', 'period_end_date', 'period_month', 'unit_snapshots', 'org_snapshot_month') }}

),

units_valid_at_period_end as (

    select
        period_snapshot.kommunekode,
        period_snapshot.period_end_date,
        period_snapshot.org_snapshot_month,
        unit_snapshots.los_id,
        unit_snapshots.parent_los_id,
        unit_snapshots.enhedsnavn,
        unit_snapshots.enhedstype,
        unit_snapshots.sektor,
        unit_snapshots.gyldig_fra,
        unit_snapshots.gyldig_til,
        -- a unit listed twice in one extract (should not pass validation): keep the last row
        row_number() over (
            partition by period_snapshot.kommunekode, period_snapshot.period_end_date, unit_snapshots.los_id
            order by unit_snapshots.source_row_number desc
        ) as unit_rank

    from period_snapshot
    inner join unit_snapshots
        on unit_snapshots.kommunekode = period_snapshot.kommunekode
        and unit_snapshots.snapshot_month = period_snapshot.org_snapshot_month
    where (unit_snapshots.gyldig_fra is null or unit_snapshots.gyldig_fra <= period_snapshot.period_end_date)
        and (unit_snapshots.gyldig_til is null or unit_snapshots.gyldig_til >= period_snapshot.period_end_date)

),

final as (

    select
        kommunekode,
        period_end_date,
        org_snapshot_month,
        los_id,
        parent_los_id,
        parent_los_id is null as is_root,
        enhedsnavn,
        enhedstype,
        sektor,
        gyldig_fra,
        gyldig_til
    from units_valid_at_period_end
    where unit_rank = 1

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from final
order by kommunekode
