{#-
    Each benefit's status as each complete register snapshot told it, one row per snapshot ×
    benefit: the status of its int_benefits__realisation_by_snapshot row for the month of the
    snapshot date (after the benefit's last month: its last row). A benefit whose first month
    lies after the snapshot's month is 'not_started' (unless its initiative is stoppet:
    'stopped').
-#}

with

snapshots as (

    select * from {{ scoped(ref('int_benefits__snapshots')) }}

),

realisation as (

    select * from {{ scoped(ref('int_benefits__realisation_by_snapshot')) }}

),

spans as (

    select
        kommunekode,
        snapshot_date,
        benefit_id,
        min(month) as first_month,
        max(month) as last_month
    from realisation
    group by kommunekode, snapshot_date, benefit_id

),

as_of as (

    select
        spans.*,
        snapshots.snapshot_month,
        least(snapshots.snapshot_month, spans.last_month) as status_month
    from spans
    inner join snapshots
        on snapshots.kommunekode = spans.kommunekode
        and snapshots.snapshot_date = spans.snapshot_date

),

final as (

    select
        realisation.kommunekode,
        realisation.snapshot_date,
        realisation.initiative_id,
        realisation.benefit_id,
        realisation.gevinsttype,
        realisation.initiative_status,
        as_of.status_month,
        case
            when realisation.initiative_status = 'stoppet' then 'stopped'
            when as_of.snapshot_month < as_of.first_month then 'not_started'
            else realisation.status
        end as status,
        case
            when as_of.snapshot_month >= as_of.first_month then realisation.realised_cumulative
        end as realised_cumulative,
        case
            when as_of.snapshot_month >= as_of.first_month then realisation.planned_cumulative
        end as planned_cumulative,
        case when as_of.snapshot_month >= as_of.first_month then realisation.realisation_pct end as realisation_pct
    from as_of
    inner join realisation
        on realisation.kommunekode = as_of.kommunekode
        and realisation.snapshot_date = as_of.snapshot_date
        and realisation.benefit_id = as_of.benefit_id
        -- before the first month there is no row for the status month: use the first row for the ids
        and realisation.month = greatest(as_of.status_month, as_of.first_month)

)

select * from final
