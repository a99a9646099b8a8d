{#-
    training_after_maturity before suppression: for every wave × unit of the wave's org tree ×
    area, the survey respondents who could be linked to a person (their employee_ref matches
    an HR extract), how many had a basic score (< 2.5, as share_basic in digital_maturity), and
    how many of those had a completion in the six calendar months after the wave (July-December
    for H1, January-June of the next year for H2), in a course of the area ('all': any course).
    Respondents belong to the survey row's los_id and roll up over the wave's tree, exactly as
    in digital_maturity.
-#}

with

periods as (

    select * from {{ scoped(ref('int_periods')) }}

),

tree as (

    select * from {{ scoped(ref('int_org__tree_per_period')) }}

),

closure as (

    select * from {{ scoped(ref('int_org__closure')) }}

),

respondents as (

    select * from {{ scoped(ref('int_survey__respondents')) }}

),

respondent_scores as (

    select * from {{ scoped(ref('int_survey__respondent_scores')) }}

),

links as (

    select * from {{ scoped(ref('int_training__person_links')) }}

),

completions as (

    select * from {{ scoped(ref('int_training__completions')) }}

),

training_records as (

    select * from {{ scoped(ref('int_training__records')) }}

),

waves as (

    select
        kommunekode,
        wave,
        period_end_date as wave_end_date,
        cast(period_end_date + interval '1 day' as date) as followup_first_month,
        cast(
            {{ dbt.dateadd('month', 5, 'cast(period_end_date + interval \'1 day\' as date)') }} as date
        ) as followup_last_month
    from periods
    where is_wave_end

),

-- every unit of the wave's tree × every area, also where nothing happened
grid as (

    {{ unit_grid('waves', 'wave_end_date') }}

),

-- training files in use for each wave's follow-up window: is the window complete yet?
followup_data as (

    select
        waves.kommunekode,
        waves.wave,
        count(distinct training_records.file_month) as followup_months_loaded
    from waves
    inner join training_records
        on training_records.kommunekode = waves.kommunekode
        and training_records.file_month between waves.followup_first_month and waves.followup_last_month
    where training_records.is_used
    group by waves.kommunekode, waves.wave

),

-- completions in each wave's follow-up window
completions_in_window as (

    select waves.kommunekode, waves.wave, completions.person_key, completions.competence_area
    from waves
    inner join completions
        on completions.kommunekode = waves.kommunekode
        and completions.completion_month between waves.followup_first_month and waves.followup_last_month

),

-- people with a completion in the window, per area of the course and 'all'
trained_in_window as (

    {{ in_area_and_all('completions_in_window', ['kommunekode', 'wave', 'person_key'], distinct=true) }}

),

linked_scores as (

    select
        respondents.kommunekode,
        respondents.wave,
        respondents.wave_end_date,
        respondents.respondent_id,
        respondents.los_id,
        respondent_scores.competence_area,
        respondent_scores.score < 2.5 as is_basic,
        trained_in_window.person_key is not null as is_trained
    from respondents
    inner join links
        on links.kommunekode = respondents.kommunekode
        and links.link_key = respondents.ref_key
    inner join respondent_scores
        on respondent_scores.kommunekode = respondents.kommunekode
        and respondent_scores.wave = respondents.wave
        and respondent_scores.respondent_id = respondents.respondent_id
    left join trained_in_window
        on trained_in_window.kommunekode = respondents.kommunekode
        and trained_in_window.wave = respondents.wave
        and trained_in_window.person_key = links.person_key
        and trained_in_window.competence_area = respondent_scores.competence_area

),

-- over each unit's subtree (each respondent is placed at their unit)
rolled as (

    {{ subtree_totals(
        'linked_scores',
        keys=['wave', 'competence_area'],
        counts={
            'linked_respondents': 'count(*)',
            'basic_respondents': 'count(*) filter (where is_basic)',
            'basic_trained_6m': 'count(*) filter (where is_basic and is_trained)',
            'trained_6m': 'count(*) filter (where is_trained)'
        },
        period_end_date='wave_end_date',
        person='respondent_id'
    ) }}

),

final as (

    select
        grid.kommunekode,
        grid.wave,
        grid.los_id,
        grid.competence_area,
        coalesce(rolled.linked_respondents, 0) as linked_respondents,
        coalesce(rolled.basic_respondents, 0) as basic_respondents,
        coalesce(rolled.basic_trained_6m, 0) as basic_trained_6m,
        coalesce(rolled.trained_6m, 0) as trained_6m,
        cast(rolled.basic_trained_6m as double precision)
        / nullif(rolled.basic_respondents, 0) as share_basic_trained_6m,
        cast(rolled.trained_6m as double precision) / nullif(rolled.linked_respondents, 0) as share_trained_6m,
        grid.followup_first_month,
        grid.followup_last_month,
        coalesce(followup_data.followup_months_loaded, 0) as followup_months_loaded,
        grid.wave_end_date,
        grid.parent_los_id,
        grid.is_root,
        grid.enhedsnavn,
        grid.enhedstype,
        grid.sektor
    from grid
    left join rolled
        on rolled.kommunekode = grid.kommunekode
        and rolled.wave = grid.wave
        and rolled.los_id = grid.los_id
        and rolled.competence_area = grid.competence_area
    left join followup_data
        on followup_data.kommunekode = grid.kommunekode
        and followup_data.wave = grid.wave

)

select * from final
