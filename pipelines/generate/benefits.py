"""The benefit register (gevinstrealisering): initiatives, their benefits and monthly measurements,
delivered as full snapshots; the newest snapshot is the register.

The history behind the snapshots: one initiative is planned (starts after the last snapshot),
one is stopped part-way, one has finished, the rest run. Flows (oekonomi_dkk, tid_timer) are
measured monthly, kvalitet_indeks quarterly; a measurement of month P is taken (maalt_dato) in
month P+1, and two measurements are later corrected by a newer row for the same benefit and period.
A snapshot dated D holds what was known on D: rows with maalt_dato <= D, statuses as of D."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .danish import INITIATIVES
from .formats import CsvStyle, csv_bytes, plain_number, xlsx_bytes
from .org import OrgPlan
from .periods import Month

INITIATIVE_COLUMNS = [
    "initiative_id",
    "navn",
    "sektor",
    "los_id",
    "start_dato",
    "slut_dato",
    "status",
    "investering_dkk",
]
BENEFIT_COLUMNS = [
    "benefit_id",
    "initiative_id",
    "gevinsttype",
    "beskrivelse",
    "baseline",
    "maal",
    "maal_dato",
    "budgetvirkning",
]
MEASUREMENT_COLUMNS = ["benefit_id", "periode", "vaerdi", "maalt_dato"]


@dataclass
class Benefit:
    benefit_id: str
    initiative_id: str
    gevinsttype: str
    beskrivelse: str
    baseline: float
    maal: float
    maal_dato: date
    budgetvirkning: str


@dataclass
class Measurement:
    benefit_id: str
    periode: Month
    vaerdi: float
    maalt_dato: date


@dataclass
class Initiative:
    initiative_id: str
    navn: str
    sektor: str
    los_id: str
    start_dato: date
    slut_dato: date | None
    investering_dkk: float
    stopped_on: date | None = None
    benefits: list[Benefit] = field(default_factory=list)

    def status_on(self, day: date) -> str:
        if day < self.start_dato:
            return "planlagt"
        if self.stopped_on is not None and day >= self.stopped_on:
            return "stoppet"
        if self.slut_dato is not None and day > self.slut_dato:
            return "afsluttet"
        return "igang"


@dataclass
class Register:
    initiatives: list[Initiative]
    measurements: list[Measurement]

    def snapshot(self, day: date) -> tuple[list[Initiative], list[Benefit], list[Measurement]]:
        return (
            self.initiatives,
            [b for i in self.initiatives for b in i.benefits],
            sorted(
                (m for m in self.measurements if m.maalt_dato <= day),
                key=lambda m: (m.benefit_id, m.periode, m.maalt_dato),
            ),
        )


def snapshot_dates(months: list[Month]) -> list[date]:
    return sorted(
        {months[min(2, len(months) - 1)].last_day, months[min(5, len(months) - 1)].last_day, months[-1].last_day}
    )


def build_register(rng: random.Random, org: OrgPlan, months: list[Month]) -> Register:
    first, last = months[0], months[-1]
    tree = org.units_at(first)
    present_sektors = {u.sektor: u for u in tree.values() if u.enhedstype == "Forvaltning"}
    plans = [p for p in INITIATIVES if p[0] in present_sektors]
    initiatives: list[Initiative] = []
    measurements: list[Measurement] = []
    for number, (sektor, navn, investment, benefit_plans) in enumerate(plans, start=1):
        role = {0: "planned", 2: "stopped", 3: "finished"}.get(number - 1, "running")
        start = (last.plus(2) if role == "planned" else first.plus(-rng.randint(1, 14))).first_day
        start_month = Month.of(start)
        departments = [u for u in tree.values() if u.parent_los_id == present_sektors[sektor].los_id]
        owner = rng.choice([present_sektors[sektor], *departments])
        slut = None
        if role == "finished":
            slut = first.plus(4).last_day
        elif rng.random() < 0.6:
            slut = start_month.plus(rng.choice([18, 24, 36])).last_day
        initiative = Initiative(f"INI-{number:03d}", navn, sektor, owner.los_id, start, slut, float(investment))
        if role == "stopped":
            initiative.stopped_on = first.plus(4).first_day + timedelta(days=14)
        target_months = rng.choice([12, 18, 24])
        maal_dato = start_month.plus(target_months - 1).last_day
        for b_number, (kind, description, baseline, target) in enumerate(benefit_plans, start=1):
            benefit = Benefit(
                f"{initiative.initiative_id}-G{b_number}",
                initiative.initiative_id,
                kind,
                description,
                float(baseline),
                float(target),
                maal_dato,
                "ja" if kind == "oekonomi_dkk" else rng.choice(["ja", "nej"]),
            )
            initiative.benefits.append(benefit)
            measurements.extend(_measure(rng, benefit, start_month, target_months, initiative.stopped_on, last))
        initiatives.append(initiative)
    _add_corrections(rng, measurements, last)
    return Register(initiatives, measurements)


def _measure(
    rng: random.Random, benefit: Benefit, start: Month, target_months: int, stopped_on: date | None, last: Month
) -> list[Measurement]:
    performance = rng.uniform(0.55, 1.3)  # some benefits run ahead of plan, some fall behind
    rows = []
    period = start
    while period <= last.plus(-1) and (stopped_on is None or period.first_day < stopped_on):
        elapsed = period.minus(start) + 1
        measured_on = period.plus(1).first_day + timedelta(days=rng.randint(3, 20))
        if benefit.gevinsttype == "kvalitet_indeks":
            if elapsed % 3 == 0:
                progress = min(1.0, elapsed / target_months) * performance
                value = benefit.baseline + (benefit.maal - benefit.baseline) * progress + rng.gauss(0, 1.2)
                rows.append(Measurement(benefit.benefit_id, period, round(value, 1), measured_on))
        elif rng.random() > 0.1:  # a month is sometimes not reported
            ramp = min(1.0, elapsed / 4)  # benefits take a few months to start flowing
            monthly = benefit.maal / target_months * performance * ramp * rng.uniform(0.7, 1.3)
            rows.append(
                Measurement(
                    benefit.benefit_id,
                    period,
                    round(monthly, 2 if benefit.gevinsttype == "oekonomi_dkk" else 1),
                    measured_on,
                )
            )
        period = period.plus(1)
    return rows


def _add_corrections(rng: random.Random, measurements: list[Measurement], last: Month) -> None:
    flows = [m for m in measurements if m.periode <= last.plus(-4)]
    for original in sorted(rng.sample(flows, k=min(2, len(flows))), key=lambda m: (m.benefit_id, m.periode)):
        corrected = round(original.vaerdi * rng.choice([0.8, 1.15]), 2)
        measurements.append(
            Measurement(
                original.benefit_id,
                original.periode,
                corrected,
                original.maalt_dato + timedelta(days=rng.randint(25, 45)),
            )
        )


def _rows(register: Register, day: date, *, as_text: CsvStyle | None):
    initiatives, benefits, measurements = register.snapshot(day)

    def d(value: date | None):
        return (as_text.date(value) if value else "") if as_text else value

    def n(value: float, money: bool = False):
        if as_text is None:
            return value
        return as_text.amount(value) if money else as_text.number(value, 2)

    return (
        [
            [
                i.initiative_id,
                i.navn,
                i.sektor,
                i.los_id,
                d(i.start_dato),
                d(i.slut_dato),
                i.status_on(day),
                n(i.investering_dkk, True),
            ]
            for i in initiatives
        ],
        [
            [
                b.benefit_id,
                b.initiative_id,
                b.gevinsttype,
                b.beskrivelse,
                n(b.baseline),
                n(b.maal, b.gevinsttype == "oekonomi_dkk"),
                d(b.maal_dato),
                b.budgetvirkning,
            ]
            for b in benefits
        ],
        [[m.benefit_id, str(m.periode), n(m.vaerdi), d(m.maalt_dato)] for m in measurements],
    )


def register_xlsx(register: Register, day: date) -> bytes:
    initiatives, benefits, measurements = _rows(register, day, as_text=None)
    sheets = [
        ("initiativer", INITIATIVE_COLUMNS, initiatives),
        ("gevinster", BENEFIT_COLUMNS, benefits),
        ("maalinger", MEASUREMENT_COLUMNS, measurements),
    ]
    return xlsx_bytes(sheets, datetime.combine(day, datetime.min.time()) + timedelta(hours=15))


def register_csvs(register: Register, day: date, style: CsvStyle) -> dict[str, bytes]:
    initiatives, benefits, measurements = _rows(register, day, as_text=style)
    return {
        "initiativer": csv_bytes(INITIATIVE_COLUMNS, initiatives, style),
        "gevinster": csv_bytes(BENEFIT_COLUMNS, benefits, style),
        "maalinger": csv_bytes(MEASUREMENT_COLUMNS, measurements, style),
    }


def truth_rows(kommunekode: str, register: Register, day: date) -> dict[str, list[dict[str, str]]]:
    initiatives, benefits, measurements = register.snapshot(day)
    common = {"kommunekode": kommunekode, "snapshot_date": day.isoformat()}

    def iso(value: date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "benefits_initiativer": [
            {
                **common,
                "initiative_id": i.initiative_id,
                "navn": i.navn,
                "sektor": i.sektor,
                "los_id": i.los_id,
                "start_dato": iso(i.start_dato),
                "slut_dato": iso(i.slut_dato),
                "status": i.status_on(day),
                "investering_dkk": plain_number(i.investering_dkk),
            }
            for i in initiatives
        ],
        "benefits_gevinster": [
            {
                **common,
                "benefit_id": b.benefit_id,
                "initiative_id": b.initiative_id,
                "gevinsttype": b.gevinsttype,
                "beskrivelse": b.beskrivelse,
                "baseline": plain_number(b.baseline),
                "maal": plain_number(b.maal),
                "maal_dato": iso(b.maal_dato),
                "budgetvirkning": b.budgetvirkning,
            }
            for b in benefits
        ],
        "benefits_maalinger": [
            {
                **common,
                "benefit_id": m.benefit_id,
                "periode": str(m.periode),
                "vaerdi": plain_number(m.vaerdi),
                "maalt_dato": iso(m.maalt_dato),
            }
            for m in measurements
        ],
    }
