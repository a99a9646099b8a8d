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

competence_areas as (

    {% for area in ['1', '2', '3', '4', '5', 'all'] -%}
    select '{{ area }}' as competence_area
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- every unit of the wave's tree × every area, also where nothing happened
grid as (

    select
        waves.kommunekode,
        waves.wave,
        waves.previous_wave,
        waves.wave_end_date,
        tree.org_snapshot_month,
        tree.los_id,
        tree.parent_los_id,
        tree.is_root,
        tree.enhedsnavn,
        tree.enhedstype,
        tree.sektor,
        competence_areas.competence_area
    from waves
    inner join tree
        on tree.kommunekode = waves.kommunekode
        and tree.period_end_date = waves.wave_end_date
    cross join competence_areas

),

placed_scores as (

    select
        respondents.kommunekode,
        respondents.wave,
        respondents.wave_end_date,
        respondents.los_id,
        respondent_scores.competence_area,
        respondent_scores.score
    from respondent_scores
    inner join respondents
        on respondents.kommunekode = respondent_scores.kommunekode
        and respondents.wave = respondent_scores.wave
        and respondents.respondent_id = respondent_scores.respondent_id

),

rolled_scores as (

    select
        closure.kommunekode,
        placed_scores.wave,
        closure.ancestor_los_id as los_id,
        placed_scores.competence_area,
        count(*) as respondents,
        avg(placed_scores.score) as mean_score,
        avg(case when placed_scores.score < 2.5 then 1.0 else 0.0 end) as share_basic,
        avg(case when placed_scores.score >= 4.0 then 1.0 else 0.0 end) as share_advanced
    from placed_scores
    inner join closure
        on closure.kommunekode = placed_scores.kommunekode
        and closure.period_end_date = placed_scores.wave_end_date
        and closure.descendant_los_id = placed_scores.los_id
    group by closure.kommunekode, placed_scores.wave, closure.ancestor_los_id, placed_scores.competence_area

),

rolled_headcount as (

    select
        closure.kommunekode,
        waves.wave,
        closure.ancestor_los_id as los_id,
        count(distinct headcount.person_key) as headcount
    from headcount
    inner join waves
        on waves.kommunekode = headcount.kommunekode
        and waves.wave_end_date = headcount.period_end_date
    inner join closure
        on closure.kommunekode = headcount.kommunekode
        and closure.period_end_date = headcount.period_end_date
        and closure.descendant_los_id = headcount.los_id
    group by closure.kommunekode, waves.wave, closure.ancestor_los_id

),

hr_snapshot_used as (

    select
        kommunekode,
        period_end_date,
        max(hr_snapshot_month) as hr_snapshot_month
    from headcount
    group by kommunekode, period_end_date

),

final as (

    select
        grid.kommunekode,
        grid.wave,
        grid.los_id,
        grid.competence_area,
        coalesce(rolled_scores.respondents, 0) as respondents,
        coalesce(rolled_headcount.headcount, 0) as headcount,
        cast(coalesce(rolled_scores.respondents, 0) as double precision)
            / nullif(coalesce(rolled_headcount.headcount, 0), 0) as response_rate,
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
        hr_snapshot_used.hr_snapshot_month
    from grid
    left join rolled_scores
        on rolled_scores.kommunekode = grid.kommunekode
        and rolled_scores.wave = grid.wave
        and rolled_scores.los_id = grid.los_id
        and rolled_scores.competence_area = grid.competence_area
    left join rolled_headcount
        on rolled_headcount.kommunekode = grid.kommunekode
        and rolled_headcount.wave = grid.wave
        and rolled_headcount.los_id = grid.los_id
    left join hr_snapshot_used
        on hr_snapshot_used.kommunekode = grid.kommunekode
        and hr_snapshot_used.period_end_date = grid.wave_end_date

)

select * from final
