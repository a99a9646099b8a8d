{#-
    two_way_suppression: the last step of a staff-group mart's small-cell suppression
    (macros/staff_group_suppression.sql; docs/privacy.md "Staff groups"). The staff-group rows and
    the unit totals of another mart (digital_maturity, training_uptake) form a two-way table, org
    tree × staff group. Each way alone is protected by small_cell_suppression; this step hides
    further group rows, one smallest complement at a time, only where a group of 1..min_cell-1
    people could otherwise be derived by differencing along both ways at once, e.g.
    (unit total − its published groups) − (sub-unit total − its published groups).

    What an analyst knows. Every row's population (respondents, headcount) is published, also
    where the measures are hidden, so every count below is known; the measures (sums of scores,
    people trained) are known for the published rows only. Take per unit u and column s (the
    total '*', each staff group, and '~' for the people in none) two quantities: F(u, s), the
    figure rolled up over u's subtree, and x(u, s), u's own people (its subtree minus its
    children's). Three kinds of relations tie them together:
      tree(u, s):  F(u, s) = sum of F(c, s) over u's children c  +  x(u, s)
      split(u):    F(u, '*') = sum of F(u, g) over the groups g  +  F(u, '~')
      own(u):      x(u, '*') = sum of x(u, g) over the groups g  +  x(u, '~')
    Known are the published totals and group rows, and every quantity of 0 people. Differencing is
    then: a relation with one unknown member gives it away; repeated until nothing new is learnt
    (the closure). Two things must not happen after the closure:
    - a learnt quantity with 1..min_cell-1 people (a small group derived outright);
    - a relation whose whole is known and whose unknown parts hold 1..min_cell-1 people together
      (their sum is derived: the classic residual, e.g. a total minus its published groups).
    Nor may a region (the people of a published total minus its nearest published totals below)
    minus the blocks of the published group rows lying wholly in it (a block: the group's people a
    published row covers and no published row below it) leave 1..min_cell-1 people: that sums
    several relations of the region at once, which the closure, one relation at a time, does not.
    Where one of these happens, one more group row is hidden ('secondary'), its smallest
    complement: for a relation, its own published group row with the fewest people (ties:
    los_id, personalekategori), else one of its unit's, else one of a group it learnt, else the
    partition's smallest; for a region, the smallest published row with a block in it. Then the
    closure is taken again, until nothing is given away. The totals are never hidden here. A
    partition whose closure has not settled after `rounds` steps, or that still gives something
    away after `steps` rounds, has every group row hidden (then only the totals are published,
    whose own suppression holds). tests/test_small_cells.py attacks the result with every sum and
    difference of the published figures (linear algebra over the base cells): the rule is made
    for differencing, and that test is what shows it holds against any combination (every atom
    and pair of atoms checked on a generated municipality), not a proof.

    Where it is computed: the hiding round after round needs the whole state of the previous
    round, which SQL could only express as a recursive CTE (it cannot spill, and held 4 GB for 98
    municipalities). It is computed in Python instead: pipelines/privacy/two_way.py, the function
    digilead_two_way_hidden that the dbt-duckdb plugin pipelines/transform/duckdb_functions.py
    registers on dbt's connection (profiles.yml, `plugins:`). Here each partition's group rows and
    unit totals become two lists, one call per partition returns the rows to hide. The closure
    there is the same synchronous steps as below (a relation with one unknown member gives it
    away, all relations at once), `rounds` of them at most: a partition whose closure has not
    settled by then is given up, as before, so the results are those of the earlier recursive
    CTE. The closure in SQL below (`audit_only`, unrolled by Jinja) is what checks the published
    result: written independently of the Python, computed in batches of municipalities by the models
    int_privacy__staff_group_disclosures and int_privacy__training_staff_group_disclosures, on
    which the singular tests fail.

    Arguments: `groups`: `partition` × los_id × personalekategori with `population` (rolled up)
    and suppression_reason (null: published so far). `totals`: `partition` × los_id with
    parent_los_id, `population` (rolled up) and suppressed. Returns `groups`' keys with the final
    suppression_reason. `rounds`: the most closure steps; `steps`: the most rounds of hiding. With
    audit_only: the relations that give a small group away as `groups` is published (the
    int_privacy models above), instead.
-#}
{% macro two_way_suppression(groups, totals, partition, population, rounds=10, steps=40, audit_only=false) %}
    {%- set min_cell = var('min_cell') | int -%}

    {#- the audit checks each distinct partition once (tw_representatives): its inputs are named _all -#}
    {%- set all_rows = "_all" if audit_only else "" -%}

    with{{ " recursive" if audit_only }}

    tw_totals{{ all_rows }} as materialized (

        select
            {% for col in partition %}unit.{{ col }}, {% endfor %}
            unit.los_id,
            parent.los_id as parent,  -- a parent not in the table (a branch outside the tree) is no parent
            coalesce(unit.{{ population }}, 0) as people,
            not coalesce(unit.suppressed, true) as is_published
        from {{ totals }} as unit
        left join {{ totals }} as parent
            on {{ _sc_same(partition, 'parent', 'unit') }}
            and parent.los_id = unit.parent_los_id

    ),

    tw_groups{{ all_rows }} as materialized (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            los_id,
            personalekategori as col,
            coalesce({{ population }}, 0) as people,
            suppression_reason
        from {{ groups }}

    ),

    -- each partition's group rows and unit totals as lists, in a fixed order: the hiding in Python takes
    -- them, and partitions with the same lists (often a municipality's competence areas) are computed,
    -- or checked, once
    tw_partition_groups as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            list({
                'los_id': cast(los_id as varchar),
                'personalekategori': col,
                'people': cast(people as bigint),
                'is_hidden': suppression_reason is not null
            } order by los_id, col) as group_rows
        from tw_groups{{ all_rows }}
        group by {% for col in partition %}{{ col }}{{ ", " if not loop.last }}{% endfor %}

    ),

    tw_partition_totals as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            list({
                'los_id': cast(los_id as varchar),
                'parent_los_id': cast(parent as varchar),
                'people': cast(people as bigint),
                'is_published': is_published
            } order by los_id) as unit_totals
        from tw_totals{{ all_rows }}
        group by {% for col in partition %}{{ col }}{{ ", " if not loop.last }}{% endfor %}

    ),

    {% if audit_only %}
    -- Partitions with the same rows (a municipality's competence areas, when everyone answered every
    -- area) give the same things away: each set of rows is checked once, on the first partition that
    -- has it, and what that gives away is reported for every partition with it. The rows themselves
    -- are compared, not a hash of them, so two different partitions are never taken for one. Each
    -- partition beside the first partition with the same rows (its representative):
    tw_representatives as materialized (

        select
            {% for col in partition %}grp.{{ col }}, {% endfor %}
            {% for col in partition -%}
            first_value(grp.{{ col }}) over same_rows as representative_{{ col }}{{ "," if not loop.last }}
            {% endfor %}
        from tw_partition_groups as grp
        left join tw_partition_totals as unit
            on {{ _sc_same(partition, 'unit', 'grp') }}
        window same_rows as (
            partition by grp.group_rows, unit.unit_totals
            order by {% for col in partition %}grp.{{ col }}{{ ", " if not loop.last }}{% endfor %}
        )

    ),

    tw_checked_partitions as (

        select {% for col in partition %}{{ col }}{{ ", " if not loop.last }}{% endfor %}
        from tw_representatives
        where {% for col in partition %}{{ col }} = representative_{{ col }}{{ " and " if not loop.last }}{% endfor %}

    ),

    tw_totals as materialized (

        select tot.*
        from tw_totals_all as tot
        inner join tw_checked_partitions as checked
            on {{ _sc_same(partition, 'checked', 'tot') }}

    ),

    tw_groups as materialized (

        select grp.*
        from tw_groups_all as grp
        inner join tw_checked_partitions as checked
            on {{ _sc_same(partition, 'checked', 'grp') }}

    ),

    -- F(u, s): the rolled-up figures of every column
    tw_figures as materialized (

        select {% for col in partition %}{{ col }}, {% endfor %}los_id, '*' as col, people, is_published
        from tw_totals

        union all

        select {% for col in partition %}{{ col }}, {% endfor %}los_id, col, people, false
        from tw_groups

        union all

        select
            {% for col in partition %}unit.{{ col }}, {% endfor %}
            unit.los_id,
            '~' as col,
            unit.people - coalesce(sum(grp.people), 0) as people,
            false as is_published
        from tw_totals as unit
        left join tw_groups as grp
            on {{ _sc_same(partition, 'grp', 'unit') }}
            and grp.los_id = unit.los_id
        group by {% for col in partition %}unit.{{ col }}, {% endfor %}unit.los_id, unit.people

    ),

    -- each figure beside its children's figures of the same column
    tw_child_figures as materialized (

        select
            {% for col in partition %}fig.{{ col }}, {% endfor %}
            fig.los_id,
            fig.col,
            child.los_id as child_los_id,
            child.people as child_people
        from tw_figures as fig
        inner join tw_totals as child_unit
            on {{ _sc_same(partition, 'child_unit', 'fig') }}
            and child_unit.parent = fig.los_id
        inner join tw_figures as child
            on {{ _sc_same(partition, 'child', 'fig') }}
            and child.los_id = child_unit.los_id
            and child.col = fig.col

    ),

    -- every quantity with its people: F as above, x(u, s) = F(u, s) - its children's
    tw_quantities as materialized (

        select {% for col in partition %}{{ col }}, {% endfor %}'F' as kind, los_id, col, people
        from tw_figures

        union all

        select
            {% for col in partition %}fig.{{ col }}, {% endfor %}
            'x' as kind,
            fig.los_id,
            fig.col,
            fig.people - coalesce(sum(child.child_people), 0) as people
        from tw_figures as fig
        left join tw_child_figures as child
            on {{ _sc_same(partition + ['los_id', 'col'], 'child', 'fig') }}
        group by {% for col in partition %}fig.{{ col }}, {% endfor %}fig.los_id, fig.col, fig.people

    ),

    -- the relations' members: a relation is (relation, unit, column); is_whole marks its left side
    tw_members as materialized (

        -- tree(u, s): F(u, s), the children's F(c, s), x(u, s)
        select {% for col in partition %}{{ col }}, {% endfor %}'tree' as relation, los_id as rel_unit, col as rel_col,
            'F' as kind, los_id, col, true as is_whole
        from tw_figures

        union all

        select {% for col in partition %}{{ col }}, {% endfor %}'tree', los_id, col, 'F', child_los_id, col, false
        from tw_child_figures

        union all

        select {% for col in partition %}{{ col }}, {% endfor %}'tree', los_id, col, 'x', los_id, col, false
        from tw_figures

        union all

        -- split(u) and own(u): the total's quantity over its columns'
        select {% for col in partition %}{{ col }}, {% endfor %}relation, los_id, '', kind, los_id, col, col = '*'
        from tw_quantities
        cross join (select 'split' as relation, 'F' as rel_kind union all select 'own', 'x') as relations  -- noqa: ST05
        where tw_quantities.kind = relations.rel_kind

    ),

    -- every unit with itself and each unit above it, and how far up
    tw_ancestors as (

        select {% for col in partition %}{{ col }}, {% endfor %}los_id, los_id as ancestor, 0 as depth
        from tw_totals

        union all

        select {% for col in partition %}below.{{ col }}, {% endfor %}below.los_id, step.parent, below.depth + 1
        from tw_ancestors as below
        inner join tw_totals as step
            on {{ _sc_same(partition, 'step', 'below') }}
            and step.los_id = below.ancestor
        where step.parent is not null

    ),

    tw_closure as materialized (

        select * from tw_ancestors

    ),

    -- a unit's region: its nearest published total (itself or above); fixed, as the totals are
    tw_unit_regions as materialized (

        select {% for col in partition %}closure.{{ col }}, {% endfor %}closure.los_id, closure.ancestor as region
        from tw_closure as closure
        inner join tw_totals as total
            on {{ _sc_same(partition, 'total', 'closure') }}
            and total.los_id = closure.ancestor
        where total.is_published
        qualify row_number() over (
            partition by {% for col in partition %}closure.{{ col }}, {% endfor %}closure.los_id order by closure.depth
        ) = 1

    ),

    -- the people of each region: what its total minus its nearest published totals below gives
    tw_region_people as materialized (

        select {% for col in partition %}region.{{ col }}, {% endfor %}region.region, sum(own.people) as people
        from tw_unit_regions as region
        inner join tw_quantities as own
            on {{ _sc_same(partition, 'own', 'region') }}
            and own.kind = 'x'
            and own.los_id = region.los_id
            and own.col = '*'
        group by {% for col in partition %}region.{{ col }}, {% endfor %}region.region

    ),

    -- the group rows hidden so far, and one row (los_id null) per partition to work on
    tw_start as (

        select distinct {% for col in partition %}{{ col }}, {% endfor %}0 as step, los_id, col, false as is_final
        from tw_groups
        where suppression_reason is not null

        union all

        select distinct {% for col in partition %}{{ col }}, {% endfor %}0, null, null, false
        from tw_groups

    ),

    tw_state as (

        select * from tw_start

    ),

    {{ _tw_closure(partition, min_cell, rounds) }},

    tw_found as (

        select {% for col in partition %}{{ col }}, {% endfor %}relation, rel_unit, rel_col
        from tw_violations

        union all

        select {% for col in partition %}{{ col }}, {% endfor %}'region', region, ''
        from tw_region_violations

    )

    -- what each checked partition gives away, for every partition with its rows
    select
        {% for col in partition %}represented.{{ col }}, {% endfor %}
        found.relation,
        found.rel_unit,
        found.rel_col
    from tw_found as found
    inner join tw_representatives as represented
        on {% for col in partition %}represented.representative_{{ col }} = found.{{ col }}{{ " and " if not loop.last }}{% endfor %}
    {% else %}
    -- digilead_two_way_hidden: pipelines/privacy/two_way.py, registered by the dbt-duckdb plugin
    -- pipelines/transform/duckdb_functions.py (profiles.yml); one call per partition
    tw_hidden_lists as materialized (

        select
            {% for col in partition %}grp.{{ col }}, {% endfor %}
            digilead_two_way_hidden(
                grp.group_rows, coalesce(tot.unit_totals, []), {{ min_cell }}, {{ rounds }}, {{ steps }}
            ) as hidden_rows
        from tw_partition_groups as grp
        left join tw_partition_totals as tot
            on {{ _sc_same(partition, 'tot', 'grp') }}

    ),

    tw_hidden as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            unnest(hidden_rows, recursive := true)
        from tw_hidden_lists

    )

    select
        {% for col in partition %}grp.{{ col }}, {% endfor %}
        grp.los_id,
        grp.col as personalekategori,
        case
            when grp.suppression_reason is not null then grp.suppression_reason
            when hidden.los_id is not null then 'secondary'
        end as suppression_reason
    from tw_groups as grp
    left join tw_hidden as hidden
        on {{ _sc_same(partition, 'hidden', 'grp') }}
        and hidden.los_id = cast(grp.los_id as varchar)
        and hidden.personalekategori = grp.col
    {% endif %}

{% endmacro %}


{#-
    _tw_closure: CTEs over tw_state (the hidden group rows of each partition at work, and a row with
    los_id null per partition): what the published figures give away by differencing
    in `rounds` steps (tw_known) and the relations that give a small group away (tw_violations).
    See two_way_suppression.
-#}
{% macro _tw_closure(partition, min_cell, rounds) %}

    tw_active as (

        select {% for col in partition %}{{ col }}{{ ", " if not loop.last }}{% endfor %}
        from tw_state
        where los_id is null

    ),

    tw_published_groups as (

        select {% for col in partition %}grp.{{ col }}, {% endfor %}grp.los_id, grp.col, grp.people
        from tw_groups as grp
        inner join tw_active as active
            on {{ _sc_same(partition, 'active', 'grp') }}
        where not exists (
            select 1 from tw_state as hidden
            where {{ _sc_same(partition, 'hidden', 'grp') }}
                and hidden.los_id = grp.los_id
                and hidden.col = grp.col
        )

    ),

    tw_members_active as (

        select member.*
        from tw_members as member
        inner join tw_active as active
            on {{ _sc_same(partition, 'active', 'member') }}

    ),

    tw_known_0 as materialized (

        select {% for col in partition %}quantity.{{ col }}, {% endfor %}quantity.kind, quantity.los_id, quantity.col
        from tw_quantities as quantity
        inner join tw_active as active
            on {{ _sc_same(partition, 'active', 'quantity') }}
        where quantity.people = 0

        union

        select {% for col in partition %}{{ col }}, {% endfor %}'F', los_id, '*'
        from tw_totals
        where is_published

        union

        select {% for col in partition %}{{ col }}, {% endfor %}'F', los_id, col
        from tw_published_groups

    ),

    {% for round in range(rounds) %}
    {%- if round > 0 %}
    -- the relations a quantity learnt in the step before belongs to: only their unknowns can have
    -- fallen to one (semi-naive evaluation: a relation left untouched learns nothing new)
    tw_touched_{{ round }} as (

        select distinct
            {% for col in partition %}member.{{ col }}, {% endfor %}
            member.relation,
            member.rel_unit,
            member.rel_col
        from tw_members_active as member
        inner join tw_new_{{ round - 1 }} as new
            on {{ _sc_same(partition, 'new', 'member') }}
            and new.kind = member.kind
            and new.los_id = member.los_id
            and new.col = member.col

    ),
    {%- endif %}

    -- closure step {{ round }}: a relation with one unknown member gives it away
    tw_learnt_{{ round }} as (

        select
            {% for col in partition %}member.{{ col }}, {% endfor %}
            any_value(member.kind) as kind,
            any_value(member.los_id) as los_id,
            any_value(member.col) as col
        from tw_members_active as member
        {%- if round > 0 %}
        inner join tw_touched_{{ round }} as touched
            on {{ _sc_same(partition + ['relation', 'rel_unit', 'rel_col'], 'touched', 'member') }}
        {%- endif %}
        left join tw_known_{{ round }} as known
            on {{ _sc_same(partition, 'known', 'member') }}
            and known.kind = member.kind
            and known.los_id = member.los_id
            and known.col = member.col
        where known.los_id is null
        group by {% for col in partition %}member.{{ col }}, {% endfor %}member.relation, member.rel_unit, member.rel_col
        having count(*) = 1

    ),

    -- what step {{ round }} learnt, once each (unknown before it, so apart from tw_known_{{ round }})
    tw_new_{{ round }} as materialized (

        select distinct * from tw_learnt_{{ round }}

    ),

    tw_known_{{ round + 1 }} as (

        select * from tw_known_{{ round }}
        union all
        select * from tw_new_{{ round }}

    ),
    {% endfor %}

    tw_known as (

        select * from tw_known_{{ rounds }}

    ),

    -- every member of every relation with its people and whether it is known
    tw_member_states as (

        select
            member.*,
            quantity.people,
            known.los_id is not null as is_known
        from tw_members_active as member
        inner join tw_quantities as quantity
            on {{ _sc_same(partition, 'quantity', 'member') }}
            and quantity.kind = member.kind
            and quantity.los_id = member.los_id
            and quantity.col = member.col
        left join tw_known as known
            on {{ _sc_same(partition, 'known', 'member') }}
            and known.kind = member.kind
            and known.los_id = member.los_id
            and known.col = member.col

    ),

    tw_violations as (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            relation,
            rel_unit,
            rel_col,
            bool_or(is_whole and is_known) as whole_known,
            coalesce(sum(people) filter (where not is_whole and not is_known), 0) as unknown_people,
            bool_or(is_known and people between 1 and {{ min_cell - 1 }}) as small_known
        from tw_member_states
        group by {% for col in partition %}{{ col }}, {% endfor %}relation, rel_unit, rel_col
        having small_known or (whole_known and unknown_people between 1 and {{ min_cell - 1 }})

    ),

    -- Across relations: a region's people minus the published group rows' blocks that lie wholly
    -- in it (a block: the group's people a published row covers and no published row below it).
    -- The closure sees each relation alone; this is the sum over a region's relations at once.
    tw_cell_blocks as (

        select
            {% for col in partition %}own.{{ col }}, {% endfor %}
            own.los_id,
            own.col,
            own.people,
            closure.ancestor as block_unit
        from tw_quantities as own
        inner join tw_active as active
            on {{ _sc_same(partition, 'active', 'own') }}
        inner join tw_closure as closure
            on {{ _sc_same(partition, 'closure', 'own') }}
            and closure.los_id = own.los_id
        inner join tw_published_groups as grp
            on {{ _sc_same(partition, 'grp', 'own') }}
            and grp.los_id = closure.ancestor
            and grp.col = own.col
        where own.kind = 'x' and own.col not in ('*', '~') and own.people <> 0
        qualify row_number() over (
            partition by {% for col in partition %}own.{{ col }}, {% endfor %}own.los_id, own.col order by closure.depth
        ) = 1

    ),

    tw_blocks as (

        select
            {% for col in partition %}cell.{{ col }}, {% endfor %}
            cell.block_unit,
            cell.col,
            sum(cell.people) as people,
            count(distinct coalesce(region.region, '')) = 1 and count(region.region) = count(*) as in_one_region,
            any_value(region.region) as region
        from tw_cell_blocks as cell
        left join tw_unit_regions as region
            on {{ _sc_same(partition, 'region', 'cell') }}
            and region.los_id = cell.los_id
        group by {% for col in partition %}cell.{{ col }}, {% endfor %}cell.block_unit, cell.col

    ),

    -- regions left with 1..min_cell-1 people, each with the smallest published row whose block lies in it
    tw_region_violations as (

        select
            {% for col in partition %}region.{{ col }}, {% endfor %}
            region.region,
            block.block_unit as los_id,
            block.col
        from tw_region_people as region
        inner join tw_active as active
            on {{ _sc_same(partition, 'active', 'region') }}
        inner join tw_blocks as block
            on {{ _sc_same(partition, 'block', 'region') }}
            and block.region = region.region
            and block.in_one_region
        inner join tw_published_groups as grp
            on {{ _sc_same(partition, 'grp', 'block') }}
            and grp.los_id = block.block_unit
            and grp.col = block.col
        qualify
            region.people - sum(block.people) over (
                partition by {% for col in partition %}region.{{ col }}, {% endfor %}region.region
            ) between 1 and {{ min_cell - 1 }}
            and row_number() over (
                partition by {% for col in partition %}region.{{ col }}, {% endfor %}region.region
                order by grp.people, grp.los_id, grp.col
            ) = 1

    )

{% endmacro %}
