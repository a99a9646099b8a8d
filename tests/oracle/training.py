"""Oracle for `marts.training_uptake` and `marts.training_after_maturity`, from the generator's truth CSVs only.

Written from the contract (docs/files.md, docs/privacy.md, docs/marts.md) and the decisions documented in the dbt docs
(`training_decisions`, `training_after_maturity_definition`), in plain Python, without importing
`pipelines` and without looking at the dbt SQL. It shares with the maturity oracle only the
readings of the org tree and of survey scores (tests/oracle/maturity.py), themselves independent.

Readings made here:
- A record is a completion when its status is `completed` (LMS) / its verb is `completed` (xAPI:
  the truth gives the verb's last segment as status).
- Its month: completed_at converted to Europe/Copenhagen (zoneinfo), else the file's month.
- A learner is linked by the employee number when it is in any HR extract of the municipality, else
  by the e-mail (case and surrounding spaces ignored, `mailto:` dropped) when any extract lists it
  (the newest extract listing it decides between two people); otherwise unlinked.
- One completion per person × course × month; its hours are the latest record's (by completion time;
  ties: the larger hours); a record's hours: record hours > 0, else duration > 0, else nominal hours.
- A person sits at every los_id the month's HR snapshot (the month's extract or the newest earlier)
  lists for them; headcount/fte: employed on the month's last day; coverage: people in this month's
  headcount with a completion in the 12 months ending with the month.
- Suppression (small cells, primary and secondary; tests/oracle/small_cells.py): training_uptake by
  the unit's headcount (never by the people trained: zero trained is a published zero), every area of
  a month alike; training_after_maturity by the linked respondents of the wave, area by area, and
  never where digital_maturity's respondents minus them would leave a small group of unlinked ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from tests.oracle.maturity import (
    _date,
    _hr_links,
    _kept_responses,
    _read_truth,
    _respondent_scores,
    _self_and_ancestors,
    _snapshot_for,
    _tree,
    wave_last_day,
)
from tests.oracle.small_cells import subset_suppression_reasons, suppression_reasons

AREAS: tuple[str, ...] = ("1", "2", "3", "4", "5", "all")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
BASIC_BELOW = 2.5

UPTAKE_KEY = ["kommunekode", "month", "los_id", "competence_area"]
UPTAKE_COLUMNS = UPTAKE_KEY + [
    "headcount",
    "fte",
    "completions",
    "people_trained",
    "training_hours",
    "hours_per_fte",
    "coverage_12m",
    "suppressed",
    "suppression_reason",
]
FOLLOWUP_KEY = ["kommunekode", "wave", "los_id", "competence_area"]
FOLLOWUP_COLUMNS = FOLLOWUP_KEY + [
    "linked_respondents",
    "basic_respondents",
    "basic_trained_6m",
    "share_basic_trained_6m",
    "trained_6m",
    "share_trained_6m",
    "suppressed",
    "suppression_reason",
    "followup_months_loaded",
]


# --------------------------------------------------------------------------- small readings


def _number(text: str) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _month_of(text: str) -> str | None:
    """'YYYY-MM' of an ISO timestamp in Copenhagen time (a naive one is taken as Copenhagen wall clock)."""
    text = (text or "").strip()
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(COPENHAGEN)
    return moment.strftime("%Y-%m")


def _instant(text: str) -> dt.datetime:
    """For ordering records: UTC-naive; an empty time orders first."""
    text = (text or "").strip()
    if not text:
        return dt.datetime.min
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=COPENHAGEN)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _add_months(month: str, count: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + (number - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _last_day(month: str) -> dt.date:
    first_of_next = dt.date.fromisoformat(_add_months(month, 1) + "-01")
    return first_of_next - dt.timedelta(days=1)


def _email(text: str) -> str | None:
    text = (text or "").strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :].strip()
    return text or None


def _area(competence_code: str) -> str:
    return competence_code.strip().split(".")[0]


# --------------------------------------------------------------------------- linking and completions


class Linker:
    """Employee numbers and e-mails of every HR extract of one municipality -> medarbejdernr."""

    def __init__(self, employees: pd.DataFrame):
        self.numbers = {n.strip() for n in employees["medarbejdernr"] if n.strip()}
        self.emails: dict[str, str] = {}
        for row in employees.sort_values(["snapshot_month", "medarbejdernr"]).itertuples(index=False):
            email = _email(row.email)
            if email:
                self.emails[email] = row.medarbejdernr.strip()  # the newest extract wins

    def person(self, medarbejdernr: str, email: str) -> str | None:
        number = (medarbejdernr or "").strip()
        if number and number in self.numbers:
            return number
        address = _email(email)
        return self.emails.get(address) if address else None


def linked_completions(
    kommunekode: str, training: pd.DataFrame, employees: pd.DataFrame, courses: pd.DataFrame
) -> dict:
    """(person, course, month) -> (area or None, hours or None), plus the set of months with a completion.

    Returns {"completions": {...}, "months": set, "unlinked": int, "links": {(row index): person}}."""
    linker = Linker(employees)
    catalogue = {
        row.course_id.strip(): (_area(row.competence_code), _number(row.nominal_hours))
        for row in courses.itertuples(index=False)
    }
    seen_statements: set[str] = set()
    best: dict[tuple[str, str, str], tuple[tuple, str | None, float | None]] = {}
    months: set[str] = set()
    unlinked = 0
    links: dict[int, str | None] = {}
    for index, row in training.iterrows():
        statement = row["statement_id"].strip()
        if statement:
            if statement in seen_statements:
                continue
            seen_statements.add(statement)
        person = linker.person(row["medarbejdernr"], row["user_email"])
        links[index] = person
        if row["status"].strip().lower() != "completed":
            continue
        month = _month_of(row["completed_at"]) or row["file_month"].strip()[:7]
        months.add(month)
        if person is None:
            unlinked += 1
            continue
        course = row["course_id"].strip()
        area, nominal = catalogue.get(course, (None, None))
        hours = next(
            (h for h in (_number(row["hours"]), _number(row["duration_hours"])) if h is not None and h > 0), nominal
        )
        order = (_instant(row["completed_at"]), -1 if hours is None else hours)
        key = (person, course, month)
        if key not in best or order > best[key][0]:
            best[key] = (order, area, hours)
    return {
        "completions": {key: (area, hours) for key, (_, area, hours) in best.items()},
        "months": months,
        "unlinked": unlinked,
        "links": links,
    }


# --------------------------------------------------------------------------- training_uptake


def _hr_of(employees: pd.DataFrame, month: str) -> pd.DataFrame:
    hr_month = _snapshot_for(sorted(set(employees["snapshot_month"])), month)
    return employees[employees["snapshot_month"] == hr_month] if hr_month else employees.iloc[0:0]


def expected_training_uptake(truth_dir: Path, min_cell: int = 5) -> pd.DataFrame:
    truth_dir = Path(truth_dir)
    employees = _read_truth(truth_dir, "employees.csv")
    org_units = _read_truth(truth_dir, "org_units.csv")
    courses = _read_truth(truth_dir, "courses.csv")
    training = _read_truth(truth_dir, "training.csv")
    for frame in (employees, org_units):
        frame["snapshot_month"] = frame["snapshot_month"].str.strip().str[:7]

    rows: list[dict] = []
    for kommunekode in sorted(set(training["kommunekode"].str.strip())):
        hr = employees[employees["kommunekode"].str.strip() == kommunekode]
        org = org_units[org_units["kommunekode"].str.strip() == kommunekode]
        found = linked_completions(
            kommunekode,
            training[training["kommunekode"].str.strip() == kommunekode],
            hr,
            courses[courses["kommunekode"].str.strip() == kommunekode],
        )
        completions = found["completions"]
        for month in sorted(found["months"]):
            day = _last_day(month)
            org_month = _snapshot_for(sorted(set(org["snapshot_month"])), month)
            tree = _tree(org[org["snapshot_month"] == org_month], day) if org_month else {}
            if not tree:
                continue
            snapshot = _hr_of(hr, month)
            units_of: dict[str, set[str]] = {}  # person -> los_ids listed in the month's snapshot
            staff: dict[str, set[str]] = {unit: set() for unit in tree}
            fte: dict[str, float] = {unit: 0.0 for unit in tree}
            for row in snapshot.itertuples(index=False):
                person, los_id = row.medarbejdernr.strip(), row.los_id.strip()
                units_of.setdefault(person, set()).add(los_id)
                start, end = _date(row.ansat_fra), _date(row.ansat_til)
                if (start is not None and start > day) or (end is not None and end < day):
                    continue
                for unit in _self_and_ancestors(tree, los_id):
                    staff[unit].add(person)
                    fte[unit] += float(row.beskaeftigelsesgrad)

            # this month's completions, once per unit they roll up to
            done: dict[tuple[str, str], dict[tuple[str, str], float | None]] = {}
            for (person, course, completion_month), (area, hours) in completions.items():
                if completion_month != month:
                    continue
                units = {u for los_id in units_of.get(person, ()) for u in _self_and_ancestors(tree, los_id)}
                for unit in units:
                    for counted_area in ([area] if area else []) + ["all"]:
                        done.setdefault((unit, counted_area), {})[(person, course)] = hours

            # people trained in the 12 months ending with this month, per area
            window = {_add_months(month, -i) for i in range(12)}
            trained_12m: dict[str, set[str]] = {area: set() for area in AREAS}
            for (person, _course, completion_month), (area, _hours) in completions.items():
                if completion_month in window:
                    trained_12m["all"].add(person)
                    if area:
                        trained_12m[area].add(person)

            # small cells by headcount: the same in every area
            reasons = suppression_reasons(tree, {unit: len(staff[unit]) for unit in tree}, min_cell)
            for unit in sorted(tree):
                headcount = len(staff[unit])
                hidden = reasons[unit] is not None
                for area in AREAS:
                    cell = done.get((unit, area), {})
                    people = len({person for person, _ in cell})
                    hours = float(sum(h for h in cell.values() if h is not None))
                    covered = len(staff[unit] & trained_12m[area])
                    rows.append(
                        {
                            "kommunekode": kommunekode,
                            "month": month,
                            "los_id": unit,
                            "competence_area": area,
                            "headcount": headcount,
                            "fte": fte[unit],
                            "completions": None if hidden else len(cell),
                            "people_trained": None if hidden else people,
                            "training_hours": None if hidden else hours,
                            "hours_per_fte": None if hidden or not fte[unit] else hours / fte[unit],
                            "coverage_12m": None if hidden or not headcount else covered / headcount,
                            "suppressed": hidden,
                            "suppression_reason": reasons[unit],
                        }
                    )
    frame = pd.DataFrame(rows, columns=UPTAKE_COLUMNS)
    for column in ("headcount",):
        frame[column] = frame[column].astype("int64")
    for column in ("completions", "people_trained"):
        frame[column] = frame[column].astype("Int64")
    for column in ("fte", "training_hours", "hours_per_fte", "coverage_12m"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame.sort_values(UPTAKE_KEY, ignore_index=True)


# --------------------------------------------------------------------------- training_after_maturity


def expected_training_after_maturity(truth_dir: Path, min_cell: int = 5) -> pd.DataFrame:
    truth_dir = Path(truth_dir)
    employees = _read_truth(truth_dir, "employees.csv")
    org_units = _read_truth(truth_dir, "org_units.csv")
    courses = _read_truth(truth_dir, "courses.csv")
    training = _read_truth(truth_dir, "training.csv")
    items = _read_truth(truth_dir, "items.csv")
    responses = _read_truth(truth_dir, "responses.csv")
    answers = _read_truth(truth_dir, "answers.csv")
    for frame in (employees, org_units):
        frame["snapshot_month"] = frame["snapshot_month"].str.strip().str[:7]
    for frame in (items, responses, answers):
        frame["wave"] = frame["wave"].str.strip().str.upper()

    rows: list[dict] = []
    for (kommunekode, wave), wave_responses in sorted(responses.groupby(["kommunekode", "wave"]), key=lambda kv: kv[0]):
        hr = employees[employees["kommunekode"] == kommunekode]
        org = org_units[org_units["kommunekode"] == kommunekode]
        k_training = training[training["kommunekode"] == kommunekode]
        day = wave_last_day(wave)
        org_month = _snapshot_for(sorted(set(org["snapshot_month"])), day.strftime("%Y-%m"))
        tree = _tree(org[org["snapshot_month"] == org_month], day) if org_month else {}
        if not tree:
            continue
        first = _add_months(day.strftime("%Y-%m"), 1)
        window = {_add_months(first, i) for i in range(6)}
        loaded = len(window & {m.strip()[:7] for m in k_training["file_month"]})
        completions = linked_completions(kommunekode, k_training, hr, courses[courses["kommunekode"] == kommunekode])[
            "completions"
        ]
        trained: dict[str, set[str]] = {area: set() for area in AREAS}
        for (person, _course, month), (area, _hours) in completions.items():
            if month in window:
                trained["all"].add(person)
                if area:
                    trained[area].add(person)

        linker = Linker(hr)
        kept = _kept_responses(wave_responses, _hr_links(hr))
        refs = dict(zip(wave_responses["respondent_id"], wave_responses["employee_ref"], strict=True))
        scores = _respondent_scores(
            answers[
                (answers["kommunekode"] == kommunekode)
                & (answers["wave"] == wave)
                & answers["respondent_id"].isin(set(kept["respondent_id"]))
            ],
            items[(items["kommunekode"] == kommunekode) & (items["wave"] == wave)],
        )
        cells: dict[tuple[str, str], list[tuple[bool, bool]]] = {}
        everyone: dict[tuple[str, str], int] = {}  # respondents, linked or not (digital_maturity's)
        for respondent in kept.itertuples(index=False):
            for area in scores.get(respondent.respondent_id, {}):
                for unit in _self_and_ancestors(tree, respondent.los_id):
                    everyone[unit, area] = everyone.get((unit, area), 0) + 1
            ref = refs[respondent.respondent_id].strip()
            person = linker.person(ref, "") if "@" not in ref else linker.person("", ref)
            if person is None:
                continue
            for area, score in scores.get(respondent.respondent_id, {}).items():
                for unit in _self_and_ancestors(tree, respondent.los_id):
                    cells.setdefault((unit, area), []).append((score < BASIC_BELOW, person in trained[area]))

        for area in AREAS:
            # small cells by the linked respondents the row describes, area by area; they are a subset of
            # digital_maturity's respondents, so no group of the unlinked rest may be derivable either
            full = {unit: everyone.get((unit, area), 0) for unit in tree}
            reasons = subset_suppression_reasons(
                tree,
                {unit: len(cells.get((unit, area), [])) for unit in tree},
                full,
                suppression_reasons(tree, full, min_cell),
                min_cell,
            )
            for unit in sorted(tree):
                cell = cells.get((unit, area), [])
                basic = [was_trained for is_basic, was_trained in cell if is_basic]
                hidden = reasons[unit] is not None
                unknown = hidden or loaded == 0
                rows.append(
                    {
                        "kommunekode": kommunekode,
                        "wave": wave,
                        "los_id": unit,
                        "competence_area": area,
                        "linked_respondents": len(cell),
                        "basic_respondents": None if hidden else len(basic),
                        "basic_trained_6m": None if unknown else sum(basic),
                        "share_basic_trained_6m": None if unknown or not basic else sum(basic) / len(basic),
                        "trained_6m": None if unknown else sum(t for _, t in cell),
                        "share_trained_6m": None if unknown or not cell else sum(t for _, t in cell) / len(cell),
                        "suppressed": hidden,
                        "suppression_reason": reasons[unit],
                        "followup_months_loaded": loaded,
                    }
                )
    frame = pd.DataFrame(rows, columns=FOLLOWUP_COLUMNS)
    for column in ("linked_respondents", "followup_months_loaded"):
        frame[column] = frame[column].astype("int64")
    for column in ("basic_respondents", "basic_trained_6m", "trained_6m"):
        frame[column] = frame[column].astype("Int64")
    for column in ("share_basic_trained_6m", "share_trained_6m"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame.sort_values(FOLLOWUP_KEY, ignore_index=True)
