with

source as (

    select * from {{ source('raw', 'training_records') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        cast(file_month as date) as file_month,
        cast(record_format as varchar) as record_format,
        cast(statement_id as varchar) as statement_id,
        -- pseudonymised link keys of the learner's e-mail / employee number (either may be null)
        cast(email_key as varchar) as email_key,
        cast(empno_key as varchar) as empno_key,
        cast(course_id as varchar) as course_id,

        ---------- text
        cast(status as varchar) as status,
        cast(verb_id as varchar) as verb_id,

        ---------- timestamps (Europe/Copenhagen wall clock)
        cast(completed_at as timestamp) as completed_at,
        cast(completed_month as date) as completed_month,

        ---------- numerics
        cast(hours as double precision) as hours,
        cast(duration_hours as double precision) as duration_hours,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

derived as (

    select
        renamed.*,
        -- docs/files.md: an LMS row with status completed; an xAPI statement with the ADL
        -- 'completed' verb (other verbs are kept, never counted)
        coalesce(
            case
                when record_format = 'xapi' then verb_id = 'http://adlnet.gov/expapi/verbs/completed'
                else status = 'completed'
            end,
            false
        ) as is_completion

    from renamed

)

select * from derived
