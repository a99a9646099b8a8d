{#-
    org_closure: ancestor × descendant pairs of each period's org tree, self pairs included
    (depth 0), so that "unit X rolled up" = every row whose unit is a descendant of X.
    tree: a relation or CTE with kommunekode, the period column, los_id and parent_los_id.
    period: the column naming the tree's period (period_end_date, month).
    The recursion sits in a subquery so that dbt unit tests can inject their fixtures into the
    calling model's outer (non-recursive) WITH.
-#}
{% macro org_closure(tree, period) %}

    select * from (

        with recursive walk (kommunekode, {{ period }}, ancestor_los_id, descendant_los_id, depth) as (

            select
                kommunekode,
                {{ period }},
                los_id as ancestor_los_id,
                los_id as descendant_los_id,
                0 as depth
            from {{ tree }}

            union all

            select
                walk.kommunekode,
                walk.{{ period }},
                walk.ancestor_los_id,
                child.los_id as descendant_los_id,
                walk.depth + 1 as depth
            from walk
            inner join {{ tree }} as child
                on child.kommunekode = walk.kommunekode
                and child.{{ period }} = walk.{{ period }}
                and child.parent_los_id = walk.descendant_los_id
            -- cycles are quarantined at ingestion; this only bounds a broken tree
            where walk.depth < 50

        )

        select * from walk

    ) as walked

{% endmacro %}
