{#-
    The course catalogue in use: each course's newest loaded row (a catalogue delivered again
    updates its courses; a course missing from a newer catalogue keeps its last known row, so
    older completions still map to a competence area and nominal hours).
-#}

with

courses as (

    select * from {{ scoped(ref('stg_training__courses')) }}

),

ranked_courses as (

    select
        courses.*,
        row_number() over (
            partition by kommunekode, course_id
            order by loaded_at desc nulls last, file_fingerprint desc, source_row_number desc
        ) as course_rank
    from courses

),

final as (

    select
        kommunekode,
        course_id,
        course_name,
        competence_code,
        competence_area,
        nominal_hours
    from ranked_courses
    where course_rank = 1

)

select * from final
