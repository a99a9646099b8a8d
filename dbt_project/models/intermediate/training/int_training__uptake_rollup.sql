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

with

months as (

    select * from {{ scoped(ref('int_training__months')) }}

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

placed as (

    select * from {{ scoped(ref('int_training__placed_completions')) }}

),

completions as (

    select * from {{ scoped(ref('int_training__completions')) }}

),

competence_areas as (

    {% for area in ['1', '2', '3', '4', '5', 'all'] -%}
    select '{{ area }}' as competence_area
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- every unit of the month's tree × every area, also where nothing happened
grid as (

    select
        months.kommunekode,
        months.completion_month,
        months.period_end_date,
        tree.org_snapshot_month,
        tree.los_id,
        tree.parent_los_id,
        tree.is_root,
        tree.enhedsnavn,
        tree.enhedstype,
        tree.sektor,
        competence_areas.competence_area
    from months
    inner join tree
        on tree.kommunekode = months.kommunekode
        and tree.period_end_date = months.period_end_date
    cross join competence_areas

),

-- each placed completion in its course's area and in 'all'
placed_by_area as (

    select kommunekode, period_end_date, los_id, person_key, course_id, hours, competence_area
    from placed
    where competence_area is not null

    union all

    select kommunekode, period_end_date, los_id, person_key, course_id, hours, 'all' as competence_area
    from placed

),

-- once per ancestor: a person placed in two units of one subtree counts once there
completions_in_subtree as (

    select distinct
        closure.kommunekode,
        closure.period_end_date,
        closure.ancestor_los_id as los_id,
        placed_by_area.competence_area,
        placed_by_area.person_key,
        placed_by_area.course_id,
        placed_by_area.hours
    from placed_by_area
    inner join closure
        on closure.kommunekode = placed_by_area.kommunekode
        and closure.period_end_date = placed_by_area.period_end_date
        and closure.descendant_los_id = placed_by_area.los_id

),

rolled_training as (

    select
        kommunekode,
        period_end_date,
        los_id,
        competence_area,
        count(*) as completions,
        count(distinct person_key) as people_trained,
        sum(hours) as training_hours
    from completions_in_subtree
    group by kommunekode, period_end_date, los_id, competence_area

),

rolled_headcount as (

    select
        closure.kommunekode,
        closure.period_end_date,
        closure.ancestor_los_id as los_id,
        count(distinct headcount.person_key) as headcount,
        sum(headcount.fte) as fte
    from headcount
    inner join months
        on months.kommunekode = headcount.kommunekode
        and months.period_end_date = headcount.period_end_date
    inner join closure
        on closure.kommunekode = headcount.kommunekode
        and closure.period_end_date = headcount.period_end_date
        and closure.descendant_los_id = headcount.los_id
    group by closure.kommunekode, closure.period_end_date, closure.ancestor_los_id

),

hr_snapshot_used as (

    select
        kommunekode,
        period_end_date,
        max(hr_snapshot_month) as hr_snapshot_month
    from headcount
    group by kommunekode, period_end_date

),

-- people with a completion in the 12 months ending with the reported month, per area
trained_12m as (

    select distinct
        months.kommunekode,
        months.period_end_date,
        completions.person_key,
        completions.competence_area
    from months
    inner join completions
        on completions.kommunekode = months.kommunekode
        and completions.completion_month <= months.completion_month
        and completions.completion_month > cast({{ dbt.dateadd('month', -12, 'months.completion_month') }} as date)
    where completions.competence_area is not null

    union

    select distinct
        months.kommunekode,
        months.period_end_date,
        completions.person_key,
        'all' as competence_area
    from months
    inner join completions
        on completions.kommunekode = months.kommunekode
        and completions.completion_month <= months.completion_month
        and completions.completion_month > cast({{ dbt.dateadd('month', -12, 'months.completion_month') }} as date)

),

rolled_coverage as (

    select
        closure.kommunekode,
        closure.period_end_date,
        closure.ancestor_los_id as los_id,
        trained_12m.competence_area,
        count(distinct trained_12m.person_key) as people_trained_12m
    from trained_12m
    inner join headcount
        on headcount.kommunekode = trained_12m.kommunekode
        and headcount.period_end_date = trained_12m.period_end_date
        and headcount.person_key = trained_12m.person_key
    inner join closure
        on closure.kommunekode = headcount.kommunekode
        and closure.period_end_date = headcount.period_end_date
        and closure.descendant_los_id = headcount.los_id
    group by closure.kommunekode, closure.period_end_date, closure.ancestor_los_id, trained_12m.competence_area

),

final as (

    select
        grid.kommunekode,
        grid.completion_month as month,
        grid.los_id,
        grid.competence_area,
        coalesce(rolled_headcount.headcount, 0) as headcount,
        cast(coalesce(rolled_headcount.fte, 0) as double precision) as fte,
        coalesce(rolled_training.completions, 0) as completions,
        coalesce(rolled_training.people_trained, 0) as people_trained,
        cast(coalesce(rolled_training.training_hours, 0) as double precision) as training_hours,
        cast(coalesce(rolled_training.training_hours, 0) as double precision)
            / nullif(coalesce(rolled_headcount.fte, 0), 0) as hours_per_fte,
        coalesce(rolled_coverage.people_trained_12m, 0) as people_trained_12m,
        cast(coalesce(rolled_coverage.people_trained_12m, 0) as double precision)
            / nullif(coalesce(rolled_headcount.headcount, 0), 0) as coverage_12m,
        grid.period_end_date as month_end_date,
        grid.parent_los_id,
        grid.is_root,
        grid.enhedsnavn,
        grid.enhedstype,
        grid.sektor,
        grid.org_snapshot_month,
        hr_snapshot_used.hr_snapshot_month
    from grid
    left join rolled_training
        on rolled_training.kommunekode = grid.kommunekode
        and rolled_training.period_end_date = grid.period_end_date
        and rolled_training.los_id = grid.los_id
        and rolled_training.competence_area = grid.competence_area
    left join rolled_headcount
        on rolled_headcount.kommunekode = grid.kommunekode
        and rolled_headcount.period_end_date = grid.period_end_date
        and rolled_headcount.los_id = grid.los_id
    left join rolled_coverage
        on rolled_coverage.kommunekode = grid.kommunekode
        and rolled_coverage.period_end_date = grid.period_end_date
        and rolled_coverage.los_id = grid.los_id
        and rolled_coverage.competence_area = grid.competence_area
    left join hr_snapshot_used
        on hr_snapshot_used.kommunekode = grid.kommunekode
        and hr_snapshot_used.period_end_date = grid.period_end_date

)

select * from final
