"""Oracle for `marts.benefit_realisation` and its roll-ups (docs/marts.md), computed from the
generator's truth CSVs only (`benefits_initiativer.csv`, `benefits_gevinster.csv`,
`benefits_maalinger.csv`, each with `snapshot_date`; `org_units.csv` for the org roll-up).

Plain Python, written from docs/files.md, docs/marts.md and the documented decisions
(dbt docs block `benefit_decisions`); it imports nothing from `pipelines` and does not read the SQL.

Readings (where the contract leaves a choice, the project's documented decision):
- The register is the newest snapshot_date per municipality; only its rows count.
- Two measurements of one benefit and period: the newest maalt_dato wins.
- Rows run from the month of start_dato to the later of the month of maal_dato and the newest
  measured period, one per month.
- Flows (oekonomi_dkk, tid_timer): realised = sum of values with periode <= month; target = maal.
  Level (kvalitet_indeks): realised = value of the newest periode <= month minus baseline (0 before
  the first); target = maal - baseline.
- planned = target * elapsed / planned months (both inclusive), = target from the month of maal_dato on.
- realised and planned are rounded to 6 decimals before the status is judged.
- status: stopped (initiative stoppet), else realised >= target, on_track >= 0.9 planned,
  at_risk >= 0.7 planned, else behind.
- Roll-ups add flows only (DKK, hours), summing the month's rows. Org tree of a month: the org
  extract of the month or the newest earlier one, units valid on the month's last day; a unit
  covers its descendants; every unit of the tree has a row per unit of measure.
- A benefit's status as a snapshot told it: that snapshot's row for the snapshot's month (after
  the last month, the last row); before the first month 'not_started' (stopped wins).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

FLOWS = {"oekonomi_dkk": "DKK", "tid_timer": "hours"}
LEVEL = "kvalitet_indeks"
KEY = ["kommunekode", "initiative_id", "benefit_id", "month"]
COLUMNS = KEY + [
    "gevinsttype",
    "sektor",
    "los_id",
    "target",
    "realised_cumulative",
    "planned_cumulative",
    "realisation_pct",
    "status",
]


def _rows(truth_dir: Path, name: str) -> list[dict[str, str]]:
    with (Path(truth_dir) / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_between(first: dt.date, last: dt.date) -> int:
    """Months from first to last, both inclusive (first-of-month dates)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(month: dt.date) -> dt.date:
    return _add_months(month, 1) - dt.timedelta(days=1)


@dataclass
class Row:
    kommunekode: str
    snapshot_date: dt.date
    initiative_id: str
    benefit_id: str
    month: dt.date
    gevinsttype: str
    sektor: str
    los_id: str
    initiative_status: str
    target: float
    realised_cumulative: float
    planned_cumulative: float
    realisation_pct: float | None
    status: str

    def as_dict(self) -> dict:
        return {column: getattr(self, column) for column in COLUMNS}


def snapshots(truth_dir: Path) -> dict[str, list[dt.date]]:
    """Register dates per municipality, oldest first."""
    dates: dict[str, set[dt.date]] = defaultdict(set)
    for row in _rows(truth_dir, "benefits_gevinster.csv") + _rows(truth_dir, "benefits_initiativer.csv"):
        dates[row["kommunekode"]].add(_date(row["snapshot_date"]))
    return {k: sorted(v) for k, v in dates.items()}


def realisation(truth_dir: Path, kommunekode: str, snapshot_date: dt.date) -> list[Row]:
    """The contract's rows for one register snapshot."""
    same = lambda row: row["kommunekode"] == kommunekode and _date(row["snapshot_date"]) == snapshot_date  # noqa: E731
    initiatives = {row["initiative_id"]: row for row in _rows(truth_dir, "benefits_initiativer.csv") if same(row)}
    measured: dict[str, dict[dt.date, tuple[dt.date, float]]] = defaultdict(dict)
    for row in _rows(truth_dir, "benefits_maalinger.csv"):
        if same(row):
            period = dt.date.fromisoformat(row["periode"] + "-01")
            taken, value = _date(row["maalt_dato"]), float(row["vaerdi"])
            known = measured[row["benefit_id"]].get(period)
            if known is None or taken > known[0]:  # a correction: the newest maalt_dato wins
                measured[row["benefit_id"]][period] = (taken, value)
    out = []
    for benefit in _rows(truth_dir, "benefits_gevinster.csv"):
        if not same(benefit):
            continue
        initiative = initiatives[benefit["initiative_id"]]
        kind, maal = benefit["gevinsttype"], float(benefit["maal"])
        baseline = float(benefit["baseline"] or 0)
        target = maal - baseline if kind == LEVEL else maal
        values = {period: value for period, (_, value) in measured[benefit["benefit_id"]].items()}
        start = _month(_date(initiative["start_dato"]))
        target_month = _month(_date(benefit["maal_dato"]))
        last = max([target_month, *values])
        planned_months = _months_between(start, target_month)
        for offset in range(_months_between(start, last)):
            month = _add_months(start, offset)
            elapsed = offset + 1
            so_far = {period: value for period, value in values.items() if period <= month}
            if kind == LEVEL:
                realised = so_far[max(so_far)] - baseline if so_far else 0.0
            else:
                realised = sum(so_far[period] for period in sorted(so_far))
            realised = round(realised, 6)
            planned = round(target if elapsed >= planned_months else target * elapsed / planned_months, 6)
            if initiative["status"] == "stoppet":
                status = "stopped"
            elif realised >= target:
                status = "realised"
            elif realised >= 0.9 * planned:
                status = "on_track"
            elif realised >= 0.7 * planned:
                status = "at_risk"
            else:
                status = "behind"
            out.append(
                Row(
                    kommunekode,
                    snapshot_date,
                    initiative["initiative_id"],
                    benefit["benefit_id"],
                    month,
                    kind,
                    initiative["sektor"],
                    initiative["los_id"],
                    initiative["status"],
                    target,
                    realised,
                    planned,
                    realised / target if target else None,
                    status,
                )
            )
    return out


def expected_benefit_realisation(truth_dir: Path) -> list[dict]:
    """marts.benefit_realisation: the newest snapshot's rows of every municipality."""
    return [row.as_dict() for k, dates in snapshots(truth_dir).items() for row in realisation(truth_dir, k, dates[-1])]


def expected_by_sektor(truth_dir: Path) -> dict[tuple, dict]:
    """(kommunekode, month, sektor, unit) -> benefits, target, planned_cumulative, realised_cumulative."""
    out: dict[tuple, dict] = {}
    for row in expected_benefit_realisation(truth_dir):
        if row["gevinsttype"] in FLOWS:
            key = (row["kommunekode"], row["month"], row["sektor"], FLOWS[row["gevinsttype"]])
            _add(out.setdefault(key, _zero()), row)
    return out


def expected_by_org_unit(truth_dir: Path) -> dict[tuple, dict]:
    """(kommunekode, month, los_id, unit) -> sums over the unit's subtree; every unit of the month's tree."""
    rows = expected_benefit_realisation(truth_dir)
    org = _rows(truth_dir, "org_units.csv")
    extracts: dict[str, set[dt.date]] = defaultdict(set)
    for unit in org:
        extracts[unit["kommunekode"]].add(dt.date.fromisoformat(unit["snapshot_month"] + "-01"))
    out: dict[tuple, dict] = {}
    months = sorted({(row["kommunekode"], row["month"]) for row in rows})
    for kommunekode, month in months:
        earlier = [m for m in extracts.get(kommunekode, ()) if m <= month]
        if not earlier:
            continue
        extract, day = max(earlier), _month_end(month)
        parent = {}
        for unit in org:
            if unit["kommunekode"] == kommunekode and dt.date.fromisoformat(unit["snapshot_month"] + "-01") == extract:
                valid_from, valid_to = _date(unit["gyldig_fra"]), _date(unit["gyldig_til"])
                if (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day):
                    parent[unit["los_id"]] = unit["parent_los_id"] or None

        def ancestors(los_id: str, parent: dict = parent) -> list[str]:
            chain, seen = [], set()
            while los_id in parent and los_id not in seen:  # a parent outside the tree ends the chain
                chain.append(los_id)
                seen.add(los_id)
                los_id = parent[los_id]
            return chain

        for los_id in parent:
            for unit in FLOWS.values():
                out[(kommunekode, month, los_id, unit)] = _zero()
        for row in rows:
            if row["kommunekode"] == kommunekode and row["month"] == month and row["gevinsttype"] in FLOWS:
                for ancestor in ancestors(row["los_id"]):
                    _add(out[(kommunekode, month, ancestor, FLOWS[row["gevinsttype"]])], row)
    return out


def _zero() -> dict:
    return {"benefits": 0, "target": 0.0, "planned_cumulative": 0.0, "realised_cumulative": 0.0}


def _add(into: dict, row: dict) -> None:
    into["benefits"] += 1
    for column in ("target", "planned_cumulative", "realised_cumulative"):
        into[column] += row[column]


def status_as_of(truth_dir: Path, kommunekode: str, snapshot_date: dt.date) -> dict[str, str]:
    """benefit_id -> the status the snapshot told for its own month."""
    by_benefit: dict[str, list[Row]] = defaultdict(list)
    for row in realisation(truth_dir, kommunekode, snapshot_date):
        by_benefit[row.benefit_id].append(row)
    month = _month(snapshot_date)
    statuses = {}
    for benefit_id, rows in by_benefit.items():
        rows.sort(key=lambda row: row.month)
        if rows[0].initiative_status == "stoppet":
            statuses[benefit_id] = "stopped"
        elif month < rows[0].month:
            statuses[benefit_id] = "not_started"
        else:
            statuses[benefit_id] = [row for row in rows if row.month <= month][-1].status
    return statuses


def expected_status_changes(truth_dir: Path) -> dict[tuple, tuple[str | None, str | None]]:
    """(kommunekode, snapshot_date, benefit_id) -> (previous_status, status), where they differ."""
    out = {}
    for kommunekode, dates in snapshots(truth_dir).items():
        for previous, current in zip(dates, dates[1:], strict=False):  # consecutive pairs
            before, after = (
                status_as_of(truth_dir, kommunekode, previous),
                status_as_of(truth_dir, kommunekode, current),
            )
            for benefit_id in before.keys() | after.keys():
                pair = (before.get(benefit_id), after.get(benefit_id))
                if pair[0] != pair[1]:
                    out[(kommunekode, current, benefit_id)] = pair
    return out


def register_as_of(truth_dir: Path, kommunekode: str, day: dt.date) -> dict[str, dict[str, str]] | None:
    """What the register said on `day`: initiative_id -> its initiativer row of the newest snapshot
    dated on or before `day` (None before the first snapshot)."""
    dates = [d for d in snapshots(truth_dir).get(kommunekode, []) if d <= day]
    if not dates:
        return None
    return {
        row["initiative_id"]: row
        for row in _rows(truth_dir, "benefits_initiativer.csv")
        if row["kommunekode"] == kommunekode and _date(row["snapshot_date"]) == dates[-1]
    }
