{#-
    The measurements each complete register snapshot holds, one row per snapshot × benefit ×
    period: where a period was measured more than once, the row with the newest maalt_dato is a
    correction and wins (docs/files.md); on an equal maalt_dato (refused by validation) the
    later row of the file.
-#}

with

snapshots as (

    select * from {{ scoped(ref('int_benefits__snapshots')) }}

),

measurements as (

    select * from {{ scoped(ref('stg_benefits__measurements')) }}

),

snapshot_measurements as (

    select
        measurements.*,
        count(*) over (
            partition by
                measurements.kommunekode, measurements.snapshot_date, measurements.benefit_id, measurements.periode
        ) as measurements_of_period,
        row_number() over (
            partition by
                measurements.kommunekode, measurements.snapshot_date, measurements.benefit_id, measurements.periode
            order by measurements.maalt_dato desc nulls last, measurements.source_row_number desc
        ) as version_rank
    from measurements
    inner join snapshots
        on snapshots.kommunekode = measurements.kommunekode
        and snapshots.snapshot_date = measurements.snapshot_date
        and snapshots.maalinger_fingerprint = measurements.file_fingerprint

),

final as (

    select
        kommunekode,
        snapshot_date,
        benefit_id,
        periode,
        vaerdi,
        maalt_dato,
        measurements_of_period,
        measurements_of_period > 1 as is_corrected
    from snapshot_measurements
    where version_rank = 1

)

select * from final
