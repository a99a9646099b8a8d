{#-
    Data quality of the HR extracts, per municipality × extract month: the employees an extract
    lists as employed at the month's end whose los_id is not a unit of the org tree of that month
    (the month's org extract, else the newest earlier one; every post when there is none). Such a
    post is in no unit's headcount, fte or response rate. Counts of posts (person × unit), never
    people's data; not suppressed.
-#}

with

headcount as (

    select * from {{ scoped(ref('int_hr__headcount_per_period')) }}

),

tree as (

    select * from {{ scoped(ref('int_org__tree_per_period')) }}

),

-- the month-end of every HR extract, judged with that very extract
extract_month_ends as (

    select distinct
        kommunekode,
        snapshot_month,
        cast({{ dbt.last_day('snapshot_month', 'month') }} as date) as period_end_date
    from {{ scoped(ref('stg_hr__employees')) }}

),

posts as (

    select
        headcount.kommunekode,
        extract_month_ends.snapshot_month,
        tree.los_id is null as is_at_unknown_unit
    from headcount
    inner join extract_month_ends
        on extract_month_ends.kommunekode = headcount.kommunekode
        and extract_month_ends.period_end_date = headcount.period_end_date
        and extract_month_ends.snapshot_month = headcount.hr_snapshot_month
    left join tree
        on tree.kommunekode = headcount.kommunekode
        and tree.period_end_date = headcount.period_end_date
        and tree.los_id = headcount.los_id

),

final as (

    select
        extract_month_ends.kommunekode,
        extract_month_ends.snapshot_month,
        count(posts.kommunekode) as posts,
        cast(coalesce(sum(case when posts.is_at_unknown_unit then 1 else 0 end), 0) as bigint) as posts_at_unknown_unit
    from extract_month_ends
    left join posts
        on posts.kommunekode = extract_month_ends.kommunekode
        and posts.snapshot_month = extract_month_ends.snapshot_month
    group by extract_month_ends.kommunekode, extract_month_ends.snapshot_month

)

select * from final
