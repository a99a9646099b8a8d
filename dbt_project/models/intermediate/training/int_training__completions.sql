{#-
    Distinct completions (docs/marts.md): one row per municipality × linked person × course ×
    completion month ("one person completing one course twice in a month counts once").
    The row takes its hours from the latest of the merged records (by completed_at; ties: the
    larger hours), and keeps that record's file month and lineage for the data-quality counts.
    Unlinked records cannot be placed in an org unit, so they are not here (dq_training_records).
-#}

with

records as (

    select * from {{ scoped(ref('int_training__records')) }}
    where is_used and is_completion and person_key is not null

),

ranked as (

    select
        records.*,
        row_number() over (
            partition by kommunekode, person_key, course_id, completion_month
            order by completed_at desc nulls last, hours desc nulls last, file_fingerprint desc, source_row_number desc
        ) as record_rank,
        count(*) over (partition by kommunekode, person_key, course_id, completion_month) as records_merged
    from records

),

final as (

    select
        kommunekode,
        completion_month,
        person_key,
        course_id,
        competence_area,
        hours,
        hours_source,
        cast(records_merged as integer) as records_merged,
        file_month,
        file_fingerprint,
        source_row_number
    from ranked
    where record_rank = 1

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from final
order by kommunekode
