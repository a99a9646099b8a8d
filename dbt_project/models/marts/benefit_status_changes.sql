{{ config(materialized='view') }}

{#-
    Which benefits changed status from one complete register snapshot to the next (status as
    each snapshot told it: int_benefits__status_per_snapshot). One row per consecutive pair of
    snapshots × benefit whose status differs, also a benefit that is new in the later snapshot
    (change 'added', previous_status null) or no longer in it ('removed', status null).
    is_newest: the pair ending with the newest snapshot, i.e. "since the previous snapshot".
-#}

with

snapshots as (

    select * from {{ scoped(ref('int_benefits__snapshots')) }}

),

statuses as (

    select * from {{ scoped(ref('int_benefits__status_per_snapshot')) }}

),

pairs as (

    select kommunekode, previous_snapshot_date, snapshot_date, is_newest
    from snapshots
    where previous_snapshot_date is not null

),

pair_benefits as (

    select distinct pairs.*, statuses.benefit_id
    from pairs
    inner join statuses
        on statuses.kommunekode = pairs.kommunekode
        and statuses.snapshot_date in (pairs.previous_snapshot_date, pairs.snapshot_date)

),

final as (

    select
        pair_benefits.kommunekode,
        pair_benefits.benefit_id,
        coalesce(current_status.initiative_id, previous_status.initiative_id) as initiative_id,
        coalesce(current_status.gevinsttype, previous_status.gevinsttype) as gevinsttype,
        pair_benefits.previous_snapshot_date,
        pair_benefits.snapshot_date,
        previous_status.status as previous_status,
        current_status.status,
        case
            when previous_status.benefit_id is null then 'added'
            when current_status.benefit_id is null then 'removed'
            else 'changed'
        end as change,
        previous_status.realisation_pct as previous_realisation_pct,
        current_status.realisation_pct,
        previous_status.initiative_status as previous_initiative_status,
        current_status.initiative_status,
        pair_benefits.is_newest
    from pair_benefits
    left join statuses as previous_status
        on previous_status.kommunekode = pair_benefits.kommunekode
        and previous_status.snapshot_date = pair_benefits.previous_snapshot_date
        and previous_status.benefit_id = pair_benefits.benefit_id
    left join statuses as current_status
        on current_status.kommunekode = pair_benefits.kommunekode
        and current_status.snapshot_date = pair_benefits.snapshot_date
        and current_status.benefit_id = pair_benefits.benefit_id
    where previous_status.status is distinct from current_status.status

)

select * from final
