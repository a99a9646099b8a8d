"""Oracle for `marts.digital_maturity` (docs/marts.md), computed from the generator's truth CSVs only.

Written from the contract text, in plain pandas/Python, without importing `pipelines` and without
looking at the dbt SQL, so that agreement with the warehouse means two independent readings of the
contract agree. The truth files (docs/internals.md §6) are clean canonical CSV: UTF-8, comma, ISO
dates, `.` decimals, empty = null.

Readings of the contract made here (where its text leaves a choice):
- The waves of a municipality are the waves that occur in `responses.csv` (any row).
- The org tree of a period is the org extract of the period's last month, else the newest earlier
  one, restricted to units valid on the period's last day (gyldig_fra <= day, gyldig_til empty or
  >= day). A valid unit whose parent is not valid that day roots its own branch.
- De-duplication happens among responses only (is_response = 1): a preview or unfinished row never
  displaces a real response. One person (docs/privacy.md): the same employee_ref (equal after stripping
  surrounding spaces, and for e-mails, a ref containing `@`, regardless of case), or an employee_ref
  that links through the municipality's HR extracts (an employee number or e-mail listed in any of
  them) to the same medarbejdernr. The later submitted_at wins; a response without one is older than
  any with one; among equals (no timestamps), the later row of the later file wins: responses.csv
  lists rows in delivery order (file by file, row by row), so the later row of responses.csv.
- A respondent whose (kept) response's los_id is not in the period's tree counts nowhere; the same for
  an employee whose los_id is not in the tree.
- Suppression (small cells, primary and secondary) per wave and area, by respondents: see
  tests/oracle/small_cells.py.
- The previous wave is the calendar predecessor (2025H2 -> 2025H1, 2025H1 -> 2024H2); where that wave
  or the unit in it does not exist, prev_mean_score is null.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from tests.oracle.small_cells import suppression_reasons

AREAS: tuple[str, ...] = ("1", "2", "3", "4", "5", "all")
KEY = ["kommunekode", "wave", "los_id", "competence_area"]
COLUMNS = KEY + [
    "respondents",
    "headcount",
    "response_rate",
    "mean_score",
    "share_basic",
    "share_advanced",
    "prev_mean_score",
    "change",
    "suppressed",
    "suppression_reason",
]
BASIC_BELOW = 2.5
ADVANCED_FROM = 4.0


# --------------------------------------------------------------------------- reading the truth


def _read_truth(truth_dir: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(Path(truth_dir) / name, dtype=str, keep_default_na=False, encoding="utf-8")
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def _date(text: str) -> dt.date | None:
    text = (text or "").strip()
    return dt.date.fromisoformat(text[:10]) if text else None


def _timestamp(text: str) -> dt.datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    # Compare everything as naive UTC so aware and naive values can be ordered together.
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _flag(text: str) -> bool:
    value = (text or "").strip().lower()
    if value in ("1", "true", "t", "yes", "ja"):
        return True
    if value in ("0", "false", "f", "no", "nej", ""):
        return False
    raise ValueError(f"not a 0/1 flag in the truth: {text!r}")


def _month(text: str) -> str:
    """'2025-06' (or '2025-06-01') -> '2025-06'."""
    return text.strip()[:7]


# --------------------------------------------------------------------------- periods and trees


def wave_last_day(wave: str) -> dt.date:
    year, half = int(wave[:4]), wave[4:].upper()
    if half == "H1":
        return dt.date(year, 6, 30)
    if half == "H2":
        return dt.date(year, 12, 31)
    raise ValueError(f"not a wave: {wave!r}")


def previous_wave(wave: str) -> str:
    year, half = int(wave[:4]), wave[4:].upper()
    return f"{year}H1" if half == "H2" else f"{year - 1}H2"


def _snapshot_for(months: list[str], month: str) -> str | None:
    """That month's snapshot, or else the newest earlier one."""
    earlier = [m for m in months if m <= month]
    return max(earlier) if earlier else None


def _tree(org: pd.DataFrame, day: dt.date) -> dict[str, str | None]:
    """los_id -> parent los_id (None for a root) of the units in `org` valid on `day`."""
    parent: dict[str, str | None] = {}
    for row in org.itertuples(index=False):
        start, end = _date(row.gyldig_fra), _date(row.gyldig_til)
        if (start is not None and start > day) or (end is not None and end < day):
            continue
        los_id = row.los_id.strip()
        up = row.parent_los_id.strip() or None
        if los_id in parent and parent[los_id] != up:
            raise ValueError(f"org truth: unit {los_id} has two parents valid on {day}")
        parent[los_id] = up
    return parent


def _self_and_ancestors(tree: dict[str, str | None], los_id: str) -> list[str]:
    """The units whose rolled-up row covers `los_id` (empty when it is not in the tree)."""
    chain: list[str] = []
    node: str | None = los_id
    while node is not None and node in tree and node not in chain:
        chain.append(node)
        node = tree[node]
    return chain


# --------------------------------------------------------------------------- respondents


def _ref_identity(ref: str) -> str | None:
    """employee_ref as compared for de-duplication; None = anonymous."""
    ref = (ref or "").strip()
    if not ref:
        return None
    return ref.lower() if "@" in ref else ref


def _hr_links(employees: pd.DataFrame) -> dict[str, str]:
    """employee_ref identity -> medarbejdernr, from every HR extract of one municipality: its employee
    numbers, and its e-mails (an e-mail listed for two people: the newest extract's)."""
    links: dict[str, str] = {}
    for row in employees.sort_values("snapshot_month", kind="stable").itertuples(index=False):
        empno = row.medarbejdernr.strip()
        if not empno:
            continue
        links[empno] = empno
        email = _ref_identity(row.email)
        if email and "@" in email:
            links[email] = empno
    return links


def _kept_responses(responses: pd.DataFrame, links: dict[str, str] | None = None) -> pd.DataFrame:
    """Responses of one municipality and wave after de-duplication: respondent_id, los_id."""
    links = links or {}
    real = responses[responses["is_response"].map(_flag)].copy()
    idents = []
    for employee_ref in real["employee_ref"]:
        ref = _ref_identity(employee_ref)
        idents.append(None if ref is None else ("person:" + links[ref] if ref in links else "ref:" + ref))
    real["ident"] = idents
    real["order"] = real["submitted_at"].map(lambda t: _timestamp(t) or dt.datetime.min)
    real["delivered"] = range(len(real))  # the truth lists rows in delivery order
    anonymous = real[real["ident"].isna()]
    latest = (
        real[real["ident"].notna()]
        .sort_values(["order", "delivered"], kind="stable")
        .drop_duplicates("ident", keep="last")
    )
    kept = pd.concat([anonymous, latest], ignore_index=True)
    return kept[["respondent_id", "los_id"]].assign(los_id=lambda f: f["los_id"].str.strip())


def _respondent_scores(answers: pd.DataFrame, items: pd.DataFrame) -> dict[str, dict[str, float]]:
    """respondent_id -> {area: score} over non-missing answers after reverse scoring ('all' included)."""
    catalogue: dict[str, tuple[str, bool]] = {}
    for row in items.itertuples(index=False):
        area = row.competence_code.strip()[:1]
        if area not in AREAS[:5]:
            raise ValueError(f"items truth: competence_code {row.competence_code!r} has no DigComp area")
        catalogue[row.item_id.strip()] = (area, _flag(row.reverse_scored))

    per_area: dict[str, dict[str, list[int]]] = {}
    for row in answers.itertuples(index=False):
        text = row.answer.strip()
        if not text:
            continue  # no answer: missing, not zero
        value = int(float(text))
        if not 1 <= value <= 5:
            raise ValueError(f"answers truth: answer {text!r} outside 1..5")
        item = row.item_id.strip()
        if item not in catalogue:
            raise ValueError(f"answers truth: item {item!r} is not in the wave's catalogue")
        area, reverse = catalogue[item]
        scored = 6 - value if reverse else value
        areas = per_area.setdefault(row.respondent_id, {})
        areas.setdefault(area, []).append(scored)
        areas.setdefault("all", []).append(scored)
    return {rid: {a: sum(v) / len(v) for a, v in areas.items()} for rid, areas in per_area.items()}


# --------------------------------------------------------------------------- the mart


def _measures(scores: list[float]) -> tuple[float | None, float | None, float | None]:
    if not scores:
        return None, None, None
    n = len(scores)
    return (
        sum(scores) / n,
        sum(1 for s in scores if s < BASIC_BELOW) / n,
        sum(1 for s in scores if s >= ADVANCED_FROM) / n,
    )


def expected_digital_maturity(truth_dir: Path, min_cell: int = 5) -> pd.DataFrame:
    """The rows `marts.digital_maturity` must hold for the truth in `truth_dir` (see module doc)."""
    truth_dir = Path(truth_dir)
    employees = _read_truth(truth_dir, "employees.csv")
    org_units = _read_truth(truth_dir, "org_units.csv")
    items = _read_truth(truth_dir, "items.csv")
    responses = _read_truth(truth_dir, "responses.csv")
    answers = _read_truth(truth_dir, "answers.csv")
    for frame in (employees, org_units, items, responses, answers):
        frame["kommunekode"] = frame["kommunekode"].str.strip()
    for frame in (items, responses, answers):
        frame["wave"] = frame["wave"].str.strip().str.upper()
    employees["snapshot_month"] = employees["snapshot_month"].map(_month)
    org_units["snapshot_month"] = org_units["snapshot_month"].map(_month)

    rows: list[dict] = []
    for (kommunekode, wave), wave_responses in sorted(responses.groupby(["kommunekode", "wave"]), key=lambda kv: kv[0]):
        day = wave_last_day(wave)
        month = day.strftime("%Y-%m")
        if wave_responses["respondent_id"].duplicated().any():
            raise ValueError(f"responses truth: respondent_id not unique in {kommunekode} {wave}")

        org = org_units[org_units["kommunekode"] == kommunekode]
        org_month = _snapshot_for(sorted(set(org["snapshot_month"])), month)
        tree = _tree(org[org["snapshot_month"] == org_month], day) if org_month else {}
        if not tree:
            continue  # no org tree for the period: no unit to report

        # headcount: distinct employees of the unit (rolled up), employed on the wave's last day
        hr = employees[employees["kommunekode"] == kommunekode]
        hr_month = _snapshot_for(sorted(set(hr["snapshot_month"])), month)
        staff: dict[str, set[str]] = {unit: set() for unit in tree}
        if hr_month:
            for row in hr[hr["snapshot_month"] == hr_month].itertuples(index=False):
                start, end = _date(row.ansat_fra), _date(row.ansat_til)
                if (start is not None and start > day) or (end is not None and end < day):
                    continue
                for unit in _self_and_ancestors(tree, row.los_id.strip()):
                    staff[unit].add(row.medarbejdernr.strip())

        # respondent scores, placed at the unit and all its ancestors
        kept = _kept_responses(wave_responses, _hr_links(hr))
        scores = _respondent_scores(
            answers[
                (answers["kommunekode"] == kommunekode)
                & (answers["wave"] == wave)
                & answers["respondent_id"].isin(set(kept["respondent_id"]))
            ],
            items[(items["kommunekode"] == kommunekode) & (items["wave"] == wave)],
        )
        placed: dict[tuple[str, str], list[float]] = {}
        for respondent in kept.itertuples(index=False):
            for area, score in scores.get(respondent.respondent_id, {}).items():
                for unit in _self_and_ancestors(tree, respondent.los_id):
                    placed.setdefault((unit, area), []).append(score)

        for unit in sorted(tree):
            headcount = len(staff[unit])
            for area in AREAS:
                unit_scores = placed.get((unit, area), [])
                respondents = len(unit_scores)
                mean, basic, advanced = _measures(unit_scores)
                rows.append(
                    {
                        "kommunekode": kommunekode,
                        "wave": wave,
                        "los_id": unit,
                        "competence_area": area,
                        "respondents": respondents,
                        "headcount": headcount,
                        "response_rate": respondents / headcount if headcount else None,
                        "mean_score": mean,
                        "share_basic": basic,
                        "share_advanced": advanced,
                    }
                )

        # small cells: each area is a table of its own over the wave's tree
        wave_rows = [r for r in rows if (r["kommunekode"], r["wave"]) == (kommunekode, wave)]
        for area in AREAS:
            area_rows = {r["los_id"]: r for r in wave_rows if r["competence_area"] == area}
            reasons = suppression_reasons(tree, {u: r["respondents"] for u, r in area_rows.items()}, min_cell)
            for unit, r in area_rows.items():
                r["suppression_reason"] = reasons[unit]
                r["suppressed"] = reasons[unit] is not None

    # published mean of the previous wave (null where suppressed), then suppression of this row
    published = {
        (r["kommunekode"], r["wave"], r["los_id"], r["competence_area"]): (None if r["suppressed"] else r["mean_score"])
        for r in rows
    }
    for r in rows:
        prev = published.get((r["kommunekode"], previous_wave(r["wave"]), r["los_id"], r["competence_area"]))
        r["prev_mean_score"] = prev
        r["change"] = r["mean_score"] - prev if (prev is not None and r["mean_score"] is not None) else None
        if r["suppressed"]:
            for measure in ("mean_score", "share_basic", "share_advanced", "prev_mean_score", "change"):
                r[measure] = None

    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("respondents", "headcount"):
        frame[column] = frame[column].astype("int64")
    for column in ("response_rate", "mean_score", "share_basic", "share_advanced", "prev_mean_score", "change"):
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame.sort_values(KEY, ignore_index=True)
