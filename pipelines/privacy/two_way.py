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

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

TOTAL = "*"  # the column of a unit's total
UNGROUPED = "~"  # the column of a unit's people in no staff group


@dataclass(frozen=True)
class UnitTotal:
    """A unit's total row: `people` rolled up over its subtree; `parent` None at the root (or when the
    parent is not in the partition)."""

    los_id: str
    parent: str | None
    people: int
    is_published: bool


@dataclass(frozen=True)
class GroupRow:
    """A staff-group row of a unit: `people` rolled up over its subtree; `is_hidden` when an earlier step
    (or the group's own smallness) already hides it."""

    los_id: str
    group: str
    people: int
    is_hidden: bool


class _Partition:
    """The quantities and relations of one partition, fixed across rounds (the totals never change; only
    which group rows are published does)."""

    def __init__(self, totals: Sequence[UnitTotal], groups: Sequence[GroupRow]):
        units = {total.los_id: total for total in totals}
        children: dict[str, list[str]] = defaultdict(list)
        parent_of: dict[str, str | None] = {}
        for total in totals:
            # a parent not in the partition (a branch outside the tree) is no parent
            parent = total.parent if total.parent in units else None
            parent_of[total.los_id] = parent
            if parent is not None:
                children[parent].append(total.los_id)

        # F(u, s): the rolled-up figures; '~' is the total minus the unit's group rows
        figures: dict[tuple[str, str], int] = {}
        for total in totals:
            figures[(total.los_id, TOTAL)] = total.people
        grouped_people: dict[str, int] = defaultdict(int)
        for row in groups:
            figures[(row.los_id, row.group)] = row.people
            grouped_people[row.los_id] += row.people
        for total in totals:
            figures[(total.los_id, UNGROUPED)] = total.people - grouped_people[total.los_id]

        self.quantity_index: dict[tuple[str, str, str], int] = {}
        people: list[int] = []

        def quantity(kind: str, los_id: str, column: str, value: int) -> int:
            index = len(people)
            self.quantity_index[(kind, los_id, column)] = index
            people.append(value)
            return index

        for (los_id, column), value in figures.items():
            quantity("F", los_id, column, value)
        # x(u, s): u's own people, F(u, s) minus its children's F(c, s)
        own_people: dict[tuple[str, str], int] = {}
        for (los_id, column), value in figures.items():
            below = sum(figures.get((child, column), 0) for child in children.get(los_id, ()))
            own_people[(los_id, column)] = value - below
            quantity("x", los_id, column, value - below)
        self.people = np.array(people, dtype=np.int64)
        self.quantity_keys = list(self.quantity_index)  # in index order: inserted in it

        # the relations' members: (relation, member quantity, is the whole)
        self.relations: list[tuple[str, str, str]] = []
        member_relation: list[int] = []
        member_quantity: list[int] = []
        member_is_whole: list[bool] = []

        def relation(key: tuple[str, str, str], members: Iterable[tuple[int, bool]]) -> None:
            relation_index = len(self.relations)
            self.relations.append(key)
            for quantity_index, is_whole in members:
                member_relation.append(relation_index)
                member_quantity.append(quantity_index)
                member_is_whole.append(is_whole)

        index = self.quantity_index
        columns_of: dict[str, list[str]] = defaultdict(list)
        for los_id, column in figures:
            columns_of[los_id].append(column)
            # tree(u, s): F(u, s) = sum of the children's F(c, s) + x(u, s)
            relation(
                ("tree", los_id, column),
                [(index[("F", los_id, column)], True)]
                + [
                    (index[("F", child, column)], False)
                    for child in children.get(los_id, ())
                    if (child, column) in figures
                ]
                + [(index[("x", los_id, column)], False)],
            )
        for los_id, columns in columns_of.items():
            # split(u) over the figures, own(u) over the own people: the total = its columns
            for name, kind in (("split", "F"), ("own", "x")):
                relation((name, los_id, ""), [(index[(kind, los_id, column)], column == TOTAL) for column in columns])

        self.member_relation = np.array(member_relation, dtype=np.int64)
        self.member_quantity = np.array(member_quantity, dtype=np.int64)
        self.member_is_whole = np.array(member_is_whole, dtype=bool)
        self.relation_count = len(self.relations)
        self.relation_members: dict[int, list[int]] = defaultdict(list)
        for position, relation_index in enumerate(member_relation):
            self.relation_members[relation_index].append(position)

        # the group rows, ranked for the choice of the smallest complement: fewest people, then los_id, group
        self.groups = list(groups)
        self.group_index = {(row.los_id, row.group): position for position, row in enumerate(self.groups)}
        order = sorted(range(len(self.groups)), key=lambda i: (groups[i].people, groups[i].los_id, groups[i].group))
        self.group_rank = np.empty(len(self.groups), dtype=np.int64)
        self.group_rank[order] = np.arange(len(self.groups))
        self.group_by_rank = order
        self.group_figure = np.array([index[("F", row.los_id, row.group)] for row in self.groups], dtype=np.int64)
        self.groups_of_unit: dict[str, list[int]] = defaultdict(list)
        self.groups_of_column: dict[str, list[int]] = defaultdict(list)
        for position, row in enumerate(self.groups):
            self.groups_of_unit[row.los_id].append(position)
            self.groups_of_column[row.group].append(position)

        self.published_totals = [index[("F", total.los_id, TOTAL)] for total in totals if total.is_published]

        # regions: each unit's nearest published total (itself or above), and its people
        self.ancestors: dict[str, list[str]] = {}
        for los_id in units:
            chain, node = [], los_id
            while node is not None:
                chain.append(node)
                node = parent_of[node]
            self.ancestors[los_id] = chain
        self.region_of: dict[str, str] = {}
        for los_id, chain in self.ancestors.items():
            region = next((node for node in chain if units[node].is_published), None)
            if region is not None:
                self.region_of[los_id] = region
        self.region_people: dict[str, int] = defaultdict(int)
        for los_id, region in self.region_of.items():
            self.region_people[region] += own_people[(los_id, TOTAL)]
        # the cells a block sums: a unit's own people of a staff group, where not 0
        self.group_cells = [
            (row.los_id, row.group, own_people[(row.los_id, row.group)])
            for row in self.groups
            if row.los_id in units and own_people[(row.los_id, row.group)] != 0
        ]

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

    def smallest_published(self, is_published_group: np.ndarray) -> tuple[dict[str, int], dict[str, int], int | None]:
        """Of the published group rows: the smallest of each unit, of each group, and of the partition."""
        of_unit: dict[str, int] = {}
        of_column: dict[str, int] = {}
        for position in self.group_by_rank:
            if is_published_group[position]:
                row = self.groups[position]
                of_unit.setdefault(row.los_id, position)
                of_column.setdefault(row.group, position)
        overall = next((c for c in self.group_by_rank if is_published_group[c]), None)
        return of_unit, of_column, overall

    def smallest_complement(
        self,
        relation_index: int,
        known: np.ndarray,
        is_published_group: np.ndarray,
        smallest_published: tuple[dict[str, int], dict[str, int], int | None],
    ) -> int | None:
        """The group row a violating relation hides: its own published group row with the fewest people,
        else one of its unit's, else one of a group it learnt, else the partition's smallest."""
        smallest_of_unit, smallest_of_column, smallest_overall = smallest_published
        _, rel_unit, _ = self.relations[relation_index]
        own_rows = []
        learnt_columns = set()
        for quantity_index in self.member_quantity[self.relation_members[relation_index]]:
            kind, los_id, column = self.quantity_keys[quantity_index]
            group_row = self.group_index.get((los_id, column)) if kind == "F" else None
            if group_row is not None and is_published_group[group_row]:
                own_rows.append(group_row)
            if known[quantity_index] and column not in (TOTAL, UNGROUPED) and self.people[quantity_index] > 0:
                learnt_columns.add(column)
        if own_rows:
            return min(own_rows, key=lambda c: self.group_rank[c])
        if rel_unit in smallest_of_unit:
            return smallest_of_unit[rel_unit]
        of_learnt = [smallest_of_column[column] for column in learnt_columns if column in smallest_of_column]
        if of_learnt:
            return min(of_learnt, key=lambda c: self.group_rank[c])
        return smallest_overall

    def region_violations(self, is_published_group: np.ndarray, min_cell: int) -> list[int]:
        """For each region whose people minus the blocks of the published group rows lying wholly in it
        leave 1..min_cell-1 people: its smallest published group row with a block in it."""
        # a cell's block: the nearest published row of its group at the unit or above
        block_people: dict[tuple[str, str], int] = defaultdict(int)
        block_regions: dict[tuple[str, str], set[str | None]] = defaultdict(set)
        for los_id, column, people in self.group_cells:
            block_unit = next(
                (
                    node
                    for node in self.ancestors[los_id]
                    if (node, column) in self.group_index and is_published_group[self.group_index[(node, column)]]
                ),
                None,
            )
            if block_unit is None:
                continue
            block_people[(block_unit, column)] += people
            block_regions[(block_unit, column)].add(self.region_of.get(los_id))
        blocks_of_region: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for block, regions in block_regions.items():
            if len(regions) == 1 and None not in regions:
                blocks_of_region[next(iter(regions))].append(block)
        chosen = []
        for region, blocks in blocks_of_region.items():
            residual = self.region_people[region] - sum(block_people[block] for block in blocks)
            if 1 <= residual <= min_cell - 1:
                chosen.append(min((self.group_index[block] for block in blocks), key=lambda c: self.group_rank[c]))
        return chosen


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
