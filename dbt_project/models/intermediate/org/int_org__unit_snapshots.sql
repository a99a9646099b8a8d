{{ config(materialized="view") }}

{#-
    One delivered org extract per municipality × month. An extract is a full snapshot, so
    when a month was delivered more than once the newest loaded file replaces the older
    one(s) as a whole (no mixing of rows from two deliveries).
-#}

with

org_units as (

    select * from {{ scoped(ref('stg_hr__org_units')) }}

),

files as (

    select
        kommunekode,
        snapshot_month,
        file_fingerprint,
        max(loaded_at) as loaded_at
    from org_units
    group by kommunekode, snapshot_month, file_fingerprint

),

ranked_files as (

    select
        files.*,
        row_number() over (
            partition by kommunekode, snapshot_month
            order by loaded_at desc nulls last, file_fingerprint desc nulls last
        ) as file_rank
    from files

),

final as (

    select org_units.*
    from org_units
    inner join ranked_files
        on ranked_files.kommunekode = org_units.kommunekode
        and ranked_files.snapshot_month = org_units.snapshot_month
        -- coalesce: a plain equi-join (IS NOT DISTINCT FROM is much slower in DuckDB)
        and coalesce(ranked_files.file_fingerprint, '') = coalesce(org_units.file_fingerprint, '')
    where ranked_files.file_rank = 1

)

select * from final
