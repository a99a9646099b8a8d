{#-
    Ancestor × descendant pairs of each period's org tree, self pairs included (depth 0),
    so that "unit X rolled up" = every row whose unit is a descendant of X (macro org_closure).
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

    {{ org_closure('tree', 'period_end_date') }}

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from closure
order by kommunekode
