{#-
    training_uptake_by_staff_group before suppression: for every completion month × unit of the
    month's org tree × staff group (personalekategori) with employees in the unit's subtree, the
    group's headcount and the people of it with a completion (any course) in the 12 months ending
    with the month, rolled up over the tree as in training_uptake (competence area 'all'); beside
    the unit's headcount of every group and of none (unit_headcount, ungrouped_headcount) that
    the mart's suppression needs. A person is in the group of their post in the HR extract in
    use; one with posts in two groups counts in both, and in the unit once.
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

employee_snapshots as (

    select * from {{ batched(ref('int_hr__employee_snapshots')) }}

),

completions as (

    select * from {{ batched(ref('int_training__completions')) }}

),

grid as (

    {{ unit_grid('months', 'period_end_date') }}

),

-- the month's headcount with each post's staff group, at the post's unit
staff_group_posts as (

    {{ staff_group_posts('months', 'period_end_date') }}

),

-- people with a completion of any course in the 12 months ending with the month
trained_12m as (

    select distinct kommunekode, period_end_date, person_key
    from ({{ completions_12m('months', 'completions', ['person_key']) }}) as completions_in_window

),

people as (

    select
        staff_group_posts.*,
        trained_12m.person_key is not null as is_trained_12m
    from staff_group_posts
    left join trained_12m
        on trained_12m.kommunekode = staff_group_posts.kommunekode
        and trained_12m.period_end_date = staff_group_posts.period_end_date
        and trained_12m.person_key = staff_group_posts.person_key

),

grouped_people as (

    select * from people
    where personalekategori is not null

),

group_uptake as (

    {{ subtree_totals(
        'grouped_people',
        keys=['personalekategori'],
        counts={
            'headcount': 'count(distinct person_key)',
            'people_trained_12m': 'count(distinct person_key) filter (where is_trained_12m)'
        }
    ) }}

),

unit_headcount as (

    {{ subtree_totals(
        'people',
        counts={
            'unit_headcount': 'count(distinct person_key)',
            'ungrouped_headcount': 'count(distinct person_key) filter (where personalekategori is null)'
        }
    ) }}

),

final as (

    select
        grid.kommunekode,
        grid.completion_month as month,
        grid.los_id,
        group_uptake.personalekategori,
        group_uptake.headcount,
        group_uptake.people_trained_12m,
        cast(group_uptake.people_trained_12m as double precision)
            / nullif(group_uptake.headcount, 0) as coverage_12m,
        unit_headcount.unit_headcount,
        unit_headcount.ungrouped_headcount,
        grid.period_end_date as month_end_date,
        grid.parent_los_id,
        grid.is_root,
        grid.enhedsnavn,
        grid.enhedstype,
        grid.sektor
    from grid
    inner join group_uptake
        on group_uptake.kommunekode = grid.kommunekode
        and group_uptake.period_end_date = grid.period_end_date
        and group_uptake.los_id = grid.los_id
    inner join unit_headcount
        on unit_headcount.kommunekode = grid.kommunekode
        and unit_headcount.period_end_date = grid.period_end_date
        and unit_headcount.los_id = grid.los_id
    where grid.competence_area = 'all'

)

select * from final
