{#-
    digital_maturity_by_staff_group before suppression: for every wave × unit of the wave's org
    tree × area × staff group (personalekategori) with employees or grouped respondents in the
    unit's subtree, the group's respondents and scores, rolled up over the tree exactly as in
    digital_maturity, beside the unit's respondents of all groups and of none
    (unit_respondents, ungrouped_respondents) that the mart's secondary suppression needs.
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

employee_snapshots as (

    select * from {{ scoped(ref('int_hr__employee_snapshots')) }}

),

respondent_scores as (

    select * from {{ scoped(ref('int_survey__respondent_scores')) }}

),

staff_groups as (

    select * from {{ scoped(ref('int_survey__respondent_staff_groups')) }}

),

waves as (

    select
        kommunekode,
        wave,
        period_end_date as wave_end_date
    from periods
    where is_wave_end

),

grid as (

    {{ unit_grid('waves', 'wave_end_date') }}

),

placed_scores as (

    select
        staff_groups.kommunekode,
        staff_groups.wave,
        staff_groups.wave_end_date,
        staff_groups.los_id,
        staff_groups.respondent_id,
        staff_groups.personalekategori,
        respondent_scores.competence_area,
        respondent_scores.score
    from respondent_scores
    inner join staff_groups
        on staff_groups.kommunekode = respondent_scores.kommunekode
        and staff_groups.wave = respondent_scores.wave
        and staff_groups.respondent_id = respondent_scores.respondent_id

),

grouped_scores as (

    select * from placed_scores
    where personalekategori is not null

),

-- over each unit's subtree: all respondents and those without a staff group
unit_totals as (

    {{ subtree_totals(
        'placed_scores',
        keys=['wave', 'competence_area'],
        counts={
            'unit_respondents': 'count(*)',
            'ungrouped_respondents': 'count(*) filter (where personalekategori is null)'
        },
        period_end_date='wave_end_date',
        person='respondent_id'
    ) }}

),

group_scores as (

    {{ maturity_measures('grouped_scores', by=['personalekategori']) }}

),

-- the wave's headcount with each post's staff group, at the post's unit
staff_group_posts as (

    {{ staff_group_posts('waves', 'wave_end_date') }}

),

grouped_posts as (

    select * from staff_group_posts
    where personalekategori is not null

),

group_headcount as (

    {{ subtree_totals(
        'grouped_posts', keys=['personalekategori'], counts={'headcount': 'count(distinct person_key)'}
    ) }}

),

-- the staff groups present in each unit's subtree: employed there, or a grouped respondent there
unit_groups as (

    select kommunekode, period_end_date as wave_end_date, los_id, personalekategori from group_headcount
    union
    select distinct kommunekode, wave_end_date, los_id, personalekategori
    from group_scores

),

final as (

    select
        grid.kommunekode,
        grid.wave,
        grid.los_id,
        grid.competence_area,
        unit_groups.personalekategori,
        coalesce(group_scores.respondents, 0) as respondents,
        coalesce(group_headcount.headcount, 0) as headcount,
        cast(group_scores.mean_score as double precision) as mean_score,
        cast(group_scores.share_basic as double precision) as share_basic,
        cast(group_scores.share_advanced as double precision) as share_advanced,
        coalesce(unit_totals.unit_respondents, 0) as unit_respondents,
        coalesce(unit_totals.ungrouped_respondents, 0) as ungrouped_respondents,
        grid.wave_end_date,
        grid.parent_los_id,
        grid.is_root,
        grid.enhedsnavn,
        grid.enhedstype,
        grid.sektor
    from grid
    inner join unit_groups
        on unit_groups.kommunekode = grid.kommunekode
        and unit_groups.wave_end_date = grid.wave_end_date
        and unit_groups.los_id = grid.los_id
    left join group_scores
        on group_scores.kommunekode = grid.kommunekode
        and group_scores.wave = grid.wave
        and group_scores.los_id = grid.los_id
        and group_scores.competence_area = grid.competence_area
        and group_scores.personalekategori = unit_groups.personalekategori
    left join group_headcount
        on group_headcount.kommunekode = grid.kommunekode
        and group_headcount.period_end_date = grid.wave_end_date
        and group_headcount.los_id = grid.los_id
        and group_headcount.personalekategori = unit_groups.personalekategori
    left join unit_totals
        on unit_totals.kommunekode = grid.kommunekode
        and unit_totals.wave = grid.wave
        and unit_totals.los_id = grid.los_id
        and unit_totals.competence_area = grid.competence_area

)

select * from final
