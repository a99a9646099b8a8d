"""The differencing attack: no group smaller than DIGILEAD_MIN_CELL can be derived from the published marts.

A municipality of ~300 employees is generated and run (`digilead generate` + `digilead run`, as in
tests/test_end_to_end.py); then every mart in `published/` (the serving DuckDB and the Parquet copies) is
attacked as an analyst could: org-unit rows are rolled up over the org tree, so a published unit minus its
nearest published sub-units gives the measures of the people in between (its directly placed people plus
any hidden sub-units). Every such group must hold 0 or at least MIN_CELL people. Every published mart must
be listed below, either as a per-unit mart (attacked) or with the reason it publishes no measure of a
group of people, so a new mart cannot slip past the attack.

Select with `pytest -m e2e`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.test_end_to_end import _digilead, _env, _tail

pytestmark = pytest.mark.e2e

MIN_CELL = 5
GENERATE = ["--municipality", "0751", "--employees", "300", "--waves", "4", "--seed", "11"]


@dataclass(frozen=True)
class UnitMart:
    """A mart of org-unit rows rolled up over the org tree: one table per `tree_by` + `split_by` values."""

    tree_by: tuple[str, ...]  # the columns naming one org tree (municipality and period)
    split_by: tuple[str, ...]  # further columns splitting the rows over that tree into separate tables
    population: str  # the people a row's measures describe
    measures: tuple[str, ...]  # what a suppressed row must not publish
    least_published: float = 0.1  # a smaller share of published rows means the mart shows (nearly) nothing


UNIT_MARTS = {
    "digital_maturity": UnitMart(
        ("kommunekode", "wave"),
        ("competence_area",),
        "respondents",
        ("mean_score", "share_basic", "share_advanced", "prev_mean_score", "change"),
    ),
    "training_uptake": UnitMart(
        ("kommunekode", "month"),
        ("competence_area",),
        "headcount",
        ("completions", "people_trained", "training_hours", "hours_per_fte", "coverage_12m", "people_trained_12m"),
    ),
    "digital_maturity_by_staff_group": UnitMart(
        ("kommunekode", "wave"),
        ("competence_area", "personalekategori"),
        "respondents",
        ("mean_score", "share_basic", "share_advanced"),
        # protected both along the tree and across the groups of a unit, with digital_maturity's unit totals
        # (atoms, a sufficient but conservative rule): in a municipality of 300 most unit x group cells are
        # small or set a few people apart; about 3 % of the rows are published, none at the root
        least_published=0.02,
    ),
    "training_uptake_by_staff_group": UnitMart(
        ("kommunekode", "month"),
        ("personalekategori",),
        "headcount",
        ("people_trained_12m", "coverage_12m"),
        least_published=0.02,
    ),
    "training_after_maturity": UnitMart(
        ("kommunekode", "wave"),
        ("competence_area",),
        "linked_respondents",
        ("basic_respondents", "basic_trained_6m", "share_basic_trained_6m", "trained_6m", "share_trained_6m"),
    ),
}
NO_PERSON_MEASURES = {
    "dim_org_unit": "the org units and their history",
    "dim_competence": "the DigComp catalogue",
    "dim_initiative": "benefit initiatives (projects, not people)",
    "dim_benefit": "benefits of initiatives",
    "benefit_realisation": "money and hours of initiatives, no people",
    "benefit_realisation_by_org_unit": "money and hours of initiatives by unit, no people",
    "benefit_realisation_by_sektor": "money and hours of initiatives by sector, no people",
    "benefit_measurement_history": "measurements of benefits",
    "benefit_status_changes": "status changes of benefits",
    "data_quality": "counts of records and respondents per file or period (population figures), no measures",
    "dq_survey_respondents": "counts of respondents per wave (population figures), no measures",
    "dq_training_records": "counts of training records per file month, no measures of people",
    "dq_files": "the files seen and what became of them",
    "dq_hr_employees": "counts of HR posts per extract month (population figures), no measures",
    "benchmark_municipality": "whole-municipality figures set against each other, taken from published root rows only",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, pseudonym_key: str) -> Path:
    home = tmp_path_factory.mktemp("small_cells") / "home"
    env = _env(home, pseudonym_key)
    env["DIGILEAD_MIN_CELL"] = str(MIN_CELL)
    generated = _digilead(env, "generate", *GENERATE, "--out", str(home / "landing"))
    assert generated.returncode == 0, _tail(generated)
    run = _digilead(env, "run")
    assert run.returncode == 0, _tail(run)
    return home / "published"


def _published_copies(folder: Path) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """(copy, mart, rows) for every mart in the serving DuckDB and in the Parquet copies."""
    con = duckdb.connect(str(folder / "digilead.duckdb"), read_only=True)
    try:
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall():
            yield "duckdb", name, con.execute(f'select * from marts."{name}"').df()
    finally:
        con.close()
    for path in sorted((folder / "parquet").glob("*.parquet")):
        with duckdb.connect() as reader:  # a connection of its own: the default one may hold another result
            yield "parquet", path.stem, reader.read_parquet(str(path)).df()


def derivable_small_groups(rows: pd.DataFrame, mart: UnitMart, min_cell: int, negative_too: bool = True) -> list[str]:
    """Every published unit whose people minus those of its nearest published sub-units number 1..min_cell-1
    (or, with negative_too, less than 0: someone counted twice below it), as the attacker finds them."""
    found = []
    for keys, table in rows.groupby(list(mart.tree_by + mart.split_by)):
        units = table.set_index("los_id")
        population = units[mart.population].astype(int).to_dict()
        is_published = (~units["suppressed"].astype(bool)).to_dict()
        children: dict[str, list[str]] = {unit: [] for unit in units.index}
        for unit, parent in units["parent_los_id"].items():
            if isinstance(parent, str) and parent in children:
                children[parent].append(unit)
        for unit in units.index:
            if not is_published[unit]:
                continue
            below, stack = 0, list(children[unit])
            while stack:  # down through hidden units to the nearest published ones
                child = stack.pop()
                if is_published[child]:
                    below += population[child]
                else:
                    stack.extend(children[child])
            left = population[unit] - below
            if 0 < left < min_cell or (negative_too and left < 0):
                found.append(f"{keys} {unit}: {population[unit]} minus published sub-units = {left} people")
    return found


def test_every_published_mart_is_attacked_or_holds_no_measure_of_people(published: Path) -> None:
    marts = {(copy, mart) for copy, mart, _ in _published_copies(published)}
    assert {mart for _, mart in marts} and {copy for copy, _ in marts} == {"duckdb", "parquet"}
    unknown = sorted({mart for _, mart in marts} - set(UNIT_MARTS) - set(NO_PERSON_MEASURES))
    assert not unknown, f"published marts neither attacked nor exempt (add them to this test): {unknown}"
    missing = sorted({(copy, mart) for copy in ("duckdb", "parquet") for mart in UNIT_MARTS} - marts)
    assert not missing, f"per-unit marts not published: {missing}"


def test_no_small_group_can_be_derived_by_subtracting_published_rows(published: Path) -> None:
    problems, attacked = [], 0
    for copy, name, rows in _published_copies(published):
        mart = UNIT_MARTS.get(name)
        if mart is None:
            continue
        attacked += 1
        hidden = rows[rows["suppressed"].astype(bool)]
        leaking = [m for m in mart.measures if m in rows.columns and hidden[m].notna().any()]
        if leaking:
            problems.append(f"{copy} {name}: suppressed rows publish {leaking}")
        found = derivable_small_groups(rows, mart, MIN_CELL)
        if found:
            problems.append(f"{copy} {name}: {len(found)} of {len(rows)} rows leak a small group, e.g. {found[:3]}")
        if (~rows["suppressed"].astype(bool)).sum() <= len(rows) * mart.least_published:
            problems.append(f"{copy} {name}: nearly every row hidden ({len(hidden)} of {len(rows)})")
    assert attacked == 2 * len(UNIT_MARTS)
    assert not problems, "\n".join(problems)


def test_no_small_group_by_subtracting_published_staff_groups_from_their_unit(published: Path) -> None:
    # digital_maturity gives a unit's respondents, digital_maturity_by_staff_group its staff groups: the unit
    # minus its published groups leaves the ungrouped respondents and the hidden groups
    con = duckdb.connect(str(published / "digilead.duckdb"), read_only=True)
    leaking = con.execute(
        f"""
        select maturity.kommunekode, maturity.wave, maturity.los_id, maturity.competence_area,
            maturity.respondents - coalesce(sum(groups.respondents) filter (where not groups.suppressed), 0) as rest
        from marts.digital_maturity as maturity
        left join marts.digital_maturity_by_staff_group as groups
            using (kommunekode, wave, los_id, competence_area)
        where not maturity.suppressed
        group by maturity.kommunekode, maturity.wave, maturity.los_id, maturity.competence_area, maturity.respondents
        having rest between 1 and {MIN_CELL - 1}
        """
    ).fetchall()
    con.close()
    assert not leaking, f"{len(leaking)} units give away a small group of respondents, e.g. {leaking[:3]}"


def test_no_small_group_by_subtracting_staff_groups_along_the_tree(published: Path) -> None:
    con = duckdb.connect(str(published / "digilead.duckdb"), read_only=True)
    rows = con.execute(
        """
        select maturity.kommunekode, maturity.wave, maturity.los_id, maturity.parent_los_id,
            maturity.competence_area, maturity.suppressed,
            maturity.respondents - coalesce(sum(groups.respondents) filter (where not groups.suppressed), 0) as rest
        from marts.digital_maturity as maturity
        left join marts.digital_maturity_by_staff_group as groups
            using (kommunekode, wave, los_id, competence_area)
        group by maturity.kommunekode, maturity.wave, maturity.los_id, maturity.parent_los_id,
            maturity.competence_area, maturity.respondents, maturity.suppressed
        """
    ).df()
    con.close()
    mart = UnitMart(("kommunekode", "wave"), ("competence_area",), "rest", ())
    # (a negative leftover mixes people added and taken away: not a group)
    found = derivable_small_groups(rows, mart, MIN_CELL, negative_too=False)
    assert not found, f"{len(found)} units leave a small rest group, e.g. {found[:3]}"


def staff_group_atoms(units: pd.DataFrame, groups: pd.DataFrame) -> dict[tuple, int]:
    """The atoms of one org tree and area: (published unit totals above, group or None, published group rows
    above) -> people. `units`: digital_maturity rows indexed by los_id; `groups`: the staff-group rows.

    Base cells are the respondents placed directly at a unit in one staff group (or in none); cells that every
    published figure (a unit total, a group row) contains both or neither of form one atom."""
    parent = {u: p if isinstance(p, str) and p in units.index else None for u, p in units["parent_los_id"].items()}
    children: dict[str, list[str]] = {unit: [] for unit in units.index}
    for unit, up in parent.items():
        if up is not None:
            children[up].append(unit)
    total = units["respondents"].astype(int).to_dict()
    total_published = (~units["suppressed"].astype(bool)).to_dict()
    group_total = {(r.los_id, r.personalekategori): int(r.respondents) for r in groups.itertuples()}
    group_published = {(r.los_id, r.personalekategori) for r in groups.itertuples() if not r.suppressed}
    atoms: dict[tuple, int] = {}
    for unit in units.index:
        path, up = [], unit
        while up is not None:
            path.append(up)
            up = parent[up]
        region = frozenset(u for u in path if total_published[u])
        own_people = total[unit] - sum(total[c] for c in children[unit])
        for group in {g for (u, g) in group_total if u == unit}:
            own = group_total[(unit, group)] - sum(group_total.get((c, group), 0) for c in children[unit])
            own_people -= own
            covering = frozenset(u for u in path if (u, group) in group_published)
            signature = (region, group if covering else None, covering)
            atoms[signature] = atoms.get(signature, 0) + own
        ungrouped = (region, None, frozenset())
        atoms[ungrouped] = atoms.get(ungrouped, 0) + own_people
    return atoms


def test_every_atom_of_the_published_staff_groups_and_unit_totals_is_empty_or_large(published: Path) -> None:
    # the strongest form of the two attacks above: whatever can be added and subtracted from the published unit
    # totals (digital_maturity) and staff-group rows is made of whole atoms, so each must hold 0 or >= MIN_CELL
    con = duckdb.connect(str(published / "digilead.duckdb"), read_only=True)
    totals = con.execute("select * from marts.digital_maturity").df()
    groups = con.execute("select * from marts.digital_maturity_by_staff_group").df()
    con.close()
    keys = ["kommunekode", "wave", "competence_area"]
    group_tables = dict(iter(groups.groupby(keys)))
    problems, atoms_seen = [], 0
    for key, units in totals.groupby(keys):
        atoms = staff_group_atoms(units.set_index("los_id"), group_tables.get(key, groups.iloc[:0]))
        for (region, group, covering), people in atoms.items():
            if not region and not covering:
                continue  # in no published figure
            atoms_seen += 1
            if 0 < people < MIN_CELL:
                problems.append(
                    f"{key}: {people} people under totals {sorted(region)}, group {group} {sorted(covering)}"
                )
    assert atoms_seen > 100, "hardly any atoms: a weak attack"
    assert not problems, f"{len(problems)} small atoms, e.g. {problems[:3]}"


def test_every_area_of_a_training_month_is_hidden_alike(published: Path) -> None:
    # every area of a unit-month describes the same people (the unit's headcount), so the areas of one
    # unit are hidden together: 'all' minus the areas never isolates a smaller group
    rows = duckdb.connect(str(published / "digilead.duckdb"), read_only=True).sql(
        "select kommunekode, month, los_id, count(distinct suppressed) as patterns"
        " from marts.training_uptake group by all having patterns > 1"
    )
    assert rows.fetchall() == []


def test_no_small_group_of_unlinked_respondents_between_maturity_and_training_after_maturity(
    published: Path,
) -> None:
    # digital_maturity counts every respondent, training_after_maturity the linked ones: a published row of
    # each gives the unlinked respondents' basic count by subtraction, and so does every residual group
    con = duckdb.connect(str(published / "digilead.duckdb"), read_only=True)
    rows = con.execute(
        """
        select followup.*, maturity.respondents - followup.linked_respondents as unlinked_respondents,
            maturity.suppressed as maturity_suppressed
        from marts.training_after_maturity as followup
        inner join marts.digital_maturity as maturity using (kommunekode, wave, los_id, competence_area)
        """
    ).df()
    con.close()
    assert len(rows) and (rows["unlinked_respondents"] > 0).any(), "no unlinked respondents: a weak attack"
    published_only_here = rows[~rows["suppressed"].astype(bool) & rows["maturity_suppressed"].astype(bool)]
    assert published_only_here.empty, f"rows hidden in digital_maturity but not here: {len(published_only_here)}"
    mart = UnitMart(("kommunekode", "wave"), ("competence_area",), "unlinked_respondents", ())
    found = derivable_small_groups(rows, mart, MIN_CELL)
    assert not found, f"{len(found)} rows give away a small group of unlinked respondents, e.g. {found[:3]}"
