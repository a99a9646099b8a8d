{#-
    digital_maturity before suppression: one row per unit of each wave's org tree × area,
    each unit rolled up over its descendants (the org closure of the wave's end date).
    Respondents belong to the survey row's los_id; respondents whose los_id is not in the
    wave's tree are not placed anywhere (counted in dq_survey_respondents).
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

headcount as (

    select * from {{ scoped(ref('int_hr__headcount_per_period')) }}

),

respondents as (

    select * from {{ scoped(ref('int_survey__respondents')) }}

),

respondent_scores as (

    select * from {{ scoped(ref('int_survey__respondent_scores')) }}

),

waves as (

    select
        kommunekode,
        wave,
        previous_wave,
        period_end_date as wave_end_date
    from periods
    where is_wave_end

),

-- every unit of the wave's tree × every area, also where nothing happened, with its headcount
grid as (

    {{ unit_grid('waves', 'wave_end_date', with_headcount=true) }}

),

placed_scores as (

    select
        respondents.kommunekode,
        respondents.wave,
        respondents.wave_end_date,
        respondents.los_id,
        respondents.respondent_id,
        respondent_scores.competence_area,
        respondent_scores.score
    from respondent_scores
    inner join respondents
        on respondents.kommunekode = respondent_scores.kommunekode
        and respondents.wave = respondent_scores.wave
        and respondents.respondent_id = respondent_scores.respondent_id

),

-- each unit's measures over its subtree
rolled_scores as (

    {{ maturity_measures('placed_scores') }}

),

final as (

    select
        grid.kommunekode,
        grid.wave,
        grid.los_id,
        grid.competence_area,
        coalesce(rolled_scores.respondents, 0) as respondents,
        grid.headcount,
        cast(coalesce(rolled_scores.respondents, 0) as double precision)
            / nullif(grid.headcount, 0) as response_rate,
        cast(rolled_scores.mean_score as double precision) as mean_score,
        cast(rolled_scores.share_basic as double precision) as share_basic,
        cast(rolled_scores.share_advanced as double precision) as share_advanced,
        grid.previous_wave,
        grid.wave_end_date,
        grid.parent_los_id,
        grid.is_root,
        grid.enhedsnavn,
        grid.enhedstype,
        grid.sektor,
        grid.org_snapshot_month,
        grid.hr_snapshot_month
    from grid
    left join rolled_scores
        on rolled_scores.kommunekode = grid.kommunekode
        and rolled_scores.wave = grid.wave
        and rolled_scores.los_id = grid.los_id
        and rolled_scores.competence_area = grid.competence_area

)

select * from final
