{#-
    Every loaded training record, with what the marts need decided once:
    - is_used: the record is in the newest delivered file of its municipality × file month ×
      format (a month delivered again replaces the older file as a whole; an LMS CSV and an
      xAPI file of the same month are two sources and both count), and, for xAPI, it is the
      newest loaded copy of its statement id (a statement delivered in two files counts once);
    - person_key: linked through HR by employee number first, else by e-mail (docs/privacy.md);
      null = unlinked;
    - completion_month: for completions, the Copenhagen month of completed_at / timestamp, or
      the file's month when an LMS completion has no completed_at;
    - hours (docs/marts.md): the record's hours, else the xAPI duration, else the course's
      nominal hours; a 0 (or empty) value means "not recorded" and falls through to the next.
-#}

with

records as (

    select * from {{ scoped(ref('stg_training__records')) }}

),

links as (

    select * from {{ scoped(ref('int_training__person_links')) }}

),

catalogue as (

    select * from {{ scoped(ref('int_training__course_catalogue')) }}

),

-- each delivered file of a municipality × file month × format, file_rank 1 = the newest
ranked_files as (

    {{ ranked_deliveries('records', ['kommunekode', 'file_month', 'record_format']) }}

),

in_current_file as (

    select
        records.*,
        ranked_files.file_rank = 1 as is_in_current_file
    from records
    inner join ranked_files
        on ranked_files.kommunekode = records.kommunekode
        and ranked_files.file_month = records.file_month
        and ranked_files.record_format = records.record_format
        and ranked_files.file_fingerprint = records.file_fingerprint

),

-- the newest loaded copy of each xAPI statement (among the files in use)
statement_copies as (

    select
        kommunekode,
        statement_id,
        file_fingerprint,
        source_row_number,
        row_number() over (
            partition by kommunekode, statement_id
            order by loaded_at desc nulls last, file_fingerprint desc, source_row_number desc
        ) as copy_rank
    from in_current_file
    where is_in_current_file and statement_id is not null

),

flagged as (

    select
        in_current_file.*,
        coalesce(statement_copies.copy_rank > 1, false) as is_duplicate_statement
    from in_current_file
    left join statement_copies
        on statement_copies.kommunekode = in_current_file.kommunekode
        and statement_copies.statement_id = in_current_file.statement_id
        and statement_copies.file_fingerprint = in_current_file.file_fingerprint
        and statement_copies.source_row_number = in_current_file.source_row_number

),

final as (

    select
        flagged.kommunekode,
        flagged.file_month,
        flagged.record_format,
        flagged.statement_id,
        flagged.course_id,
        catalogue.competence_area,
        catalogue.course_id is not null as is_known_course,
        flagged.status,
        flagged.is_completion,
        flagged.is_in_current_file,
        flagged.is_duplicate_statement,
        flagged.is_in_current_file and not flagged.is_duplicate_statement as is_used,
        coalesce(by_empno.person_key, by_email.person_key) as person_key,
        case
            when by_empno.person_key is not null then 'medarbejdernr'
            when by_email.person_key is not null then 'email'
        end as linked_by,
        flagged.completed_at,
        flagged.completed_month is not null as is_dated,
        case
            when flagged.is_completion then coalesce(flagged.completed_month, flagged.file_month)
        end as completion_month,
        coalesce(
            case when flagged.hours > 0 then flagged.hours end,
            case when flagged.duration_hours > 0 then flagged.duration_hours end,
            catalogue.nominal_hours
        ) as hours,
        case
            when flagged.hours > 0 then 'record'
            when flagged.duration_hours > 0 then 'duration'
            when catalogue.nominal_hours is not null then 'nominal'
        end as hours_source,
        flagged.file_fingerprint,
        flagged.source_row_number,
        flagged.loaded_at
    from flagged
    left join links as by_empno
        on by_empno.kommunekode = flagged.kommunekode
        and by_empno.link_key = flagged.empno_key
    left join links as by_email
        on by_email.kommunekode = flagged.kommunekode
        and by_email.link_key = flagged.email_key
    left join catalogue
        on catalogue.kommunekode = flagged.kommunekode
        and catalogue.course_id = flagged.course_id

)

select * from final
