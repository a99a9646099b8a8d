{#-
    Each respondent's score per DigComp area ('1'..'5') and overall ('all'): the mean of the
    respondent's non-missing item answers after reverse scoring (a -> 6 - a) (docs/marts.md).
    A respondent with no non-missing answer in an area has no row for it, so counting rows
    counts "respondents with at least one non-missing answer in the area".
    Plain joins and one GROUP BY: scales linearly with the number of answers.
-#}

{#- in batches of municipalities (macros/kommune_batched.sql): the nation's two waves (15 million answers)
    grouped at once by respondent and area did not fit dbt's memory limit beside the other models -#}
{{ config(materialized='kommune_batched', batch_rows_from='int_survey__respondents') }}

with

respondents as (

    select * from {{ batched(ref('int_survey__respondents')) }}

),

items as (

    select * from {{ batched(ref('stg_survey__items')) }}

),

answers as (

    select * from {{ batched(ref('stg_survey__answers')) }}
    where answer is not null

),

-- a catalogue delivered again for the same wave: the newest loaded row per item wins
catalogue as (

    select * from (
        select
            items.kommunekode,
            items.wave,
            items.item_id,
            items.competence_area,
            items.is_reverse_scored,
            row_number() over (
                partition by items.kommunekode, items.wave, items.item_id
                order by items.loaded_at desc nulls last, items.source_row_number desc
            ) as item_rank
        from items
    ) as ranked_items
    where item_rank = 1

),

scored_answers as (

    select
        answers.kommunekode,
        answers.wave,
        answers.respondent_id,
        catalogue.competence_area,
        case
            when catalogue.is_reverse_scored then 6 - answers.answer
            else answers.answer
        end as item_score

    from answers
    -- only the answers of the kept response row (same file as the respondent row)
    inner join respondents
        on respondents.kommunekode = answers.kommunekode
        and respondents.wave = answers.wave
        and respondents.respondent_id = answers.respondent_id
        -- coalesce: a plain equi-join (IS NOT DISTINCT FROM is much slower in DuckDB)
        and coalesce(respondents.file_fingerprint, '') = coalesce(answers.file_fingerprint, '')
    inner join catalogue
        on catalogue.kommunekode = answers.kommunekode
        and catalogue.wave = answers.wave
        and catalogue.item_id = answers.item_id

),

-- one pass over the answers: integer sums and counts per respondent and area ...
area_totals as (

    select
        kommunekode,
        wave,
        respondent_id,
        competence_area,
        sum(item_score) as score_total,
        count(*) as answered_items
    from scored_answers
    group by kommunekode, wave, respondent_id, competence_area

),

-- ... from which 'all' (the mean over all the respondent's items) follows exactly
overall_totals as (

    select
        kommunekode,
        wave,
        respondent_id,
        'all' as competence_area,
        sum(score_total) as score_total,
        sum(answered_items) as answered_items
    from area_totals
    group by kommunekode, wave, respondent_id

),

final as (

    select
        kommunekode,
        wave,
        respondent_id,
        competence_area,
        cast(score_total as double precision) / answered_items as score,
        cast(answered_items as integer) as answered_items
    from (
        select * from area_totals
        union all
        select * from overall_totals
    ) as totals

)

select * from final
