"""The org tree (LOS units) and how it changes: root -> forvaltning per sektor -> departments -> teams.

Changes, all taking effect on the first day of `change_month` (the second wave's first month, or
February in a one-wave run): one team moves to another department, one department is renamed, one
new team opens (gyldig_fra = that day), and one team is announced closed (gyldig_til = the change
month's last day); its staff move to a sibling and the unit is gone from the next month's file.
All of this happens before the survey month (March/September), so every respondent's unit is in
the tree at the wave's end."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date

from .danish import FLOWERS, PLACES, SEKTOR_UNITS, SEKTORS, municipality_name_and_domain
from .periods import Month


@dataclass(frozen=True)
class OrgUnit:
    los_id: str
    parent_los_id: str | None
    enhedsnavn: str
    enhedstype: str  # Kommune, Forvaltning, Afdeling, Enhed
    sektor: str
    gyldig_fra: date
    gyldig_til: date | None = None


@dataclass
class OrgChanges:
    month: Month
    moved_los_id: str
    renamed_los_id: str
    opened_los_id: str
    closing_los_id: str | None  # None when no department has two teams (very small runs)
    closing_successor_los_id: str | None
    closed_from: Month  # first month the closing unit is no longer in the tree


@dataclass
class OrgPlan:
    root: OrgUnit
    snapshots: dict[Month, list[OrgUnit]]  # the months an org file is delivered
    staff_weights: dict[str, float]  # los_id -> relative share of staff (teams, plus a little for leaders)
    changes: OrgChanges | None

    def tree_at(self, month: Month) -> list[OrgUnit]:
        """The tree of a month: that month's file, or else the newest earlier one."""
        candidates = [m for m in self.snapshots if m <= month]
        return self.snapshots[max(candidates)] if candidates else self.snapshots[min(self.snapshots)]

    def units_at(self, month: Month) -> dict[str, OrgUnit]:
        return {unit.los_id: unit for unit in self.tree_at(month)}


def _unique_names(rng: random.Random, patterns: list[str], count: int, used: set[str]) -> list[str]:
    names: list[str] = []
    attempts = 0
    while len(names) < count:
        pattern = patterns[attempts % len(patterns)] if attempts < len(patterns) else rng.choice(patterns)
        name = pattern.format(place=rng.choice(PLACES), flower=rng.choice(FLOWERS))
        attempts += 1
        if name in used:
            if attempts > 50 * count:  # vocabulary exhausted: number the rest
                name = f"{name} {attempts}"
            else:
                continue
        used.add(name)
        names.append(name)
    return names


def build_org(
    rng: random.Random, kommunekode: str, employees: int, months: list[Month], change_month: Month | None
) -> OrgPlan:
    town, _ = municipality_name_and_domain(kommunekode)
    next_id = int(kommunekode) * 10000 + 1 if int(kommunekode) else 10001

    def new_id() -> str:
        nonlocal next_id
        next_id += rng.randint(1, 7)  # LOS numbers have gaps
        return str(next_id)

    def past_date() -> date:
        return date(rng.randint(2012, months[0].year - 1), rng.choice([1, 1, 1, 4, 7, 8]), 1)

    root = OrgUnit(new_id(), None, f"{town} Kommune", "Kommune", "Administration", date(2007, 1, 1))
    sektor_count = min(9, max(6, 5 + employees // 1000))
    sektors = ["Administration"] + rng.sample(SEKTORS[1:6], 5) + rng.sample(SEKTORS[6:], 3)
    sektors = [s for s in SEKTORS if s in sektors[:sektor_count]]
    total_share = sum(SEKTOR_UNITS[s][1] for s in sektors)
    target_teams = max(len(sektors) * 2, round(employees / 20) - len(sektors) * 4)

    units = [root]
    weights: dict[str, float] = {}
    used_names: set[str] = set()
    departments_by_sektor: dict[str, list[OrgUnit]] = {}
    teams_by_department: dict[str, list[OrgUnit]] = {}
    for sektor in sektors:
        forvaltning_name, share, department_names, team_patterns = SEKTOR_UNITS[sektor]
        forvaltning = OrgUnit(new_id(), root.los_id, forvaltning_name, "Forvaltning", sektor, past_date())
        units.append(forvaltning)
        weights[forvaltning.los_id] = 0.3
        team_count = max(2, round(target_teams * share / total_share))
        department_count = min(len(department_names), max(2, round(team_count / 6)))
        departments = []
        for name in department_names[:department_count]:
            department = OrgUnit(new_id(), forvaltning.los_id, name, "Afdeling", sektor, past_date())
            departments.append(department)
            units.append(department)
            weights[department.los_id] = 0.6
        departments_by_sektor[sektor] = departments
        for index, name in enumerate(_unique_names(rng, team_patterns, team_count, used_names)):
            department = departments[index * department_count // team_count]  # blocks: related names stay together
            team = OrgUnit(new_id(), department.los_id, name, "Enhed", sektor, past_date())
            units.append(team)
            teams_by_department.setdefault(department.los_id, []).append(team)
            # team sizes vary a lot; a few tiny teams make small cells the marts must suppress
            weights[team.los_id] = rng.choice([0.15, 0.2]) if index % 11 == 5 else rng.lognormvariate(0, 0.45)

    snapshots = {months[0]: units}
    changes = None
    if change_month is not None:
        units, changes = _apply_changes(
            rng, units, weights, departments_by_sektor, teams_by_department, change_month, new_id, used_names
        )
        snapshots[change_month] = units
        if changes.closing_los_id and changes.closed_from <= months[-1]:
            snapshots[changes.closed_from] = [u for u in units if u.los_id != changes.closing_los_id]
    return OrgPlan(root, snapshots, weights, changes)


def _apply_changes(rng, units, weights, departments_by_sektor, teams_by_department, change_month, new_id, used_names):
    effective = change_month.first_day
    big_sektors = [s for s, departments in departments_by_sektor.items() if len(departments) >= 2]
    sektor_a, sektor_b = rng.sample(big_sektors, 2)

    # moved: a team of sektor A to a sibling department
    from_department, to_department = departments_by_sektor[sektor_a][:2]
    moved = teams_by_department[from_department.los_id][0]
    # renamed: a department of sektor B gets a broader name
    renamed = departments_by_sektor[sektor_b][-1]
    # closing: a team merges into a sibling in the same department (needs a department with two teams)
    crowded = [
        d
        for s in (sektor_b, *departments_by_sektor)
        for d in departments_by_sektor[s]
        if len(teams_by_department.get(d.los_id, [])) >= 2 and d.los_id != from_department.los_id
    ]
    closing = successor = None
    if crowded:
        siblings = teams_by_department[crowded[0].los_id]
        closing, successor = siblings[-1], siblings[0]
    closed_from = change_month.plus(1)  # gone before the survey month, so no respondent sits in a vanished unit
    # opened: a new digital team under the renamed department, staffed by people moving in
    opened = OrgUnit(
        new_id(),
        renamed.los_id,
        _unique_names(rng, ["Team Digital Velfærd", "Digitaliseringsteamet"], 1, used_names)[0],
        "Enhed",
        renamed.sektor,
        effective,
    )
    weights[opened.los_id] = 0.0

    changed = []
    for unit in units:
        if unit.los_id == moved.los_id:
            unit = replace(unit, parent_los_id=to_department.los_id, gyldig_fra=effective)
        elif unit.los_id == renamed.los_id:
            unit = replace(unit, enhedsnavn=f"{unit.enhedsnavn} og Udvikling", gyldig_fra=effective)
        elif closing is not None and unit.los_id == closing.los_id:
            unit = replace(unit, gyldig_til=change_month.last_day)  # announced closure
        changed.append(unit)
    changed.append(opened)
    return changed, OrgChanges(
        change_month,
        moved.los_id,
        renamed.los_id,
        opened.los_id,
        closing.los_id if closing else None,
        successor.los_id if successor else None,
        closed_from,
    )
