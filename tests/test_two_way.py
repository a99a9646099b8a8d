"""The hiding of two-way suppression (pipelines/privacy/two_way.py) on small hand-worked trees, and its DuckDB
function. The rule: dbt_project/macros/two_way_suppression.sql's header; MIN_CELL 5 throughout."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.privacy.two_way import GroupRow, UnitTotal, two_way_hidden
from pipelines.transform.duckdb_functions import register_functions

MIN_CELL = 5


def groups(*rows: tuple[str, str, int], hidden: set[tuple[str, str]] = frozenset()) -> list[GroupRow]:
    return [GroupRow(los_id, group, people, (los_id, group) in hidden) for los_id, group, people in rows]


def test_a_unit_whose_groups_leave_a_small_ungrouped_residual_hides_its_smallest_group():
    # 17 - 7 - 8 = 2 ungrouped people: hiding g (the fewer people) leaves 7 + 2 unknown
    totals = [UnitTotal("a", None, 17, True)]
    assert two_way_hidden(totals, groups(("a", "g", 7), ("a", "h", 8)), MIN_CELL) == {("a", "g")}


def test_ties_go_to_the_smaller_los_id_then_group():
    totals = [UnitTotal("a", None, 16, True)]
    assert two_way_hidden(totals, groups(("a", "h", 7), ("a", "g", 7)), MIN_CELL) == {("a", "g")}
    # r 40 (published) above a and b (7 each, hidden totals); group g published at all three, nobody
    # else grouped: r's groups leave 2 ungrouped (split(r)), which hides r's own g row (38); the region
    # of r (40 people, blocks 24 + 7 + 7) leaves 2 too and hides its smallest block's row: a and b tie
    # at 7, "a" < "b". Afterwards only (b, g) is published: nothing small is left.
    totals = [UnitTotal("r", None, 40, True), UnitTotal("b", "r", 7, False), UnitTotal("a", "r", 7, False)]
    rows = groups(("r", "g", 38), ("b", "g", 7), ("a", "g", 7))
    assert two_way_hidden(totals, rows, MIN_CELL) == {("r", "g"), ("a", "g")}
    assert two_way_hidden(totals, list(reversed(rows)), MIN_CELL) == {("r", "g"), ("a", "g")}


def _root_and_child(residual: int) -> tuple[list[UnitTotal], list[GroupRow]]:
    """A root r and its child c, both totals published. c: g 8, h 6, ungrouped 6 (total 20). r's own
    people: g 5, h 5 and `residual` ungrouped: each way alone is safe (r's groups leave 6 + residual
    ungrouped, every own cell of a group is 5), but (r total - its groups) - (c total - its groups)
    = residual."""
    totals = [UnitTotal("r", None, 30 + residual, True), UnitTotal("c", "r", 20, True)]
    rows = groups(("r", "g", 13), ("r", "h", 11), ("c", "g", 8), ("c", "h", 6))
    return totals, rows


@pytest.mark.parametrize("residual", [1, 2, 3, 4])
def test_a_small_residual_across_both_ways_hides_the_units_smallest_group(residual):
    # tree(r,'~') and own(r) give x(r,'~') = residual away; their own group rows are none (x, '~'),
    # so each hides its unit's smallest: (r, h) with 11; so does the region of r (its 10 + residual
    # own people minus the blocks of (r, g) and (r, h), 5 each). Afterwards r's own h and ungrouped
    # people are unknown together: 5 + residual.
    totals, rows = _root_and_child(residual)
    assert two_way_hidden(totals, rows, MIN_CELL) == {("r", "h")}


def test_a_residual_of_min_cell_hides_nothing():
    totals, rows = _root_and_child(MIN_CELL)
    assert two_way_hidden(totals, rows, MIN_CELL) == set()


def test_a_closure_that_does_not_settle_within_its_steps_hides_every_group_row():
    # learning x(r,'~') needs F(r,'~') first: two steps
    totals, rows = _root_and_child(2)
    every_row = {(row.los_id, row.group) for row in rows}
    assert two_way_hidden(totals, rows, MIN_CELL, closure_steps=1) == every_row
    assert two_way_hidden(totals, rows, MIN_CELL, closure_steps=None) == {("r", "h")}


def test_a_residual_learnt_from_a_hidden_row_hides_a_row_of_the_learnt_group():
    # r 20 (published) above a and b (10 each, hidden totals); g: r 18 (hidden), a 9, b 9 (published).
    # tree(r, g) gives r's 18 away (r's own g people are 0), then split(r) r's 2 ungrouped people.
    # split(r) has no published row of its own nor of its unit: it hides one of the group it learnt,
    # g: (a, g) (9, tied with b, "a" < "b"); tree(r, '~') learnt no group and hides the partition's
    # smallest, the same row; so does the region of r (20 people, blocks 9 + 9). Afterwards r's g is
    # unknown again and the region leaves 11.
    totals = [UnitTotal("r", None, 20, True), UnitTotal("a", "r", 10, False), UnitTotal("b", "r", 10, False)]
    rows = groups(("r", "g", 18), ("a", "g", 9), ("b", "g", 9), hidden={("r", "g")})
    assert two_way_hidden(totals, rows, MIN_CELL) == {("a", "g")}


def test_a_partition_that_must_give_up_hides_every_group_row_and_never_a_total():
    # r 30 and c 27 published: r's own 3 people are derived from the totals alone, which no group row can
    # protect; round after round hides one more row until none is left, then every one is hidden
    totals = [UnitTotal("r", None, 30, True), UnitTotal("c", "r", 27, True)]
    rows = groups(("r", "g", 20), ("c", "g", 18), ("c", "h", 9), hidden={("c", "h")})
    assert two_way_hidden(totals, rows, MIN_CELL) == {("r", "g"), ("c", "g")}
    # out of rounds: the same, at once
    assert two_way_hidden(totals, rows, MIN_CELL, rounds=0) == {("r", "g"), ("c", "g")}


def test_negative_ungrouped_residuals_from_people_with_several_posts():
    # u has 10 people but its groups count 12 (two people with posts in both groups): '~' = -2.
    # Published g alone: h (6, hidden) and '~' (-2) are unknown together: 4 people -> hide g.
    totals = [UnitTotal("u", None, 10, True)]
    assert two_way_hidden(totals, groups(("u", "g", 6), ("u", "h", 6), hidden={("u", "h")}), MIN_CELL) == {("u", "g")}
    # both published: '~' = -2 is learnt, which is no group of 1..4 people: nothing to hide
    assert two_way_hidden(totals, groups(("u", "g", 6), ("u", "h", 6)), MIN_CELL) == set()


def test_the_duckdb_function_returns_each_partitions_hidden_rows():
    connection = duckdb.connect()
    register_functions(connection)
    hidden = connection.sql(
        """
        select digilead_two_way_hidden(
            [{'los_id': 'a', 'personalekategori': 'g', 'people': 7, 'is_hidden': false},
             {'los_id': 'a', 'personalekategori': 'h', 'people': 8, 'is_hidden': false}],
            [{'los_id': 'a', 'parent_los_id': null, 'people': 17, 'is_published': true}],
            5, 10, 40
        )
        from range(3)
        """
    ).fetchall()
    assert hidden == [([{"los_id": "a", "personalekategori": "g"}],)] * 3


def test_partitions_with_the_same_rows_are_computed_once_and_others_apart(monkeypatch):
    from pipelines.transform import duckdb_functions

    computed = []
    real = duckdb_functions.two_way_hidden
    monkeypatch.setattr(duckdb_functions, "two_way_hidden", lambda *a, **k: computed.append(a) or real(*a, **k))
    duckdb_functions._partition_hidden.cache_clear()
    connection = duckdb.connect()
    register_functions(connection)
    hidden = connection.sql(
        """
        select area, digilead_two_way_hidden(
            [{'los_id': 'a', 'personalekategori': 'g', 'people': 7, 'is_hidden': false},
             {'los_id': 'a', 'personalekategori': 'h', 'people': people_h, 'is_hidden': false}],
            [{'los_id': 'a', 'parent_los_id': null, 'people': 17, 'is_published': true}],
            5, 10, 40
        )
        from (values ('x', 8), ('y', 8), ('z', 10), ('w', 8)) as areas (area, people_h)
        order by area
        """
    ).fetchall()
    # 17 - 7 - 8 = 2 gives a group away (hide g); 17 - 7 - 10 = 0 gives nothing away
    g_hidden = [{"los_id": "a", "personalekategori": "g"}]
    assert hidden == [("w", g_hidden), ("x", g_hidden), ("y", g_hidden), ("z", [])]
    assert len(computed) == 2


def test_a_unit_whose_parent_is_outside_the_partition_is_a_root():
    # a (17, published; its parent is in another partition) has child b (9, not published); b/h is hidden.
    # a/g 7 minus b/g 6 gives a's own g away (1 person): tree(a, g) hides its smallest row, b/g, and a's own
    # people, where that 1 is a member, hide a's smallest row, a/g.
    totals = [UnitTotal("a", "elsewhere", 17, True), UnitTotal("b", "a", 9, False)]
    rows = groups(("a", "g", 7), ("a", "h", 10), ("b", "g", 6), ("b", "h", 3), hidden={("b", "h")})
    assert two_way_hidden(totals, rows, MIN_CELL) == {("b", "g"), ("a", "g")}
    assert two_way_hidden(list(reversed(totals)), list(reversed(rows)), MIN_CELL) == {("b", "g"), ("a", "g")}


def test_a_parent_with_group_rows_but_no_total_row_is_no_parent():
    # p has a group row but no total row: a is a root, and 17 - 7 - 8 = 2 people in no group hide a/g as in
    # the first test; p/g (30) is a unit of its own, which gives nothing away
    totals = [UnitTotal("a", "p", 17, True)]
    assert two_way_hidden(totals, groups(("a", "g", 7), ("a", "h", 8), ("p", "g", 30)), MIN_CELL) == {("a", "g")}


def test_two_total_rows_of_one_unit_are_refused():
    with pytest.raises(ValueError, match="more than one total row"):
        two_way_hidden([UnitTotal("a", None, 17, True), UnitTotal("a", None, 17, True)], groups(), MIN_CELL)


def test_the_duckdb_function_reads_nulls_and_many_partitions_from_several_threads():
    connection = duckdb.connect()
    connection.execute("set threads = 4")
    register_functions(connection)
    rows = connection.sql(
        """
        select i, digilead_two_way_hidden(
            case when i % 7 = 3 then null else
            [{'los_id': 'a', 'personalekategori': 'g', 'people': 7, 'is_hidden': null},
             {'los_id': 'a', 'personalekategori': 'h', 'people': case when i % 2 = 0 then 8 else null end,
              'is_hidden': false}] end,
            [{'los_id': 'a', 'parent_los_id': null, 'people': 17, 'is_published': true}],
            5, 10, 40
        )
        from range(20000) as numbers (i)
        order by i
        """
    ).fetchall()
    assert len(rows) == 20000
    for i, hidden in rows:
        if i % 7 == 3:  # no list of group rows: DuckDB answers null without calling the function
            assert hidden is None
        elif i % 2 == 0:  # 17 - 7 - 8 = 2 people in no group: g, the smaller, is hidden
            assert hidden == [{"los_id": "a", "personalekategori": "g"}]
        else:  # h's people unknown (null: 0): 17 - 7 = 10 people in no group, nothing given away
            assert hidden == []
