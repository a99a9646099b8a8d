{#-
    Ancestor × descendant pairs of each period's org tree, self pairs included (depth 0),
    so that "unit X rolled up" = every row whose unit is a descendant of X.
    The recursion sits in a subquery so that dbt unit tests can inject their fixtures into
    the outer (non-recursive) WITH.
-#}

with

tree as (

    select
        kommunekode,
        period_end_date,
        los_id,
        parent_los_id
    from {{ scoped(ref('int_org__tree_per_period')) }}

),

closure as (

    select * from (

        with recursive walk (kommunekode, period_end_date, ancestor_los_id, descendant_los_id, depth) as (

            select
                kommunekode,
                period_end_date,
                los_id as ancestor_los_id,
                los_id as descendant_los_id,
                0 as depth
            from tree

            union all

            select
                walk.kommunekode,
                walk.period_end_date,
                walk.ancestor_los_id,
                child.los_id as descendant_los_id,
                walk.depth + 1 as depth
            from walk
            inner join tree as child
                on child.kommunekode = walk.kommunekode
                and child.period_end_date = walk.period_end_date
                and child.parent_los_id = walk.descendant_los_id
            -- the contract forbids cycles (quarantined); this only bounds a broken tree
            where walk.depth < 50

        )

        select * from walk

    ) as walked

)

select * from closure
