"""Employees over time: who is in each month-end HR snapshot, where, and with which contract.

About 1 % leave and 1 % start per month; some leavers show `ansat_til` a month before they go
(notice), some starters are in the snapshot a month before their `ansat_fra` (registered early),
and a few people change unit every month (plus the org changes' movers)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .danish import (
    EMAIL_LETTERS,
    FEMALE_FIRST,
    JOBS,
    LEADER_CATEGORY,
    LEADER_TITLES,
    MALE_FIRST,
    MIDDLE_NAMES,
    SURNAMES,
    WEEKLY_HOURS,
    municipality_name_and_domain,
)
from .org import OrgPlan
from .periods import Month

MONTHLY_LEAVE_RATE = 0.01
MONTHLY_START_RATE = 0.01
MONTHLY_MOVE_RATE = 0.003


@dataclass
class Employee:
    medarbejdernr: str
    cpr: str
    navn: str
    email: str
    stillingsbetegnelse: str
    personalekategori: str
    beskaeftigelsesgrad: float
    ansat_fra: date
    visible_from: Month  # first snapshot listing the person
    units: list[tuple[Month, str]] = field(default_factory=list)  # (from month, los_id), ascending
    ansat_til: date | None = None
    notice_from: Month | None = None  # first snapshot that shows ansat_til

    def in_snapshot(self, month: Month) -> bool:
        return self.visible_from.index <= month.index and (
            self.ansat_til is None or month.index <= self.ansat_til.year * 12 + self.ansat_til.month - 1
        )

    def los_id_at(self, month: Month) -> str:
        if len(self.units) == 1:
            return self.units[0][1]
        current = self.units[0][1]
        for since, los_id in self.units:
            if since.index <= month.index:
                current = los_id
        return current

    def ansat_til_shown(self, month: Month) -> date | None:
        return self.ansat_til if self.notice_from is not None and self.notice_from <= month else None

    def employed_on(self, day: date) -> bool:
        return self.ansat_fra <= day and (self.ansat_til is None or self.ansat_til >= day)


@dataclass
class Workforce:
    employees: list[Employee]  # everyone who is ever in a snapshot
    months: list[Month]
    domain: str

    def __post_init__(self):
        self._snapshots: dict[Month, list[Employee]] = {}

    def snapshot(self, month: Month) -> list[Employee]:
        """Everyone listed in the month-end extract (cached: the people are final once simulated)."""
        if month not in self._snapshots:
            self._snapshots[month] = [e for e in self.employees if e.in_snapshot(month)]
        return self._snapshots[month]

    def by_medarbejdernr(self) -> dict[str, Employee]:
        return {e.medarbejdernr: e for e in self.employees}


class _PersonFactory:
    def __init__(self, rng: random.Random, domain: str):
        self.rng = rng
        self.domain = domain
        self.next_number = 100000 + rng.randint(0, 20000)
        self.emails: set[str] = set()

    def _email(self, first: str, surname: str) -> str:
        local = f"{first}.{surname}".lower().translate(EMAIL_LETTERS)
        candidate, suffix = local, 1
        while candidate in self.emails:
            suffix += 1
            candidate = f"{local}{suffix}"
        self.emails.add(candidate)
        address = f"{candidate}@{self.domain}"
        # a few HR records keep capitals from the mail system; e-mails must match regardless of case
        return address.title().replace(self.domain.title(), self.domain) if self.rng.random() < 0.03 else address

    def person(
        self,
        sektor: str,
        enhedstype: str,
        is_leader: bool,
        ansat_fra: date,
        visible_from: Month,
        los_id: str,
        start_month: Month,
    ) -> Employee:
        rng = self.rng
        first = rng.choice(FEMALE_FIRST if rng.random() < 0.7 else MALE_FIRST)  # municipal staff is ~70 % women
        surname = rng.choice(SURNAMES)
        navn = f"{first} {rng.choice(MIDDLE_NAMES)} {surname}" if rng.random() < 0.2 else f"{first} {surname}"
        birth = date(rng.randint(1960, 2003), rng.randint(1, 12), rng.randint(1, 28))
        serial = f"{rng.randint(0, 9999):04d}"
        cpr = f"{birth:%d%m%y}-{serial}" if rng.random() < 0.65 else f"{birth:%d%m%y}{serial}"
        if is_leader:
            title, category = LEADER_TITLES[enhedstype] if enhedstype in LEADER_TITLES else "Leder", LEADER_CATEGORY
        elif enhedstype in ("Forvaltning", "Afdeling", "Kommune"):
            title, category, _ = rng.choice(JOBS["Administration"][:3])
        else:
            jobs = JOBS[sektor]
            title, category, _ = rng.choices(jobs, weights=[w for _, _, w in jobs])[0]
        hours = 37 if is_leader else rng.choices([h for h, _ in WEEKLY_HOURS], weights=[w for _, w in WEEKLY_HOURS])[0]
        self.next_number += rng.randint(1, 9)
        return Employee(
            str(self.next_number),
            cpr,
            navn,
            self._email(first, surname),
            title,
            category,
            round(hours / 37, 4),
            ansat_fra,
            visible_from,
            [(start_month, los_id)],
        )


def simulate_workforce(rng: random.Random, kommunekode: str, size: int, months: list[Month], org: OrgPlan) -> Workforce:
    _, domain = municipality_name_and_domain(kommunekode)
    factory = _PersonFactory(rng, domain)
    first = months[0]

    def staffed_units(month: Month) -> tuple[list[str], list[float]]:
        units = org.units_at(month)
        closing = org.changes.closing_los_id if org.changes and month >= org.changes.month else None
        ids = [los_id for los_id in units if org.staff_weights.get(los_id, 0) > 0 and los_id != closing]
        return ids, [org.staff_weights[los_id] for los_id in ids]

    # the workforce on the first day: one leader per unit, the rest spread by unit weight
    units = org.units_at(first)
    unit_ids, unit_weights = staffed_units(first)
    placements = list(unit_ids) + rng.choices(unit_ids, weights=unit_weights, k=max(0, size - len(unit_ids)))
    leaders_placed: set[str] = set()
    active: list[Employee] = []
    for los_id in placements[:size]:
        unit = units[los_id]
        is_leader = los_id not in leaders_placed
        leaders_placed.add(los_id)
        ansat_fra = first.first_day - timedelta(days=rng.randint(30, 25 * 365))
        active.append(factory.person(unit.sektor, unit.enhedstype, is_leader, ansat_fra, first, los_id, first))
    everyone = list(active)

    def hire(month: Month, visible_from: Month) -> Employee:
        ids, weights = staffed_units(month)
        los_id = rng.choices(ids, weights=weights)[0]
        unit = org.units_at(month)[los_id]
        ansat_fra = month.first_day if rng.random() < 0.7 else month.first_day + timedelta(days=rng.randint(1, 27))
        return factory.person(unit.sektor, unit.enhedstype, False, ansat_fra, visible_from, los_id, month)

    for index, month in enumerate(months):
        # leavers: in this snapshot with ansat_til in the month, then gone
        for employee in rng.sample(active, k=round(len(active) * MONTHLY_LEAVE_RATE * rng.uniform(0.6, 1.4))):
            employee.ansat_til = (
                month.last_day
                if rng.random() < 0.6
                else month.first_day + timedelta(days=rng.randint(0, month.days - 2))
            )
            early_notice = index > 0 and rng.random() < 0.35
            employee.notice_from = month.plus(-1) if early_notice else month
        active = [e for e in active if e.ansat_til is None]
        # starters; a quarter are registered a month early (ansat_fra after that snapshot's month end)
        for _ in range(round(len(active) * MONTHLY_START_RATE * rng.uniform(0.6, 1.4))):
            visible = month.plus(-1) if index > 0 and rng.random() < 0.25 else month
            starter = hire(month, visible)
            active.append(starter)
            everyone.append(starter)
        # people changing unit
        ids, weights = staffed_units(month)
        for employee in rng.sample(active, k=max(1, round(len(active) * MONTHLY_MOVE_RATE))):
            if employee.units[0][0] < month and employee.visible_from < month:
                employee.units.append((month, rng.choices(ids, weights=weights)[0]))
        _apply_org_moves(rng, org, month, active, everyone)

    # starters of the month after the last: already in the last snapshot, with ansat_fra in the future
    after = months[-1].plus(1)
    for _ in range(3):
        starter = hire(months[-1], months[-1])
        starter.ansat_fra = after.first_day
        everyone.append(starter)
    everyone.sort(key=lambda e: int(e.medarbejdernr))
    return Workforce(everyone, months, domain)


def _apply_org_moves(
    rng: random.Random, org: OrgPlan, month: Month, active: list[Employee], everyone: list[Employee]
) -> None:
    changes = org.changes
    if changes is None:
        return
    if month == changes.month:
        # staff the new team with people from its sektor
        sektor = org.units_at(month)[changes.opened_los_id].sektor
        units = org.units_at(month)
        candidates = [
            e
            for e in active
            if units.get(e.los_id_at(month))
            and units[e.los_id_at(month)].sektor == sektor
            and e.los_id_at(month) != changes.closing_los_id
            and e.visible_from < month
        ]
        for employee in rng.sample(candidates, k=min(len(candidates), 7)):
            employee.units.append((month, changes.opened_los_id))
    if changes.closing_los_id and month == changes.closed_from:
        # everyone still listed from this month on, leavers of this month included
        for employee in everyone:
            if employee.los_id_at(month) == changes.closing_los_id and (
                employee.ansat_til is None or Month.of(employee.ansat_til) >= month
            ):
                employee.units.append((month, changes.closing_successor_los_id))
