"""Shared by the tests that compare two warehouses built from the same files (a crash and its re-run
against a run that never crashed; a duplicate delivery against none): tables as rows, compared with a
tolerance for floats.

DuckDB sums floats in parallel, in no fixed order, so a mean may differ in its last bit between two
builds of the same data. Rounding both sides to a number of digits is not enough: two values one bit
apart can round to different sides of a rounding boundary. Rows are therefore matched on their
non-float values and their floats compared with a relative tolerance.
"""

from __future__ import annotations

import math
from collections import defaultdict

import duckdb

RELATIVE_TOLERANCE = 1e-9


def _exact(value: object) -> object:
    return "<NaN>" if isinstance(value, float) and math.isnan(value) else value


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """The query's rows, NaN made comparable, in a stable order."""
    return sorted((tuple(_exact(v) for v in row) for row in con.execute(sql).fetchall()), key=repr)


def _key(row: tuple) -> str:
    return repr(tuple("<float>" if isinstance(v, float) else v for v in row))


def _same(x: object, y: object) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)
    return x == y


def _close(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))


def unmatched(want: list[tuple], got: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """(rows only in `got`, rows only in `want`): rows match when their non-float values are equal and
    their floats are equal within the tolerance."""
    waiting: dict[str, list[tuple]] = defaultdict(list)
    for row in want:
        waiting[_key(row)].append(row)
    extra = []
    for row in got:
        candidates = waiting.get(_key(row), [])
        match = next((i for i, candidate in enumerate(candidates) if _close(candidate, row)), None)
        if match is None:
            extra.append(row)
        else:
            candidates.pop(match)
    return extra, [row for candidates in waiting.values() for row in candidates]


def differences(expected: dict[str, object], actual: dict[str, object]) -> list[str]:
    """What differs between two snapshots {name: rows or any comparable value}, in words."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"{name}: missing in the second")
            continue
        if name not in expected:
            problems.append(f"{name}: only in the second")
            continue
        want, got = expected[name], actual[name]
        if isinstance(want, list) and isinstance(got, list):
            extra, lost = unmatched(want, got)
            if extra or lost:
                problems.append(
                    f"{name}: {len(got)} rows/files instead of {len(want)}; extra {extra[:3]}; missing {lost[:3]}"
                )
        elif want != got:
            problems.append(f"{name}: differs: {str(got)[:400]} instead of {str(want)[:400]}")
    return problems
