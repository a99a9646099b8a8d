"""The small-cell oracle (tests/oracle/small_cells.py) on hand-made trees, min_cell 5.

The same trees as the dbt unit test `test_digital_maturity_secondary_suppression`, worked out by hand."""

from __future__ import annotations

import pytest

from tests.oracle.small_cells import subset_suppression_reasons, suppression_reasons

S, X = "small_group", "secondary"


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        # R = A + B, but A (12) minus its child A1 (10) leaves 2: A1 is hidden (it has people of its own)
        ({"R": (None, 30), "A": ("R", 12), "A1": ("A", 10), "B": ("R", 18)}, {"A1": X}),
        # R minus S, U and the small X leaves 3: U goes (a residual of its own), not S (residual 0), never R
        (
            {"R": (None, 20), "S": ("R", 12), "T1": ("S", 6), "T2": ("S", 6), "U": ("R", 5), "X": ("R", 2)},
            {"U": X, "X": S},
        ),
        # the only child has no people of its own: it goes with its subtree
        ({"R": (None, 15), "S": ("R", 13), "T1": ("S", 7), "T2": ("S", 6)}, {"S": X, "T1": X, "T2": X}),
        # children adding up to more than the parent (someone counted twice): everything below goes
        ({"R": (None, 10), "A": ("R", 6), "B": ("R", 6), "A1": ("A", 5)}, {"A": X, "B": X, "A1": X}),
        # equal children: the smaller los_id goes
        ({"R": (None, 40), "A": ("R", 10), "B": ("R", 10), "C": ("R", 17)}, {"A": X}),
        # a small root; a branch whose parent is not in the tree stands alone
        ({"R": (None, 3), "O": ("gone", 7), "O1": ("O", 4)}, {"R": S, "O1": S}),
        # the case: parent minus its published children gives the small child's group
        ({"R": (None, 20), "B": ("R", 2), "C": ("R", 9), "D": ("R", 9)}, {"B": S, "C": X}),
        # nothing to hide: residuals 0 or >= min_cell everywhere; zero-population units are small groups
        ({"R": (None, 25), "A": ("R", 10), "B": ("R", 10), "Z": ("R", 0)}, {"Z": S}),
    ],
)
def test_suppression_reasons_on_hand_made_trees(units: dict, expected: dict) -> None:
    tree = {unit: parent for unit, (parent, _) in units.items()}
    population = {unit: size for unit, (_, size) in units.items()}
    assert suppression_reasons(tree, population, min_cell=5) == {unit: expected.get(unit) for unit in units}


def test_subset_suppression_reasons_hide_small_groups_of_the_rest() -> None:
    # min_cell 3, the trees of the dbt unit test test_training_after_maturity_unlinked_respondents_stay_hidden:
    # subset = linked respondents, full = all respondents (digital_maturity, which publishes every row here)
    tree = {"R": None, "C1": "R", "C2": "R"}
    published = {"R": None, "C1": None, "C2": None}
    # R has 4 unlinked (>= 3) and R minus C1 leaves 6 linked; C1 has none; C2 has 2
    reasons = subset_suppression_reasons(tree, {"R": 12, "C1": 6, "C2": 6}, {"R": 16, "C1": 6, "C2": 8}, published, 3)
    assert reasons == {"R": None, "C1": None, "C2": "secondary"}
    # the root with a single unlinked respondent is hidden too
    reasons = subset_suppression_reasons(tree, {"R": 12, "C1": 6, "C2": 6}, {"R": 13, "C1": 6, "C2": 7}, published, 3)
    assert reasons == {"R": "secondary", "C1": None, "C2": "secondary"}
    # whatever the full mart hides is hidden; a small subset is a small group
    hidden_root = {"R": "secondary", "C1": None, "C2": None}
    reasons = subset_suppression_reasons(tree, {"R": 12, "C1": 2, "C2": 6}, {"R": 12, "C1": 2, "C2": 6}, hidden_root, 3)
    assert reasons == {"R": "secondary", "C1": "small_group", "C2": None}
