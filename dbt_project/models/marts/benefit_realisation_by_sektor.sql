{#-
    Benefit realisation per sektor (of the initiative) and month, in DKK (oekonomi_dkk) and hours
    (tid_timer), from marts.benefit_realisation: the sums of the month's rows (a benefit counts in
    the months its rows cover; stopped initiatives included, with their own count). The level
    kvalitet_indeks has no unit to add up, so it is not rolled up.
-#}

with

realisation as (

    select * from {{ scoped(ref('benefit_realisation')) }}

),

final as (

    select
        kommunekode,
        month,
        sektor,
        unit,
        count(*) as benefits,
        sum(target) as target,
        round(sum(planned_cumulative), 6) as planned_cumulative,
        round(sum(realised_cumulative), 6) as realised_cumulative,
        round(sum(realised_cumulative), 6) / nullif(sum(target), 0) as realisation_pct,
        count(*) filter (where status = 'realised') as benefits_realised,
        count(*) filter (where status = 'on_track') as benefits_on_track,
        count(*) filter (where status = 'at_risk') as benefits_at_risk,
        count(*) filter (where status = 'behind') as benefits_behind,
        count(*) filter (where status = 'stopped') as benefits_stopped,
        bool_and(is_future) as is_future
    from realisation
    where benefit_kind = 'flow'
    group by kommunekode, month, sektor, unit

)

select * from final
