"""The hiding of two-way small-cell suppression: which more staff-group rows to hide so that no group of
1..min_cell-1 people can be derived by differencing the published group rows and unit totals along the
org tree and across the staff groups at once.

The rule (what an analyst knows, the three kinds of relations, the closure, the violations and the choice
of the next row to hide) is the one the header of dbt_project/macros/two_way_suppression.sql spells out;
this module computes it for one partition (one org tree of a municipality × wave / month) on plain
Python values. dbt calls it through the DuckDB function digilead_two_way_hidden
(pipelines/transform/duckdb_functions.py); the singular tests check its result with the macro's SQL
closure (audit_only), written independently.

The closure ("a relation with one unknown member gives it away") runs in synchronous steps over all
relations at once, vectorised with NumPy: each step is one pass over the relations' members, and a
partition settles within a few steps (on generated municipalities within 6). Synchronous steps rather than a
worklist, so that they are the steps the SQL took: a partition whose closure needs more than `closure_steps`
of them is given up exactly where the recursive CTE gave it up, and the published rows stay the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

TOTAL = "*"  # the column of a unit's total
UNGROUPED = "~"  # the column of a unit's people in no staff group


class UnitTotal(NamedTuple):
    """A unit's total row: `people` rolled up over its subtree; `parent` None at the root (or when the
    parent is not in the partition)."""

    los_id: str
    parent: str | None
    people: int
    is_published: bool


class GroupRow(NamedTuple):
    """A staff-group row of a unit: `people` rolled up over its subtree; `is_hidden` when an earlier step
    (or the group's own smallness) already hides it."""

    los_id: str
    group: str
    people: int
    is_hidden: bool


class _Partition:
    """The quantities and relations of one partition, fixed across rounds (the totals never change; only
    which group rows are published does).

    Built with NumPy over integer codes: unit u (the totals in their order, then the units only group rows
    name), column c (0 the total, 1 the ungrouped, then the staff groups), figure f = F(u, c) (the totals'
    figures, the group rows' in their order, then the ungrouped), quantities F(f) = f and x(f) = #figures + f,
    relations tree(f) = f, split(u) = #figures + u and own(u) = #figures + #units + u."""

    def __init__(self, totals: Sequence[UnitTotal], groups: Sequence[GroupRow]):
        unit_of = {total.los_id: position for position, total in enumerate(totals)}
        if len(unit_of) != len(totals):
            raise ValueError("a unit has more than one total row in the partition")
        # a parent without a total row in the partition (a branch outside the tree) is no parent
        parent_of_total = [unit_of.get(total.parent, -1) if total.parent is not None else -1 for total in totals]
        for row in groups:  # a group row of a unit without a total row: a unit without a parent or children
            unit_of.setdefault(row.los_id, len(unit_of))
        unit_count, total_count, group_count = len(unit_of), len(totals), len(groups)
        parent = np.full(unit_count, -1, dtype=np.int64)
        parent[:total_count] = parent_of_total

        column_of = {TOTAL: 0, UNGROUPED: 1}
        group_unit = np.array([unit_of[row.los_id] for row in groups], dtype=np.int64)
        group_column = np.array([column_of.setdefault(row.group, len(column_of)) for row in groups], dtype=np.int64)
        column_count = len(column_of)
        group_people = np.array([row.people for row in groups], dtype=np.int64)
        total_people = np.array([total.people for total in totals], dtype=np.int64)
        grouped = np.zeros(unit_count, dtype=np.int64)
        np.add.at(grouped, group_unit, group_people)

        # F(u, s): the rolled-up figures; '~' is the total minus the unit's group rows
        total_units = np.arange(total_count, dtype=np.int64)
        figure_unit = np.concatenate([total_units, group_unit, total_units])
        figure_column = np.concatenate([np.zeros(total_count, np.int64), group_column, np.ones(total_count, np.int64)])
        figures = np.concatenate([total_people, group_people, total_people - grouped[:total_count]])
        figure_count = figures.size
        self.group_figure = np.arange(total_count, total_count + group_count, dtype=np.int64)

        def cell_key(unit: np.ndarray, column: np.ndarray) -> np.ndarray:  # -1 where there is no unit
            return np.where(unit >= 0, unit * column_count + column, -1)

        # each figure's parent figure: F(parent unit, same column), -1 where there is none
        parent_figure = _positions(cell_key(figure_unit, figure_column), cell_key(parent[figure_unit], figure_column))
        has_parent = parent_figure >= 0
        # x(u, s): u's own people, F(u, s) minus its children's F(c, s)
        below = np.zeros(figure_count, dtype=np.int64)
        np.add.at(below, parent_figure[has_parent], figures[has_parent])
        own = figures - below
        self.people = np.concatenate([figures, own])

        # the relations' members: (relation, member quantity, is the whole)
        each_figure = np.arange(figure_count, dtype=np.int64)
        children = np.flatnonzero(has_parent)
        is_total = figure_column == 0
        self.member_relation = np.concatenate(
            [
                each_figure,  # tree(u, s): F(u, s) = the children's F(c, s) + x(u, s)
                each_figure,
                parent_figure[children],
                figure_count + figure_unit,  # split(u): F(u, total) = its F(u, s)
                figure_count + unit_count + figure_unit,  # own(u): x(u, total) = its x(u, s)
            ]
        )
        self.member_quantity = np.concatenate(
            [each_figure, figure_count + each_figure, children, each_figure, figure_count + each_figure]
        )
        self.member_is_whole = np.concatenate(
            [np.ones(figure_count, bool), np.zeros(figure_count + children.size, bool), is_total, is_total]
        )
        self.relation_count = figure_count + 2 * unit_count
        self.relation_unit = np.concatenate([figure_unit, np.arange(unit_count), np.arange(unit_count)])
        self.by_relation = np.argsort(self.member_relation, kind="stable")
        self.relation_bounds = np.searchsorted(
            self.member_relation[self.by_relation], np.arange(self.relation_count + 1)
        )
        # per quantity: its column, and the group row whose figure it is (-1: none)
        self.quantity_column = np.concatenate([figure_column, figure_column])
        self.quantity_group = np.full(2 * figure_count, -1, dtype=np.int64)
        self.quantity_group[self.group_figure] = np.arange(group_count)

        # the group rows, ranked for the choice of the smallest complement: fewest people, then los_id, group
        self.group_unit, self.group_column = group_unit, group_column
        order = sorted(range(group_count), key=lambda i: (groups[i].people, groups[i].los_id, groups[i].group))
        self.group_rank = np.empty(group_count, dtype=np.int64)
        self.group_rank[order] = np.arange(group_count)
        self.group_by_rank = np.array(order, dtype=np.int64)

        self.published_totals = np.flatnonzero([total.is_published for total in totals])

        # each unit's chain up the tree, itself first (column k: its ancestor k levels up, -1 above the root)
        chain = np.arange(total_count, dtype=np.int64)[:, None]
        while total_count and (chain[:, -1] >= 0).any() and chain.shape[1] <= total_count:
            top = chain[:, -1]
            chain = np.column_stack([chain, np.where(top >= 0, parent[np.maximum(top, 0)], -1)])
        # regions: each unit's nearest published total (itself or above; -1: none), and its people
        is_published_total = np.zeros(total_count + 1, dtype=bool)  # the last: -1, no unit
        is_published_total[self.published_totals] = True
        published_in_chain = is_published_total[chain]
        self.region_of = np.where(
            published_in_chain.any(axis=1),
            chain[np.arange(total_count), published_in_chain.argmax(axis=1)] if total_count else -1,
            -1,
        )
        in_region = self.region_of >= 0
        self.region_people = np.zeros(total_count, dtype=np.int64)
        np.add.at(self.region_people, self.region_of[in_region], own[:total_count][in_region])
        # the cells a block sums: a unit's own people of a staff group, where not 0; with the group rows of
        # its group at the unit and above, the nearest first (its block: the first of them published)
        cells = np.flatnonzero((group_unit < total_count) & (own[self.group_figure] != 0))
        self.cell_people = own[self.group_figure[cells]]
        self.cell_region = self.region_of[group_unit[cells]]
        self.cell_candidates = _positions(
            cell_key(group_unit, group_column), cell_key(chain[group_unit[cells]], group_column[cells][:, None])
        )

    def closure(self, is_published_group: np.ndarray, steps: int | None) -> tuple[np.ndarray, bool]:
        """What differencing gives away: the known quantities after the closure, and whether it settled
        within `steps` steps (None: run to the fixpoint)."""
        known = self.people == 0
        known[self.published_totals] = True
        known[self.group_figure[is_published_group]] = True
        step = 0
        while True:
            unknown = ~known[self.member_quantity]
            unknown_count = np.bincount(self.member_relation, weights=unknown, minlength=self.relation_count)
            # the one unknown member of a relation with exactly one: the sum of its unknown members' indices
            index_sum = np.bincount(
                self.member_relation, weights=unknown * self.member_quantity, minlength=self.relation_count
            )
            learnt = index_sum[unknown_count == 1].astype(np.int64)
            if learnt.size == 0:
                return known, True
            if steps is not None and step >= steps:
                return known, False
            known[learnt] = True
            step += 1

    def violations(self, known: np.ndarray, min_cell: int) -> np.ndarray:
        """The relations that give a small group away: a known member of 1..min_cell-1 people, or a known
        whole whose unknown parts hold 1..min_cell-1 people together."""
        member_known = known[self.member_quantity]
        member_people = self.people[self.member_quantity]
        is_small = (member_people >= 1) & (member_people <= min_cell - 1)
        small_known = np.bincount(self.member_relation, weights=member_known & is_small, minlength=self.relation_count)
        whole_known = np.bincount(
            self.member_relation, weights=member_known & self.member_is_whole, minlength=self.relation_count
        )
        unknown_people = np.bincount(
            self.member_relation,
            weights=np.where(~member_known & ~self.member_is_whole, member_people, 0),
            minlength=self.relation_count,
        )
        residual_small = (whole_known > 0) & (unknown_people >= 1) & (unknown_people <= min_cell - 1)
        return np.flatnonzero((small_known > 0) | residual_small)

    def smallest_published(self, is_published_group: np.ndarray) -> tuple[dict[int, int], dict[int, int], int | None]:
        """Of the published group rows: the smallest of each unit, of each group (column), and of the partition."""
        ranked = self.group_by_rank[is_published_group[self.group_by_rank]]
        units, first_of_unit = np.unique(self.group_unit[ranked], return_index=True)
        columns, first_of_column = np.unique(self.group_column[ranked], return_index=True)
        of_unit = dict(zip(units.tolist(), ranked[first_of_unit].tolist(), strict=True))
        of_column = dict(zip(columns.tolist(), ranked[first_of_column].tolist(), strict=True))
        return of_unit, of_column, int(ranked[0]) if ranked.size else None

    def smallest_complement(
        self,
        relation_index: int,
        known: np.ndarray,
        is_published_group: np.ndarray,
        smallest_published: tuple[dict[int, int], dict[int, int], int | None],
    ) -> int | None:
        """The group row a violating relation hides: its own published group row with the fewest people,
        else one of its unit's, else one of a group it learnt, else the partition's smallest."""
        smallest_of_unit, smallest_of_column, smallest_overall = smallest_published
        members = self.by_relation[self.relation_bounds[relation_index] : self.relation_bounds[relation_index + 1]]
        quantities = self.member_quantity[members]
        own_rows = self.quantity_group[quantities]
        own_rows = own_rows[own_rows >= 0]
        own_rows = own_rows[is_published_group[own_rows]]
        if own_rows.size:
            return int(own_rows[np.argmin(self.group_rank[own_rows])])
        rel_unit = int(self.relation_unit[relation_index])
        if rel_unit in smallest_of_unit:
            return smallest_of_unit[rel_unit]
        columns = self.quantity_column[quantities]
        learnt = known[quantities] & (columns > 1) & (self.people[quantities] > 0)
        of_learnt = [
            smallest_of_column[column] for column in set(columns[learnt].tolist()) if column in smallest_of_column
        ]
        if of_learnt:
            return min(of_learnt, key=lambda c: self.group_rank[c])
        return smallest_overall

    def region_violations(self, is_published_group: np.ndarray, min_cell: int) -> list[int]:
        """For each region whose people minus the blocks of the published group rows lying wholly in it
        leave 1..min_cell-1 people: its smallest published group row with a block in it."""
        # a cell's block: the nearest published row of its group at the unit or above (named by that row)
        candidates = self.cell_candidates
        published = (candidates >= 0) & is_published_group[np.maximum(candidates, 0)]
        in_block = published.any(axis=1)
        block = candidates[np.arange(candidates.shape[0]), published.argmax(axis=1)][in_block]
        group_count = self.group_rank.size
        block_people = np.zeros(group_count, dtype=np.int64)
        np.add.at(block_people, block, self.cell_people[in_block])
        # a block lies wholly in a region when all its cells are in that one region
        regions = self.cell_region[in_block]
        lowest = np.full(group_count, np.iinfo(np.int64).max)
        highest = np.full(group_count, -2)
        np.minimum.at(lowest, block, regions)
        np.maximum.at(highest, block, regions)
        whole = np.flatnonzero((lowest == highest) & (lowest >= 0))
        region_of_block = lowest[whole]
        blocked = np.zeros(self.region_people.size, dtype=np.int64)
        np.add.at(blocked, region_of_block, block_people[whole])
        residual = self.region_people - blocked
        small = (residual >= 1) & (residual <= min_cell - 1)
        # each small region's block with the fewest people (by rank)
        by_rank = whole[np.argsort(self.group_rank[whole], kind="stable")]
        by_rank = by_rank[small[lowest[by_rank]]]
        _, first = np.unique(lowest[by_rank], return_index=True)
        return by_rank[first].tolist()


def _positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each of `wanted` is in `keys` (distinct), -1 where it is not or is negative; any shape of `wanted`."""
    if keys.size == 0:
        return np.full(wanted.shape, -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    at = np.minimum(np.searchsorted(keys[order], wanted), keys.size - 1)
    return np.where((wanted >= 0) & (keys[order][at] == wanted), order[at], -1)


def two_way_hidden(
    totals: Sequence[UnitTotal],
    groups: Sequence[GroupRow],
    min_cell: int,
    closure_steps: int | None = 10,
    rounds: int = 40,
) -> set[tuple[str, str]]:
    """The group rows (los_id, group) one partition must hide beyond those already hidden ('secondary').

    Round after round: take the closure; every relation that gives a small group away hides its smallest
    complement and every region left with a small group its smallest published row, all at once; until
    nothing is given away. A partition whose closure does not settle within `closure_steps` steps, that
    still gives something away after `rounds` rounds, or whose violation no group row can answer hides
    every group row. The totals are never hidden.
    """
    partition = _Partition(totals, groups)
    already_hidden = np.array([row.is_hidden for row in groups], dtype=bool)
    is_published_group = ~already_hidden
    every_row = {(row.los_id, row.group) for row, hidden in zip(groups, already_hidden, strict=True) if not hidden}
    round_number = 0
    while True:
        known, settled = partition.closure(is_published_group, closure_steps)
        if not settled:
            return every_row
        violating = partition.violations(known, min_cell)
        to_hide = set()
        smallest_published = partition.smallest_published(is_published_group) if violating.size else None
        for relation_index in violating:
            choice = partition.smallest_complement(int(relation_index), known, is_published_group, smallest_published)
            if choice is None or round_number >= rounds:
                return every_row
            to_hide.add(choice)
        to_hide.update(partition.region_violations(is_published_group, min_cell))
        if not to_hide:
            break
        is_published_group[list(to_hide)] = False
        # a region's violation always hides a published row, so the rounds end even past `rounds`
        round_number += 1
    return {
        (row.los_id, row.group)
        for row, published, hidden in zip(groups, is_published_group, already_hidden, strict=True)
        if not published and not hidden
    }
