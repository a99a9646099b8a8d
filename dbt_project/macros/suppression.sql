{#-
    Small cells (docs: README "Small cells and secondary suppression"). No published person-level
    measure may describe a group of fewer than var('min_cell') people, neither a row itself nor
    the difference between a published unit and its published sub-units. Every mart that
    publishes measures per org unit (rolled up over the org tree) hides its rows through
    small_cell_suppression(), and proves the result with the singular test macro
    derivable_small_groups() (tests/assert_no_derivable_small_group_*.sql).
-#}


{#-
    small_cell_suppression: the rows of `relation` with one more column, suppression_reason:
    - 'small_group' (primary): the row's population (`population`: the people the row's
      measures describe, e.g. respondents, headcount) is below var('min_cell'), 0 included;
    - 'secondary': the population is large enough, but publishing the row would let an analyst
      compute the measures of a smaller group by subtracting published rows (see below);
    - null: publish the row.
    The mart nulls its measures where suppression_reason is not null and publishes
    `suppressed = suppression_reason is not null`; population figures stay published.

    `relation` holds one row per org unit (`key`, parent in `parent`, both within the same
    table) for each combination of `tree_by` (the columns naming one org tree, e.g.
    kommunekode, wave) and `split_by` (columns splitting the rows over that tree into separate
    tables, e.g. competence_area). Each unit's population is rolled up over its subtree, so it
    is never smaller than a child's and the small groups are closed downwards.

    Why it is enough: all published measures are sums over the people of a unit's subtree, so
    every derivable group is a sum of "residual" groups, one per published unit: its people
    minus those of its nearest published descendants. Each residual must hold 0 or at least
    min_cell people. With the small groups closed downwards, a published unit's nearest
    published descendants are its published children, so its residual is
    population - sum(published children's population). For each published unit with a residual
    of 1..min_cell-1 one child is hidden as well, the one that adds at least min_cell people to
    the residual at the smallest loss: a child with a residual of its own (hidden alone; its
    residual, itself made safe by the same rule, joins the parent's) and the smallest
    population (ties: the smaller key). Only where every published child has a residual of 0
    (no people of its own, all its children published) is the smallest child hidden with its
    whole subtree. A residual below 0 (a person counted in two sub-units, e.g. with posts in
    both) hides every unit below that unit. Hiding a child changes no other unit's residual, so
    one pass is stable; the root is never hidden unless it is itself a small group.
-#}
{% macro small_cell_suppression(relation, tree_by, population, split_by=[], key='los_id', parent='parent_los_id') %}
    {%- set partition = tree_by + split_by -%}
    {%- set min_cell = var('min_cell') | int -%}

    with recursive

    sc_rows as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            {{ key }} as sc_node,
            {{ parent }} as sc_parent_key,
            coalesce({{ population }}, 0) as sc_population
        from {{ relation }}

    ),

    sc_nodes as (

        select
            node.*,
            -- a parent not in the table (a branch whose parent is not in the period's tree) is no parent
            parent_row.sc_node as sc_parent,
            node.sc_population < {{ min_cell }} as sc_is_small
        from sc_rows as node
        left join sc_rows as parent_row
            on {{ _sc_same(partition, 'parent_row', 'node') }}
            and parent_row.sc_node = node.sc_parent_key

    ),

    sc_published_children as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            sc_parent,
            sum(sc_population) as sc_children_population
        from sc_nodes
        where not sc_is_small and sc_parent is not null
        group by {% for col in partition %}{{ col }}, {% endfor %}sc_parent

    ),

    -- what subtracting its published children from a published unit leaves
    sc_published as (

        select
            unit.*,
            unit.sc_population - coalesce(children.sc_children_population, 0) as sc_residual
        from sc_nodes as unit
        left join sc_published_children as children
            on {{ _sc_same(partition, 'children', 'unit') }}
            and children.sc_parent = unit.sc_node
        where not unit.sc_is_small

    ),

    -- each published unit whose residual is a small group gives up one child
    sc_chosen as (

        select
            {% for col in partition %}child.{{ col }}, {% endfor %}
            child.sc_node,
            child.sc_residual <> 0 as sc_alone
        from sc_published as unit
        inner join sc_published as child
            on {{ _sc_same(partition, 'child', 'unit') }}
            and child.sc_parent = unit.sc_node
        where unit.sc_residual > 0 and unit.sc_residual < {{ min_cell }}
        qualify row_number() over (
            partition by {% for col in partition %}unit.{{ col }}, {% endfor %}unit.sc_node
            order by child.sc_residual = 0, child.sc_population, child.sc_node
        ) = 1

    ),

    -- units hidden with everything below them
    sc_hidden_subtrees as (

        select {% for col in partition %}{{ col }}, {% endfor %}sc_node
        from sc_chosen
        where not sc_alone

        union

        select {% for col in partition %}child.{{ col }}, {% endfor %}child.sc_node
        from sc_published as unit
        inner join sc_nodes as child
            on {{ _sc_same(partition, 'child', 'unit') }}
            and child.sc_parent = unit.sc_node
        where unit.sc_residual < 0

        union

        select {% for col in partition %}child.{{ col }}, {% endfor %}child.sc_node
        from sc_hidden_subtrees as hidden
        inner join sc_nodes as child
            on {{ _sc_same(partition, 'child', 'hidden') }}
            and child.sc_parent = hidden.sc_node

    ),

    sc_secondary as (

        select {% for col in partition %}{{ col }}, {% endfor %}sc_node
        from sc_chosen
        where sc_alone

        union

        select * from sc_hidden_subtrees

    )

    select
        {{ relation }}.*,
        case
            when sc_nodes.sc_is_small then 'small_group'
            when sc_secondary.sc_node is not null then 'secondary'
        end as suppression_reason
    from {{ relation }}
    inner join sc_nodes
        on {{ _sc_same(partition, 'sc_nodes', relation) }}
        and sc_nodes.sc_node = {{ relation }}.{{ key }}
    left join sc_secondary
        on {{ _sc_same(partition, 'sc_secondary', relation) }}
        and sc_secondary.sc_node = {{ relation }}.{{ key }}

{% endmacro %}


{#-
    subset_suppression: small_cell_suppression for a mart whose rows describe a subset of the
    people of another published mart's rows, on the same grid (training_after_maturity: the
    linked respondents of digital_maturity's respondents). Subtracting the subset row from the
    full row gives the rest (e.g. the unlinked respondents), and the rows' residual groups split
    the same way, so the subset mart publishes a row only where no rest group of
    1..min_cell-1 people can be derived:
    - where the full mart hides the row, the subset mart hides it too (so its residual groups
      are unions of the full mart's);
    - a unit whose subtree holds none of the rest is published as the full mart publishes it
      (the subset is then the whole group, the full mart's suppression holds for it);
    - a top unit (the root) whose rest is at least min_cell is published when its own residual
      (its subset minus that of its nearest published units below) is 0 or at least min_cell;
    - every other unit is hidden ('secondary'), or 'small_group' when its subset population is
      below min_cell.
    `relation` holds the columns of small_cell_suppression plus `full_population` (the full
    mart's population of the row) and `full_suppressed` (whether the full mart hides it).
-#}
{% macro subset_suppression(relation, tree_by, population, full_population, full_suppressed, split_by=[], key='los_id', parent='parent_los_id') %}
    {%- set partition = tree_by + split_by -%}
    {%- set min_cell = var('min_cell') | int -%}

    with recursive

    ss_rows as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            {{ key }} as ss_node,
            {{ parent }} as ss_parent_key,
            coalesce({{ population }}, 0) as ss_population,
            coalesce({{ full_population }}, 0) - coalesce({{ population }}, 0) as ss_rest,
            coalesce({{ full_suppressed }}, true) as ss_full_hidden
        from {{ relation }}

    ),

    ss_units as (

        select
            unit.*,
            unit.ss_population < {{ min_cell }} as ss_is_small,
            -- a parent not in the table (a branch whose parent is not in the period's tree) is no parent
            parent_row.ss_node is null as ss_is_top,
            -- (with min_cell 1 or less no group is too small, whatever the rest)
            not unit.ss_full_hidden and unit.ss_population >= {{ min_cell }}
                and (unit.ss_rest = 0 or {{ min_cell }} <= 1) as ss_as_full
        from ss_rows as unit
        left join ss_rows as parent_row
            on {{ _sc_same(partition, 'parent_row', 'unit') }}
            and parent_row.ss_node = unit.ss_parent_key

    ),

    -- from each top unit with a rest of min_cell or more, down to the nearest units published as in the full mart
    ss_walk as (

        select
            {% for col in partition %}child.{{ col }}, {% endfor %}
            top.ss_node as ss_top,
            child.ss_node,
            child.ss_population,
            child.ss_as_full
        from ss_units as top
        inner join ss_units as child
            on {{ _sc_same(partition, 'child', 'top') }}
            and child.ss_parent_key = top.ss_node
        where top.ss_is_top and not top.ss_full_hidden and not top.ss_is_small and top.ss_rest >= {{ min_cell }}

        union all

        select
            {% for col in partition %}child.{{ col }}, {% endfor %}
            walk.ss_top,
            child.ss_node,
            child.ss_population,
            child.ss_as_full
        from ss_walk as walk
        inner join ss_units as child
            on {{ _sc_same(partition, 'child', 'walk') }}
            and child.ss_parent_key = walk.ss_node
        where not walk.ss_as_full

    ),

    ss_published_below_top as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            ss_top,
            sum(ss_population) as ss_below
        from ss_walk
        where ss_as_full
        group by {% for col in partition %}{{ col }}, {% endfor %}ss_top

    ),

    ss_reasons as (

        select
            {% for col in partition %}ss_units.{{ col }}, {% endfor %}
            ss_units.ss_node,
            case
                when ss_units.ss_is_small then 'small_group'
                when ss_units.ss_as_full then null
                when ss_units.ss_is_top and not ss_units.ss_full_hidden and ss_units.ss_rest >= {{ min_cell }}
                    and (
                        ss_units.ss_population - coalesce(below.ss_below, 0) = 0
                        or ss_units.ss_population - coalesce(below.ss_below, 0) >= {{ min_cell }}
                    ) then null
                else 'secondary'
            end as suppression_reason
        from ss_units
        left join ss_published_below_top as below
            on {{ _sc_same(partition, 'below', 'ss_units') }}
            and below.ss_top = ss_units.ss_node

    )

    select
        {{ relation }}.*,
        ss_reasons.suppression_reason
    from {{ relation }}
    inner join ss_reasons
        on {{ _sc_same(partition, 'ss_reasons', relation) }}
        and ss_reasons.ss_node = {{ relation }}.{{ key }}

{% endmacro %}


{#-
    derivable_small_groups: the check of a mart's published rows, as an analyst would attack
    them: for each published row (suppressed = false) of `model`, its population minus the
    populations of its nearest published descendants (found by walking down through hidden
    units, whatever the reason they are hidden). A row is returned when that residual group
    holds 1..min_cell-1 people, or a negative number (people counted twice below it). Arguments
    as small_cell_suppression. Used by the singular tests assert_no_derivable_small_group_*.
-#}
{% macro derivable_small_groups(model, tree_by, population, split_by=[], key='los_id', parent='parent_los_id') %}
    {%- set partition = tree_by + split_by -%}

    with recursive

    units as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            {{ key }} as unit_key,
            {{ parent }} as parent_key,
            coalesce({{ population }}, 0) as population,
            not suppressed as is_published
        from {{ model }}

    ),

    -- from each published unit down through hidden units to the nearest published ones
    walk as (

        select
            {% for col in partition %}child.{{ col }}, {% endfor %}
            unit.unit_key as top_key,
            child.unit_key,
            child.population,
            child.is_published
        from units as unit
        inner join units as child
            on {{ _sc_same(partition, 'child', 'unit') }}
            and child.parent_key = unit.unit_key
        where unit.is_published

        union all

        select
            {% for col in partition %}child.{{ col }}, {% endfor %}
            walk.top_key,
            child.unit_key,
            child.population,
            child.is_published
        from walk
        inner join units as child
            on {{ _sc_same(partition, 'child', 'walk') }}
            and child.parent_key = walk.unit_key
        where not walk.is_published

    ),

    reached as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            top_key,
            sum(population) as published_below
        from walk
        where is_published
        group by {% for col in partition %}{{ col }}, {% endfor %}top_key

    ),

    residuals as (

        select
            {% for col in partition %}unit.{{ col }}, {% endfor %}
            unit.unit_key,
            unit.population,
            unit.population - coalesce(reached.published_below, 0) as residual
        from units as unit
        left join reached
            on {{ _sc_same(partition, 'reached', 'unit') }}
            and reached.top_key = unit.unit_key
        where unit.is_published

    )

    select *
    from residuals
    where residual <> 0 and residual < {{ var('min_cell') | int }}

{% endmacro %}


{#- the columns `columns` of `left` and `right` are equal -#}
{% macro _sc_same(columns, left, right) -%}
    {% for col in columns %}{{ left }}.{{ col }} = {{ right }}.{{ col }}{{ " and " if not loop.last }}{% endfor %}
{%- endmacro %}


{#-
    org_unit_columns: the descriptive columns of the org unit a mart row is about, in the order
    the marts publish them (after the measures).
-#}
{% macro org_unit_columns() -%}
    enhedsnavn,
    enhedstype,
    sektor,
    parent_los_id,
    is_root
{%- endmacro %}
