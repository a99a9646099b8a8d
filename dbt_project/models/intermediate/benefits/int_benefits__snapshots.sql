{#-
    The complete register snapshots per municipality: a snapshot (register date) counts once all
    three parts are loaded. Each part comes from its newest loaded file (by load time), so a
    re-delivered snapshot, or the same date as XLSX and as CSV, replaces the older delivery part
    by part and nothing is counted twice. A CSV triplet whose parts have not all arrived is not a
    snapshot yet. previous/next link consecutive complete snapshots; is_newest marks the
    register in force (the newest snapshot wins).
-#}

with

parts as (

    select * from {{ scoped(ref('stg_benefits__register_parts')) }}

),

ranked_part_files as (

    select
        kommunekode,
        snapshot_date,
        part,
        file_fingerprint,
        row_number() over (
            partition by kommunekode, snapshot_date, part
            order by loaded_at desc, file_fingerprint desc
        ) as file_rank
    from parts

),

complete as (

    select
        kommunekode,
        snapshot_date,
        max(case when part = 'initiativer' then file_fingerprint end) as initiativer_fingerprint,
        max(case when part = 'gevinster' then file_fingerprint end) as gevinster_fingerprint,
        max(case when part = 'maalinger' then file_fingerprint end) as maalinger_fingerprint
    from ranked_part_files
    where file_rank = 1
    group by kommunekode, snapshot_date
    having count(distinct part) = 3

),

final as (

    select
        kommunekode,
        snapshot_date,
        cast(date_trunc('month', snapshot_date) as date) as snapshot_month,
        initiativer_fingerprint,
        gevinster_fingerprint,
        maalinger_fingerprint,
        row_number() over (partition by kommunekode order by snapshot_date) as snapshot_number,
        lag(snapshot_date) over (partition by kommunekode order by snapshot_date) as previous_snapshot_date,
        lead(snapshot_date) over (partition by kommunekode order by snapshot_date) as next_snapshot_date,
        lead(snapshot_date) over (partition by kommunekode order by snapshot_date) is null as is_newest
    from complete

)

select * from final
