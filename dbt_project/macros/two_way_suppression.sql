{#-
    two_way_suppression: the last step of digital_maturity_by_staff_group's small-cell
    suppression (docs: README "Small cells and secondary suppression"). The staff-group rows and
    the unit totals of digital_maturity form a two-way table (org tree × staff group): each way is
    protected by small_cell_suppression, but an analyst can combine both, e.g.
    (unit total − its published groups) − (sub-unit total − its published groups).

    Why the rule below is enough. Take as base cells x(v, g) the respondents placed directly at
    unit v in staff group g (g null: ungrouped, i.e. anonymous, unlinked or not in the headcount).
    Every published figure is a sum over base cells: a published unit total T(u) over the cells
    of u's subtree, a published group row G(u, g) over the cells of group g in u's subtree. Two
    cells belong to the same *atom* when every published figure contains both or neither. Any
    figure an analyst can derive by adding and subtracting published figures (sums of scores,
    counts of basic or advanced respondents) is then a combination of atom sums, never finer. So
    when every atom that some published figure covers holds 0 or at least min_cell respondents,
    no group of 1..min_cell-1 respondents can be derived. (Cells no published figure covers are
    in no published figure, so they need nothing.)

    A cell's atom is its signature: the published totals on its path to the root (as the unit
    totals of digital_maturity are fixed, this is its *region*, fixed for all rounds) and the
    published rows of its own group on that path (then the group itself is part of the
    signature; with none, cells of every group and the ungrouped share one atom per region).

    The rule, per kommunekode × wave × competence_area: starting from `groups`' own suppression
    (steps 1 and 2 of the mart), find the small atoms (1..min_cell-1 respondents); for each, hide
    one more published group row ('secondary'), never a total: an atom only merges with atoms of
    its own region, so among the region's other atoms take the nearest (fewest group rows
    published for one and not the other) and hide the row, of those that tell them apart, with
    the fewest respondents (ties: los_id, personalekategori); an atom with no other atom in its
    region (e.g. under no published total) gives up its own smallest row. The rule is sufficient,
    not exact: it may hide a row whose small atom no combination of figures isolates (README).
    Each hidden row brings the small atom one row closer to merging, so the rounds reach a state
    without small atoms; hiding
    every group row of a partition is such a state (then the atoms are digital_maturity's own
    residual groups, which that mart keeps at 0 or at least min_cell).

    Why rounds unrolled by Jinja: which rows a round hides depends on the atoms of the whole
    partition after the previous round, an aggregate a recursive CTE cannot take over its own
    rows. `rounds` rounds are unrolled as CTEs (on a generated municipality of 300 employees, 6 and
    30 rounds hide the same rows); a partition that still has a small atom after them has every
    group row hidden, the fixpoint above, so the guarantee never rests on the number of rounds.
    The singular test assert_no_derivable_small_group_staff_groups_two_way checks the published
    result with the same atoms.

    `groups`: kommunekode, wave, competence_area, los_id, personalekategori, respondents (rolled
    up over the tree) and suppression_reason (null: published so far). `totals`: the published
    unit totals (digital_maturity): kommunekode, wave, competence_area, los_id, parent_los_id,
    respondents (rolled up), suppressed. Returns `groups`' key columns with the final
    suppression_reason. With small_atoms_only (the singular test, rounds=0): the small atoms
    `groups` as given leaves instead (kommunekode, wave, competence_area, region, atom_group,
    group_rows, people).
-#}
{% macro two_way_suppression(groups, totals, partition=['kommunekode', 'wave', 'competence_area'], population='respondents', rounds=6, small_atoms_only=false) %}

    with recursive

    tw_totals as materialized (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            los_id,
            parent_los_id,
            coalesce({{ population }}, 0) as respondents,
            not coalesce(suppressed, true) as is_published
        from {{ totals }}

    ),

    tw_groups as materialized (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            los_id,
            personalekategori,
            coalesce({{ population }}, 0) as respondents,
            suppression_reason
        from {{ groups }}

    ),

    -- a parent not in the table (a branch whose parent is not in the period's tree) is no parent
    tw_tree as materialized (

        select
            {% for col in partition %}unit.{{ col }}, {% endfor %}
            unit.los_id,
            parent.los_id as parent
        from tw_totals as unit
        left join tw_totals as parent
            on {{ _sc_same(partition, 'parent', 'unit') }}
            and parent.los_id = unit.parent_los_id

    ),

    -- every unit with itself and each unit above it
    tw_ancestors as (

        select {% for col in partition %}{{ col }}, {% endfor %}los_id, los_id as ancestor
        from tw_tree

        union all

        select {% for col in partition %}below.{{ col }}, {% endfor %}below.los_id, step.parent
        from tw_ancestors as below
        inner join tw_tree as step
            on {{ _sc_same(partition, 'step', 'below') }}
            and step.los_id = below.ancestor
        where step.parent is not null

    ),

    tw_closure as materialized (

        select * from tw_ancestors

    ),

    -- base cells: the rolled-up counts minus those of the children
    tw_group_cells as materialized (

        select
            {% for col in partition %}grp.{{ col }}, {% endfor %}
            grp.los_id,
            grp.personalekategori,
            grp.respondents - coalesce(sum(child.respondents), 0) as people
        from tw_groups as grp
        left join tw_tree as child_unit
            on {{ _sc_same(partition, 'child_unit', 'grp') }}
            and child_unit.parent = grp.los_id
        left join tw_groups as child
            on {{ _sc_same(partition, 'child', 'grp') }}
            and child.los_id = child_unit.los_id
            and child.personalekategori = grp.personalekategori
        group by {% for col in partition %}grp.{{ col }}, {% endfor %}grp.los_id, grp.personalekategori, grp.respondents

    ),

    tw_total_cells as (

        select
            {% for col in partition %}unit.{{ col }}, {% endfor %}
            unit.los_id,
            unit.respondents - coalesce(sum(child.respondents), 0) as people
        from tw_totals as unit
        left join tw_tree as child_unit
            on {{ _sc_same(partition, 'child_unit', 'unit') }}
            and child_unit.parent = unit.los_id
        left join tw_totals as child
            on {{ _sc_same(partition, 'child', 'unit') }}
            and child.los_id = child_unit.los_id
        group by {% for col in partition %}unit.{{ col }}, {% endfor %}unit.los_id, unit.respondents

    ),

    tw_cells as materialized (

        select {% for col in partition %}{{ col }}, {% endfor %}los_id, personalekategori, people
        from tw_group_cells
        where people <> 0

        union all

        -- the ungrouped: the unit's own respondents minus its own grouped ones
        select
            {% for col in partition %}unit.{{ col }}, {% endfor %}
            unit.los_id,
            null as personalekategori,
            unit.people - coalesce(sum(grp.people), 0) as people
        from tw_total_cells as unit
        left join tw_group_cells as grp
            on {{ _sc_same(partition, 'grp', 'unit') }}
            and grp.los_id = unit.los_id
        group by {% for col in partition %}unit.{{ col }}, {% endfor %}unit.los_id, unit.people
        having unit.people - coalesce(sum(grp.people), 0) <> 0

    ),

    -- a unit's region: the published totals containing it (fixed: totals are never hidden here)
    tw_regions as materialized (

        select
            {% for col in partition %}closure.{{ col }}, {% endfor %}
            closure.los_id,
            coalesce(list(closure.ancestor order by closure.ancestor) filter (where total.is_published), []) as region
        from tw_closure as closure
        inner join tw_totals as total
            on {{ _sc_same(partition, 'total', 'closure') }}
            and total.los_id = closure.ancestor
        group by {% for col in partition %}closure.{{ col }}, {% endfor %}closure.los_id

    ),

    -- the group rows that contain a grouped cell: its group's rows on its path to the root
    tw_cell_rows as materialized (

        select
            {% for col in partition %}cell.{{ col }}, {% endfor %}
            cell.los_id,
            cell.personalekategori,
            closure.ancestor as row_los_id
        from tw_cells as cell
        inner join tw_closure as closure
            on {{ _sc_same(partition, 'closure', 'cell') }}
            and closure.los_id = cell.los_id
        inner join tw_groups as grp
            on {{ _sc_same(partition, 'grp', 'cell') }}
            and grp.los_id = closure.ancestor
            and grp.personalekategori = cell.personalekategori

    ),

    tw_hidden_0 as materialized (

        select {% for col in partition %}{{ col }}, {% endfor %}los_id, personalekategori
        from tw_groups
        where suppression_reason is not null

    ),

    {% for round in range(rounds + 1) %}
    {%- set hidden = 'tw_hidden_' ~ round -%}

    -- round {{ round }}: each cell's signature under the rows still published
    tw_signatures_{{ round }} as materialized (

        select
            {% for col in partition %}cell.{{ col }}, {% endfor %}
            cell.personalekategori,
            cell.people,
            region.region,
            coalesce(
                list(cell_row.row_los_id order by cell_row.row_los_id)
                    filter (where cell_row.row_los_id is not null and hidden.los_id is null),
                []
            ) as group_rows
        from tw_cells as cell
        inner join tw_regions as region
            on {{ _sc_same(partition, 'region', 'cell') }}
            and region.los_id = cell.los_id
        left join tw_cell_rows as cell_row
            on {{ _sc_same(partition, 'cell_row', 'cell') }}
            and cell_row.los_id = cell.los_id
            and cell_row.personalekategori = cell.personalekategori
        left join {{ hidden }} as hidden
            on {{ _sc_same(partition, 'hidden', 'cell_row') }}
            and hidden.los_id = cell_row.row_los_id
            and hidden.personalekategori = cell_row.personalekategori
        group by {% for col in partition %}cell.{{ col }}, {% endfor %}cell.los_id, cell.personalekategori, cell.people, region.region

    ),

    -- atoms some published figure covers; atom_group is null where no row of a group covers it
    tw_atoms_{{ round }} as materialized (

        select
            {% for col in partition %}{{ col }}, {% endfor %}
            region,
            case when len(group_rows) > 0 then personalekategori end as atom_group,
            group_rows,
            sum(people) as people
        from tw_signatures_{{ round }}
        where len(region) > 0 or len(group_rows) > 0
        group by {% for col in partition %}{{ col }}, {% endfor %}region, atom_group, group_rows

    ),

    tw_small_atoms_{{ round }} as materialized (

        select * from tw_atoms_{{ round }}
        where people > 0 and people < {{ var('min_cell') | int }}

    ),

    {% if round < rounds %}
    -- each small atom beside every other atom of its region
    tw_pairs_{{ round }} as (

        select
            {% for col in partition %}small.{{ col }}, {% endfor %}
            small.region,
            small.atom_group,
            small.group_rows,
            other.atom_group as other_group,
            other.group_rows as other_rows,
            coalesce(small.atom_group = other.atom_group, false) as same_group
        from tw_small_atoms_{{ round }} as small
        inner join tw_atoms_{{ round }} as other
            on {{ _sc_same(partition, 'other', 'small') }}
            and other.region = small.region
            and other.people > 0
            and not (other.atom_group is not distinct from small.atom_group and other.group_rows = small.group_rows)

    ),

    -- the rows published for one atom of a pair and not for the other (hiding one brings them a row closer)
    tw_differences_{{ round }} as (

        select
            *,
            len(group_rows) + len(other_rows)
                - case when same_group then 2 * len(list_intersect(group_rows, other_rows)) else 0 end as distance
        from tw_pairs_{{ round }}

    ),

    tw_candidates_{{ round }} as (

        select * from (
            select {% for col in partition %}{{ col }}, {% endfor %}region, atom_group, group_rows, distance,
                atom_group as personalekategori, unnest(group_rows) as los_id, same_group, other_rows as not_in
            from tw_differences_{{ round }}
            union all
            select {% for col in partition %}{{ col }}, {% endfor %}region, atom_group, group_rows, distance,
                other_group, unnest(other_rows), same_group, group_rows
            from tw_differences_{{ round }}
        )
        where not (same_group and list_contains(not_in, los_id))

        union all

        -- (after every pair: only an atom alone in its region comes to this, and gives up its own rows)
        select {% for col in partition %}{{ col }}, {% endfor %}region, atom_group, group_rows, 1000000 as distance,
            atom_group, unnest(group_rows), false, []
        from tw_small_atoms_{{ round }}

    ),

    tw_hidden_{{ round + 1 }} as materialized (

        select * from {{ hidden }}

        union

        select {% for col in partition %}candidate.{{ col }}, {% endfor %}candidate.los_id, candidate.personalekategori
        from tw_candidates_{{ round }} as candidate
        inner join tw_groups as grp
            on {{ _sc_same(partition, 'grp', 'candidate') }}
            and grp.los_id = candidate.los_id
            and grp.personalekategori = candidate.personalekategori
        qualify row_number() over (
            partition by {% for col in partition %}candidate.{{ col }}, {% endfor %}candidate.region, candidate.atom_group, candidate.group_rows
            order by candidate.distance, grp.respondents, candidate.los_id, candidate.personalekategori
        ) = 1

    ),
    {% endif %}
    {% endfor %}

    -- the fixpoint not reached in `rounds` rounds: every group row of the partition is hidden
    tw_unsettled as (

        select distinct {% for col in partition %}{{ col }}{{ ", " if not loop.last }}{% endfor %}
        from tw_small_atoms_{{ rounds }}

    )

    {% if small_atoms_only %}
    select * from tw_small_atoms_{{ rounds }}
    {% else %}
    select
        {% for col in partition %}grp.{{ col }}, {% endfor %}
        grp.los_id,
        grp.personalekategori,
        case
            when grp.suppression_reason is not null then grp.suppression_reason
            when hidden.los_id is not null or unsettled.kommunekode is not null then 'secondary'
        end as suppression_reason
    from tw_groups as grp
    left join tw_hidden_{{ rounds }} as hidden
        on {{ _sc_same(partition, 'hidden', 'grp') }}
        and hidden.los_id = grp.los_id
        and hidden.personalekategori = grp.personalekategori
    left join tw_unsettled as unsettled
        on {{ _sc_same(partition, 'unsettled', 'grp') }}
    {% endif %}

{% endmacro %}
