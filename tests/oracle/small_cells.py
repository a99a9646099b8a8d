"""Oracle for small-cell suppression of the org-unit marts, in plain Python (no SQL, no `pipelines`).

The rule, read from the contract (§4) and the README section "Small cells and secondary suppression":
- a row is hidden as a `small_group` when the population it describes (respondents, headcount, linked
  respondents) is below min_cell, 0 included;
- no group of 1..min_cell-1 people may be derivable by subtracting published rows: for each published
  unit, its population minus that of its nearest published descendants (its *residual*) must be 0 or at
  least min_cell. Where it is not, one more unit is hidden (`secondary`): among the nearest published
  descendants, one with a residual of its own (not 0) before one without, then the smallest population,
  then the smallest los_id; it is hidden alone when its residual is not 0, else with everything below it.
  A negative residual (someone counted in two sub-units) hides everything below the unit.
Here the rule is applied as stated, round after round until nothing changes (the pipeline claims one
round is enough; agreement of the two is part of what the end-to-end tests check).
"""

from __future__ import annotations

from collections.abc import Mapping

SMALL_GROUP = "small_group"
SECONDARY = "secondary"


def suppression_reasons(
    tree: Mapping[str, str | None], population: Mapping[str, int], min_cell: int
) -> dict[str, str | None]:
    """los_id -> 'small_group' / 'secondary' / None (published), for one tree and one population.

    `tree`: los_id -> parent los_id (None, or a unit not in the tree, for the top of a branch).
    """
    children: dict[str, list[str]] = {unit: [] for unit in tree}
    for unit, parent in tree.items():
        if parent is not None and parent in tree:
            children[parent].append(unit)
    reason: dict[str, str | None] = {unit: SMALL_GROUP if population[unit] < min_cell else None for unit in tree}

    def everything_below(unit: str) -> set[str]:
        found: set[str] = set()
        stack = list(children[unit])
        while stack:
            child = stack.pop()
            found.add(child)
            stack.extend(children[child])
        return found

    def nearest_published_below(unit: str) -> list[str]:
        found: list[str] = []
        stack = list(children[unit])
        while stack:
            child = stack.pop()
            if reason[child] is None:
                found.append(child)
            else:
                stack.extend(children[child])
        return found

    def residual(unit: str) -> int:
        return population[unit] - sum(population[below] for below in nearest_published_below(unit))

    while True:
        to_hide: set[str] = set()
        for unit in sorted(tree):
            if reason[unit] is not None:
                continue
            left = residual(unit)
            if left == 0 or left >= min_cell:
                continue
            if left < 0:
                to_hide |= everything_below(unit)
                continue
            chosen = min(nearest_published_below(unit), key=lambda c: (residual(c) == 0, population[c], c))
            to_hide |= {chosen} if residual(chosen) != 0 else {chosen} | everything_below(chosen)
        newly_hidden = {unit for unit in to_hide if reason[unit] is None}
        if not newly_hidden:
            return reason
        for unit in newly_hidden:
            reason[unit] = SECONDARY


def subset_suppression_reasons(
    tree: Mapping[str, str | None],
    subset: Mapping[str, int],
    full: Mapping[str, int],
    full_reasons: Mapping[str, str | None],
    min_cell: int,
) -> dict[str, str | None]:
    """Reasons for a mart whose rows describe a subset (`subset`, e.g. linked respondents) of the people
    of another published mart's rows (`full`, e.g. all respondents, hidden where `full_reasons` says).

    The rest (full minus subset, e.g. the unlinked respondents) of any published row could be computed by
    subtracting the two marts, so: a unit whose subtree holds no rest is published exactly where the full
    mart publishes it; a top unit with a rest of min_cell or more is published where the full mart
    publishes it and its subset minus the subset of the nearest published units below is 0 or at least
    min_cell; every other unit with a subset of min_cell or more is hidden ('secondary')."""
    children: dict[str, list[str]] = {unit: [] for unit in tree}
    for unit, parent in tree.items():
        if parent is not None and parent in tree:
            children[parent].append(unit)

    def as_full(unit: str) -> bool:
        # (with min_cell 1 or less no group is too small, whatever the rest)
        rest = full[unit] - subset[unit]
        return full_reasons[unit] is None and subset[unit] >= min_cell and (rest == 0 or min_cell <= 1)

    reason: dict[str, str | None] = {}
    for unit in tree:
        if subset[unit] < min_cell:
            reason[unit] = SMALL_GROUP
        elif as_full(unit):
            reason[unit] = None
        elif (tree[unit] is None or tree[unit] not in tree) and full_reasons[unit] is None:
            below, stack = 0, list(children[unit])
            while stack:
                child = stack.pop()
                if as_full(child):
                    below += subset[child]
                else:
                    stack.extend(children[child])
            rest, left = full[unit] - subset[unit], subset[unit] - below
            reason[unit] = None if rest >= min_cell and (left == 0 or left >= min_cell) else SECONDARY
        else:
            reason[unit] = SECONDARY
    return reason
