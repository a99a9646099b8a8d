{#-
    Data quality of the survey, per municipality × wave (docs/privacy.md: what cannot be linked
    is counted, not dropped silently). Counts only; no person-level values.
    - unlinked: the response's employee_ref (ref_key) matches neither an employee number
      nor an e-mail of any HR extract of that municipality. Unlinked respondents still count
      in digital_maturity at the survey row's los_id.
    - at_unknown_unit: the survey row's los_id is empty or not a unit of the org tree valid
      at the wave's end; these respondents are in no digital_maturity row.
    - in_wave_without_hr_snapshot: the municipality has no HR extract at or before the wave's
      last month, so the wave has no headcount or response rate (all its respondents).
    - catalogue_items_without_column / answer_columns_without_item: what the newest responses
      file of the wave (raw.survey_item_coverage) had no column for / had as answers matching no
      item. Those answers are in no area: counted here, never dropped silently.
-#}

with

responses as (

    select * from {{ scoped(ref('stg_survey__responses')) }}

),

respondents as (

    select * from {{ scoped(ref('int_survey__respondents')) }}

),

respondent_scores as (

    select * from {{ scoped(ref('int_survey__respondent_scores')) }}

),

employees as (

    select * from {{ scoped(ref('stg_hr__employees')) }}

),

tree as (

    select * from {{ scoped(ref('int_org__tree_per_period')) }}

),

items as (

    select * from {{ scoped(ref('stg_survey__items')) }}

),

coverage as (

    select * from {{ scoped(ref('stg_survey__item_coverage')) }}

),

-- every responses file of a wave; one whose columns all match the catalogue has no coverage row
wave_files as (

    select kommunekode, wave, file_fingerprint, loaded_at from responses
    union all
    select kommunekode, wave, file_fingerprint, loaded_at from coverage

),

newest_wave_files as (

    select *
    from ({{ ranked_deliveries('wave_files', ['kommunekode', 'wave']) }}) as ranked_files
    where file_rank = 1

),

-- the newest file of the wave only: an older file's columns were corrected by the newer delivery
coverage_counts as (

    select
        coverage.kommunekode,
        coverage.wave,
        count(distinct case when coverage.status = 'item_without_column' then coverage.item_id end)
            as catalogue_items_without_column,
        cast(sum(case when coverage.status = 'column_without_item' then 1 else 0 end) as bigint)
            as answer_columns_without_item
    from coverage
    inner join newest_wave_files
        on newest_wave_files.kommunekode = coverage.kommunekode
        and newest_wave_files.wave = coverage.wave
        and newest_wave_files.file_fingerprint = coverage.file_fingerprint
    group by coverage.kommunekode, coverage.wave

),

catalogue_counts as (

    select kommunekode, wave, count(distinct item_id) as catalogue_items
    from items
    group by kommunekode, wave

),

-- the waves with an HR extract at or before their last month (else: no headcount)
waves_with_hr_snapshot as (

    select distinct responses.kommunekode, responses.wave
    from (select distinct kommunekode, wave, wave_end_date from responses) as responses
    inner join (select distinct kommunekode, snapshot_month from employees) as extracts  -- noqa: ST05
        on extracts.kommunekode = responses.kommunekode
        and extracts.snapshot_month <= responses.wave_end_date

),

hr_link_keys as (

    select distinct kommunekode, empno_key as link_key
    from employees
    where empno_key is not null
    union
    select distinct kommunekode, email_key as link_key
    from employees
    where email_key is not null

),

scored_respondents as (

    select distinct kommunekode, wave, respondent_id
    from respondent_scores

),

respondent_flags as (

    select
        respondents.kommunekode,
        respondents.wave,
        respondents.is_anonymous,
        respondents.submissions,
        hr_link_keys.link_key is not null as is_linked,
        tree.los_id is null as is_at_unknown_unit,
        scored_respondents.respondent_id is null as has_no_answers
    from respondents
    left join hr_link_keys
        on hr_link_keys.kommunekode = respondents.kommunekode
        and hr_link_keys.link_key = respondents.ref_key
    left join tree
        on tree.kommunekode = respondents.kommunekode
        and tree.period_end_date = respondents.wave_end_date
        and tree.los_id = respondents.los_id
    left join scored_respondents
        on scored_respondents.kommunekode = respondents.kommunekode
        and scored_respondents.wave = respondents.wave
        and scored_respondents.respondent_id = respondents.respondent_id

),

row_counts as (

    select
        kommunekode,
        wave,
        count(*) as response_rows,
        cast(sum(case when is_response then 0 else 1 end) as bigint) as not_responses
    from responses
    group by kommunekode, wave

),

respondent_counts as (

    select
        kommunekode,
        wave,
        count(*) as respondents,
        cast(sum(submissions - 1) as bigint) as duplicate_submissions_merged,
        cast(sum(case when is_anonymous then 1 else 0 end) as bigint) as anonymous_respondents,
        cast(sum(case when is_linked then 1 else 0 end) as bigint) as linked_respondents,
        cast(sum(case when not is_anonymous and not is_linked then 1 else 0 end) as bigint) as unlinked_respondents,
        cast(sum(case when is_at_unknown_unit then 1 else 0 end) as bigint) as respondents_at_unknown_unit,
        cast(sum(case when has_no_answers then 1 else 0 end) as bigint) as respondents_without_answers
    from respondent_flags
    group by kommunekode, wave

),

final as (

    select
        row_counts.kommunekode,
        row_counts.wave,
        row_counts.response_rows,
        row_counts.not_responses,
        row_counts.response_rows - row_counts.not_responses as responses,
        coalesce(respondent_counts.duplicate_submissions_merged, 0) as duplicate_submissions_merged,
        -- response rows delivered again in a later file of the same wave (same respondent_id)
        row_counts.response_rows - row_counts.not_responses
            - coalesce(respondent_counts.respondents, 0)
            - coalesce(respondent_counts.duplicate_submissions_merged, 0) as redelivered_responses,
        coalesce(respondent_counts.respondents, 0) as respondents,
        coalesce(respondent_counts.anonymous_respondents, 0) as anonymous_respondents,
        coalesce(respondent_counts.linked_respondents, 0) as linked_respondents,
        coalesce(respondent_counts.unlinked_respondents, 0) as unlinked_respondents,
        coalesce(respondent_counts.respondents_at_unknown_unit, 0) as respondents_at_unknown_unit,
        coalesce(respondent_counts.respondents_without_answers, 0) as respondents_without_answers,
        case
            when waves_with_hr_snapshot.wave is null then coalesce(respondent_counts.respondents, 0) else 0
        end as respondents_in_wave_without_hr_snapshot,
        coalesce(catalogue_counts.catalogue_items, 0) as catalogue_items,
        coalesce(coverage_counts.catalogue_items_without_column, 0) as catalogue_items_without_column,
        -- the newest file's columns read as answers: its catalogue items with a column, and the others
        coalesce(catalogue_counts.catalogue_items, 0)
            - coalesce(coverage_counts.catalogue_items_without_column, 0)
            + coalesce(coverage_counts.answer_columns_without_item, 0) as answer_columns,
        coalesce(coverage_counts.answer_columns_without_item, 0) as answer_columns_without_item
    from row_counts
    left join respondent_counts
        on respondent_counts.kommunekode = row_counts.kommunekode
        and respondent_counts.wave = row_counts.wave
    left join waves_with_hr_snapshot
        on waves_with_hr_snapshot.kommunekode = row_counts.kommunekode
        and waves_with_hr_snapshot.wave = row_counts.wave
    left join catalogue_counts
        on catalogue_counts.kommunekode = row_counts.kommunekode
        and catalogue_counts.wave = row_counts.wave
    left join coverage_counts
        on coverage_counts.kommunekode = row_counts.kommunekode
        and coverage_counts.wave = row_counts.wave

)

select * from final
