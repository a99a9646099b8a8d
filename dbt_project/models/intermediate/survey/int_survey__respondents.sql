{#-
    Survey respondents: response rows only (not previews, tests, spam or unfinished ones).
    - the same respondent_id delivered again in a later file of the same wave: the newest
      loaded file's row wins (a re-delivery, not a second respondent);
    - a person who answered twice in a wave counts once (docs/marts.md): the same person is the
      same employee_ref (ref_key: the keyed e-mail, lower-cased and trimmed, or employee number)
      or, after linking through the HR extracts, the same person_key (one answer given with the
      e-mail, another with the employee number). The later submitted_at wins; without timestamps
      (SurveyXact often has none) the later row of the later file; a row with a time beats one without;
    - anonymous responses (ref_key NULL) cannot be matched, so each counts.
-#}

with

responses as (

    select * from {{ scoped(ref('stg_survey__responses')) }}
    where is_response

),

-- link key -> person, from every HR extract of the municipality (as for training records)
person_links as (

    select * from {{ scoped(ref('int_training__person_links')) }}

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

matched as (

    select
        redeliveries_removed.*,
        person_links.person_key,
        -- who the response is from: the linked person, else the employee_ref, else (anonymous) itself
        case
            when person_links.person_key is not null then 'person:' || person_links.person_key
            when redeliveries_removed.ref_key is not null then 'ref:' || redeliveries_removed.ref_key
            else 'anonymous:' || redeliveries_removed.respondent_id
        end as person_match
    from redeliveries_removed
    left join person_links
        on person_links.kommunekode = redeliveries_removed.kommunekode
        and person_links.link_key = redeliveries_removed.ref_key
    where redeliveries_removed.delivery_rank = 1

),

ranked as (

    select
        matched.*,
        count(*) over (partition by kommunekode, wave, person_match) as submissions,
        row_number() over (
            partition by kommunekode, wave, person_match
            order by
                submitted_at desc nulls last,
                loaded_at desc nulls last,
                file_fingerprint desc nulls last,
                source_row_number desc,
                respondent_id desc
        ) as submission_rank
    from matched

),

final as (

    select
        kommunekode,
        wave,
        wave_end_date,
        respondent_id,
        file_fingerprint,
        ref_key,
        person_key,
        ref_key is null as is_anonymous,
        los_id,
        submitted_at,
        dialect,
        -- how many response rows this person submitted in the wave (1 = no duplicate)
        submissions
    from ranked
    where submission_rank = 1

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from final
order by kommunekode
