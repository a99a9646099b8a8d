{#-
    marts.benefit_realisation (docs/marts.md): the rows of the newest complete register snapshot
    per municipality (the newest snapshot wins and replaces the older ones; older snapshots stay
    visible through the history models and benefit_status_changes).
-#}

with

snapshots as (

    select * from {{ scoped(ref('int_benefits__snapshots')) }}

),

realisation as (

    select * from {{ scoped(ref('int_benefits__realisation_by_snapshot')) }}

),

final as (

    select realisation.*
    from realisation
    inner join snapshots
        on snapshots.kommunekode = realisation.kommunekode
        and snapshots.snapshot_date = realisation.snapshot_date
    where snapshots.is_newest

)

select * from final
