{#-
    Survey respondents: response rows only (not previews, spam or unfinished ones).
    - the same respondent_id delivered again in a later file of the same wave: the newest
      loaded file's row wins (a re-delivery, not a second respondent);
    - a respondent who answered twice in a wave with the same employee_ref (ref_key) counts
      once, with the latest submitted_at (docs/marts.md);
    - anonymous responses (ref_key NULL) cannot be matched, so each counts.
-#}

with

responses as (

    select * from {{ scoped(ref('stg_survey__responses')) }}
    where is_response

),

redeliveries_removed as (

    select
        responses.*,
        row_number() over (
            partition by kommunekode, wave, respondent_id
            order by loaded_at desc nulls last, file_fingerprint desc nulls last, source_row_number desc
        ) as delivery_rank
    from responses

),

ranked as (

    select
        redeliveries_removed.*,
        count(*) over (partition by kommunekode, wave, ref_key is null, coalesce(ref_key, respondent_id)) as submissions,
        row_number() over (
            partition by kommunekode, wave, ref_key is null, coalesce(ref_key, respondent_id)
            order by submitted_at desc nulls last, loaded_at desc nulls last, respondent_id desc
        ) as submission_rank
    from redeliveries_removed
    where delivery_rank = 1

),

final as (

    select
        kommunekode,
        wave,
        wave_end_date,
        respondent_id,
        file_fingerprint,
        ref_key,
        ref_key is null as is_anonymous,
        los_id,
        submitted_at,
        dialect,
        -- how many response rows this respondent submitted in the wave (1 = no duplicate)
        submissions
    from ranked
    -- anonymous rows are partitioned by respondent_id alone, so each is rank 1
    where submission_rank = 1

)

select * from final
