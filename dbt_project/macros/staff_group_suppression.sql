{#-
    staff_group_suppression: the small-cell suppression of a staff-group mart (a per-unit mart split
    by personalekategori: digital_maturity_by_staff_group, training_uptake_by_staff_group), whose
    unit totals another mart publishes (digital_maturity, training_uptake). Returns the rows of
    `rollup` with one more column, suppression_reason ('small_group', 'secondary' or null), as
    small_cell_suppression does.

    `rollup`: one row per `tree_by` (one org tree) × `split_by` × los_id × personalekategori, with
    parent_los_id, `population` (the group's people the measures describe, rolled up over the
    tree) and `unit_population` (the unit's people of every group and of none: the total's
    population). `totals`: the published unit totals: `tree_by` × `split_by` × los_id with
    parent_los_id, `population` and suppressed. The totals are never changed here.

    In three steps (docs/privacy.md):
    1. over the org tree, each staff group as a table of its own (small_cell_suppression): a group
       below var('min_cell') is hidden ('small_group'), and so is what would let a smaller group be
       derived by subtracting a unit's published sub-units from it ('secondary');
    2. within each unit: the total minus the published groups leaves the ungrouped people and the
       hidden groups, which must be 0 or at least min_cell: each unit is a small tree of its own
       (the total above its groups, those hidden in step 1 counting as hidden) and the same
       mechanism hides one more group where needed;
    3. both ways at once (two_way_suppression).
-#}
{% macro staff_group_suppression(rollup, totals, tree_by, population, unit_population, split_by=[]) %}
    {%- set partition = tree_by + split_by -%}

    with

    -- 1. over the org tree, per staff group
    sg_across_units as (

        {{ small_cell_suppression(rollup, tree_by, population, split_by=split_by + ['personalekategori']) }}

    ),

    -- 2. within each unit: the total above its groups; a group hidden in step 1 adds its people to
    -- the residual, as if it had none of its own to publish
    sg_unit_trees as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}los_id,
            personalekategori as group_key,
            '' as parent_group_key,
            case when suppression_reason is null then {{ population }} else 0 end as published_population
        from sg_across_units

        union all

        select distinct
            {% for col in partition %}{{ col }}, {% endfor %}los_id,
            '' as group_key,
            null as parent_group_key,
            {{ unit_population }} as published_population
        from sg_across_units

    ),

    sg_within_unit as (

        {{ small_cell_suppression(
            'sg_unit_trees', partition + ['los_id'], 'published_population',
            key='group_key', parent='parent_group_key'
        ) }}

    ),

    sg_one_way as (

        select
            {% for col in partition %}across.{{ col }}, {% endfor %}
            across.los_id,
            across.personalekategori,
            across.{{ population }},
            case
                when across.suppression_reason is not null then across.suppression_reason
                when unit_tree.suppression_reason = 'secondary' then 'secondary'
            end as suppression_reason
        from sg_across_units as across
        inner join sg_within_unit as unit_tree
            on {{ _sc_same(partition + ['los_id'], 'unit_tree', 'across') }}
            and unit_tree.group_key = across.personalekategori

    ),

    -- 3. both ways: the published totals and the groups as steps 1 and 2 leave them
    sg_two_way as (

        {{ two_way_suppression('sg_one_way', totals, partition=partition, population=population) }}

    )

    select
        {{ rollup }}.*,
        sg_two_way.suppression_reason
    from {{ rollup }}
    inner join sg_two_way
        on {{ _sc_same(partition + ['los_id', 'personalekategori'], 'sg_two_way', rollup) }}

{% endmacro %}


{#-
    staff_group_residuals: the check of the step within each unit (singular tests): each published
    unit total of `totals` minus its published staff groups in `groups` (joined on `keys`), where
    that leaves 1..min_cell-1 people of `population`.
-#}
{% macro staff_group_residuals(totals, groups, keys, population) %}

    select
        {% for key in keys %}total.{{ key }}, {% endfor %}
        total.{{ population }} - coalesce(sum(grp.{{ population }}) filter (where not grp.suppressed), 0) as residual
    from {{ totals }} as total
    left join {{ groups }} as grp
        on {{ _sc_same(keys, 'grp', 'total') }}
    where not total.suppressed
    group by {% for key in keys %}total.{{ key }}, {% endfor %}total.{{ population }}
    having residual between 1 and {{ var('min_cell') | int }} - 1

{% endmacro %}
