{#-
    Data quality of the training records, per municipality × file month (the month in the
    file name: where a data engineer looks). Counts of records, never people; not suppressed.
    A record is "used" when it is in the newest file of its month and format and is the
    newest copy of its xAPI statement. Every count below except records and the two
    "not used" counts is over used records.
-#}

with

records as (

    select * from {{ scoped(ref('int_training__records')) }}

),

completions as (

    select * from {{ scoped(ref('int_training__completions')) }}

),

placed as (

    select * from {{ scoped(ref('int_training__placed_completions')) }}

),

tree as (

    select * from {{ scoped(ref('int_org__tree_per_period')) }}

),

-- a distinct completion is in training_uptake when one of its placements is a unit of the month's tree
placed_in_tree as (

    select distinct
        placed.kommunekode,
        placed.completion_month,
        placed.person_key,
        placed.course_id
    from placed
    inner join tree
        on tree.kommunekode = placed.kommunekode
        and tree.period_end_date = placed.period_end_date
        and tree.los_id = placed.los_id

),

placed_anywhere as (

    select distinct kommunekode, completion_month, person_key, course_id
    from placed

),

completion_flags as (

    select
        completions.kommunekode,
        completions.file_month,
        placed_anywhere.person_key is null as is_not_in_hr_snapshot,
        placed_anywhere.person_key is not null and placed_in_tree.person_key is null as is_at_unknown_unit
    from completions
    left join placed_anywhere
        on placed_anywhere.kommunekode = completions.kommunekode
        and placed_anywhere.completion_month = completions.completion_month
        and placed_anywhere.person_key = completions.person_key
        and placed_anywhere.course_id = completions.course_id
    left join placed_in_tree
        on placed_in_tree.kommunekode = completions.kommunekode
        and placed_in_tree.completion_month = completions.completion_month
        and placed_in_tree.person_key = completions.person_key
        and placed_in_tree.course_id = completions.course_id

),

kept_records as (

    select distinct file_fingerprint, source_row_number
    from completions

),

record_flags as (

    select
        records.*,
        records.is_used and records.is_completion and records.person_key is not null
            and kept_records.file_fingerprint is null as is_merged_duplicate
    from records
    left join kept_records
        on kept_records.file_fingerprint = records.file_fingerprint
        and kept_records.source_row_number = records.source_row_number

),

record_counts as (

    select
        kommunekode,
        file_month,
        cast(sum(case when is_merged_duplicate then 1 else 0 end) as bigint) as duplicate_completions_merged,
        count(*) as records,
        cast(sum(case when not is_in_current_file then 1 else 0 end) as bigint) as records_in_replaced_files,
        cast(sum(case when is_duplicate_statement then 1 else 0 end) as bigint) as duplicate_statements,
        cast(sum(case when is_used then 1 else 0 end) as bigint) as records_used,
        cast(sum(case when is_used and not is_completion then 1 else 0 end) as bigint) as not_completions,
        cast(sum(case when is_used and is_completion then 1 else 0 end) as bigint) as completions,
        cast(sum(case when is_used and person_key is null then 1 else 0 end) as bigint) as unlinked_records,
        cast(
            sum(case when is_used and is_completion and person_key is null then 1 else 0 end) as bigint
        ) as unlinked_completions,
        cast(
            sum(case when is_used and is_completion and not is_dated then 1 else 0 end) as bigint
        ) as completions_without_date,
        cast(
            sum(case when is_used and is_completion and not is_known_course then 1 else 0 end) as bigint
        ) as completions_of_unknown_course,
        cast(
            sum(case when is_used and is_completion and hours is null then 1 else 0 end) as bigint
        ) as completions_without_hours
    from record_flags
    group by kommunekode, file_month

),

distinct_counts as (

    select
        kommunekode,
        file_month,
        count(*) as distinct_completions,
        cast(sum(case when is_not_in_hr_snapshot then 1 else 0 end) as bigint) as completions_not_in_hr_snapshot,
        cast(sum(case when is_at_unknown_unit then 1 else 0 end) as bigint) as completions_at_unknown_unit
    from completion_flags
    group by kommunekode, file_month

),

final as (

    select
        record_counts.kommunekode,
        record_counts.file_month,
        record_counts.records,
        record_counts.records_in_replaced_files,
        record_counts.duplicate_statements,
        record_counts.records_used,
        record_counts.not_completions,
        record_counts.completions,
        record_counts.unlinked_records,
        record_counts.unlinked_completions,
        record_counts.completions - record_counts.unlinked_completions as linked_completions,
        -- linked completion records merged into another (same person × course × month)
        record_counts.duplicate_completions_merged,
        -- distinct completions whose kept record is in this file month
        coalesce(distinct_counts.distinct_completions, 0) as distinct_completions,
        coalesce(distinct_counts.completions_not_in_hr_snapshot, 0) as completions_not_in_hr_snapshot,
        coalesce(distinct_counts.completions_at_unknown_unit, 0) as completions_at_unknown_unit,
        record_counts.completions_without_date,
        record_counts.completions_of_unknown_course,
        record_counts.completions_without_hours
    from record_counts
    left join distinct_counts
        on distinct_counts.kommunekode = record_counts.kommunekode
        and distinct_counts.file_month = record_counts.file_month

)

select * from final
