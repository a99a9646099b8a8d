{#-
    training_uptake before suppression: one row per completion month × unit of that month's
    org tree × area ('1'..'5', 'all'), every unit rolled up over its descendants (the org
    closure of the month's last day).
    - completions, people_trained, training_hours: the distinct completions placed in the
      unit's subtree (a person with posts in two units counts once in a common ancestor);
      a course not in the catalogue counts in 'all' only;
    - headcount, fte: int_hr__headcount_per_period of the month's last day;
    - people_trained_12m: people in the unit's headcount with a completion (in a course of
      the area, or any for 'all') in the 12 months ending with this month, wherever they sat
      when they trained.
-#}

{#- in batches of municipalities (macros/kommune_batched.sql): each month's headcount is placed at every unit
    above each post, which for twelve months of the nation outgrew a 1.5 GB memory limit at once -#}
{{ config(materialized='kommune_batched', batch_rows_from='int_hr__headcount_per_period') }}

with

months as (

    select * from {{ batched(ref('int_training__months')) }}

),

tree as (

    select * from {{ batched(ref('int_org__tree_per_period')) }}

),

closure as (

    select * from {{ batched(ref('int_org__closure')) }}

),

headcount as (

    select * from {{ batched(ref('int_hr__headcount_per_period')) }}

),

placed as (

    select * from {{ batched(ref('int_training__placed_completions')) }}

),

completions as (

    select * from {{ batched(ref('int_training__completions')) }}

),

-- every unit of the month's tree × every area, also where nothing happened, with its headcount
grid as (

    {{ unit_grid('months', 'period_end_date', with_headcount=true) }}

),

-- each placed completion in its course's area and in 'all'
placed_by_area as (

    {{ in_area_and_all('placed', ['kommunekode', 'period_end_date', 'los_id', 'person_key', 'course_id', 'hours']) }}

),

-- over each unit's subtree; a completion placed at a person's two units counts once above both
rolled_training as (

    {{ subtree_totals(
        'placed_by_area',
        keys=['competence_area'],
        counts={'completions': 'count(*)', 'people_trained': 'count(distinct person_key)'},
        sums={'training_hours': 'hours'},
        distinct_rows=true
    ) }}

),

-- completions in the 12 months ending with the reported month
completions_12m as (

    {{ completions_12m('months', 'completions', ['person_key', 'competence_area']) }}

),

-- people with a completion in the 12 months ending with the reported month, per area
trained_12m as (

    {{ in_area_and_all('completions_12m', ['kommunekode', 'period_end_date', 'person_key'], distinct=true) }}

),

-- the trained people of the month's headcount, at their units
trained_12m_in_headcount as (

    select
        trained_12m.*,
        headcount.los_id
    from trained_12m
    inner join headcount
        on headcount.kommunekode = trained_12m.kommunekode
        and headcount.period_end_date = trained_12m.period_end_date
        and headcount.person_key = trained_12m.person_key

),

rolled_coverage as (

    {{ subtree_totals(
        'trained_12m_in_headcount',
        keys=['competence_area'],
        counts={'people_trained_12m': 'count(distinct person_key)'}
    ) }}

),

final as (

    select
        grid.kommunekode,
        grid.completion_month as month,
        grid.los_id,
        grid.competence_area,
        grid.headcount,
        cast(grid.fte as double precision) as fte,
        coalesce(rolled_training.completions, 0) as completions,
        coalesce(rolled_training.people_trained, 0) as people_trained,
        cast(coalesce(rolled_training.training_hours, 0) as double precision) as training_hours,
        cast(coalesce(rolled_training.training_hours, 0) as double precision)
            / nullif(grid.fte, 0) as hours_per_fte,
        coalesce(rolled_coverage.people_trained_12m, 0) as people_trained_12m,
        cast(coalesce(rolled_coverage.people_trained_12m, 0) as double precision)
            / nullif(grid.headcount, 0) as coverage_12m,
        grid.period_end_date as month_end_date,
        grid.parent_los_id,
        grid.is_root,
        grid.enhedsnavn,
        grid.enhedstype,
        grid.sektor,
        grid.org_snapshot_month,
        grid.hr_snapshot_month
    from grid
    left join rolled_training
        on rolled_training.kommunekode = grid.kommunekode
        and rolled_training.period_end_date = grid.period_end_date
        and rolled_training.los_id = grid.los_id
        and rolled_training.competence_area = grid.competence_area
    left join rolled_coverage
        on rolled_coverage.kommunekode = grid.kommunekode
        and rolled_coverage.period_end_date = grid.period_end_date
        and rolled_coverage.los_id = grid.los_id
        and rolled_coverage.competence_area = grid.competence_area

)

select * from final
