"""LMS training: the course catalogue and monthly records, alternating between the LMS's CSV
completion report (even month index) and xAPI statements as JSONL (odd month index).

CSV `completed_at` is Copenhagen wall-clock time. xAPI `timestamp` is UTC with `Z` (sometimes with
milliseconds) or Copenhagen time with its offset. Each month holds in-progress / not-started
records, a repeated completion (same person, same course), two people who are not in HR, and, in
xAPI months except the last month, a completion at 23:30Z on the month's last day, which belongs to
the next month in Europe/Copenhagen."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .danish import COURSES
from .formats import CsvStyle, csv_bytes, plain_number
from .people import Employee, Workforce
from .periods import Month, copenhagen_offset_of_local, copenhagen_offset_of_utc, iso_with_offset

MONTHLY_TRAINING_RATE = 0.035
COMPLETED_SHARE = 0.76  # of the records of LMS and xAPI months alike (the status weights below)
XAPI_VERB = "http://adlnet.gov/expapi/verbs/"
EXTERNAL_LEARNERS = [
    "ekstern.konsulent@netcompany.dk",
    "praktikant@via.dk",
    "Vikar.Bureau@adecco.dk",
    "frivillig.mentor@gmail.com",
]


@dataclass(frozen=True)
class Course:
    course_id: str
    course_name: str
    competence_code: str
    nominal_hours: float


@dataclass(frozen=True)
class TrainingRecord:
    file_month: Month
    record_format: str  # lms_csv | xapi
    statement_id: str  # xAPI id, '' for CSV
    user_email: str  # as delivered ('' when absent)
    medarbejdernr: str  # as delivered ('' when absent)
    linked_medarbejdernr: str  # whom the generator meant ('' = not in HR)
    course_id: str
    status: str  # LMS status, or the xAPI verb's last segment
    local_time: datetime | None  # Copenhagen wall clock of completed_at / timestamp
    hours: float | None  # LMS hours column
    duration_hours: float | None  # xAPI result.duration
    timestamp_form: str = "Z"  # xAPI: 'Z', 'Zms' or 'offset'

    @property
    def is_completion(self) -> bool:
        return self.status == "completed"


def courses() -> list[Course]:
    return [Course(f"K{101 + i}", name, code, hours) for i, (name, code, hours) in enumerate(COURSES)]


def courses_csv(catalogue: list[Course], style: CsvStyle) -> bytes:
    rows = [[c.course_id, c.course_name, c.competence_code, style.number(c.nominal_hours, 2)] for c in catalogue]
    return csv_bytes(["course_id", "course_name", "competence_code", "nominal_hours"], rows, style)


def _email_as_typed(rng: random.Random, email: str) -> str:
    roll = rng.random()
    return email.upper() if roll < 0.05 else (f" {email}" if roll < 0.08 else email)


def _iso_duration(hours: float) -> str:
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m or not h else "")


def build_month(
    rng: random.Random,
    month: Month,
    index: int,
    is_last: bool,
    workforce: Workforce,
    catalogue: list[Course],
    rate: float = MONTHLY_TRAINING_RATE,
) -> list[TrainingRecord]:
    """`rate`: the share of the month's staff with a record (at most one each, 76 % of them completions)."""
    record_format = "lms_csv" if index % 2 == 0 else "xapi"
    present = [e for e in workforce.snapshot(month) if e.employed_on(month.last_day)]
    weights = [3 if c.competence_code in ("2.1", "4.1", "4.2") else 1 for c in catalogue]

    def when() -> datetime:
        return datetime.combine(month.first_day, datetime.min.time()) + timedelta(
            days=rng.randint(0, month.days - 2),
            hours=rng.randint(7, 16),
            minutes=rng.randint(0, 59),
            seconds=rng.randint(0, 59),
        )

    def record(person: Employee | None, email: str, course: Course, status: str, moment: datetime) -> TrainingRecord:
        done = status == "completed"
        if record_format == "lms_csv":
            shape = rng.random()
            given_email = _email_as_typed(rng, email) if shape < 0.8 or person is None else ""
            given_number = person.medarbejdernr if person is not None and shape >= 0.35 else ""
            hours = (
                (
                    course.nominal_hours
                    if rng.random() < 0.7
                    else round(course.nominal_hours * rng.choice([0.5, 1.5]) * 2) / 2
                )
                if done and rng.random() < 0.75
                else None
            )
            return TrainingRecord(
                month,
                record_format,
                "",
                given_email,
                given_number,
                person.medarbejdernr if person else "",
                course.course_id,
                status,
                moment if done else None,
                hours,
                None,
            )
        duration = (
            round(course.nominal_hours * rng.choice([0.75, 1.0, 1.0, 1.25]) * 4) / 4 if rng.random() < 0.7 else None
        )
        return TrainingRecord(
            month,
            record_format,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            _email_as_typed(rng, email),
            "",
            person.medarbejdernr if person else "",
            course.course_id,
            status,
            moment,
            None,
            duration,
            rng.choices(["Z", "Zms", "offset"], weights=[6, 1, 3])[0],
        )

    statuses = (
        ["completed", "in_progress", "not_started"]
        if record_format == "lms_csv"
        else ["completed", "attempted", "progressed"]
    )
    records = []
    for person in rng.sample(present, k=min(len(present), round(len(present) * rate * rng.uniform(0.7, 1.3)))):
        course = rng.choices(catalogue, weights=weights)[0]
        records.append(record(person, person.email, course, rng.choices(statuses, weights=[76, 16, 8])[0], when()))
    # the same course completed twice in the month by one person (counts once)
    by_person = {e.medarbejdernr: e for e in present}
    for first in [r for r in records if r.is_completion][:2]:
        again = record(
            by_person[first.linked_medarbejdernr],
            by_person[first.linked_medarbejdernr].email,
            next(c for c in catalogue if c.course_id == first.course_id),
            "completed",
            when(),
        )
        records.append(again)
    # learners HR does not know
    for email in rng.sample(EXTERNAL_LEARNERS, k=2):
        records.append(record(None, email, rng.choice(catalogue), "completed", when()))
    # 23:30Z on the last day: next month in Copenhagen
    if record_format == "xapi" and not is_last:
        next_month_people = {
            e.medarbejdernr for e in workforce.snapshot(month.plus(1)) if e.employed_on(month.plus(1).last_day)
        }
        person = next(p for p in present if p.medarbejdernr in next_month_people)
        utc = datetime.combine(month.last_day, datetime.min.time()) + timedelta(hours=23, minutes=30)
        boundary = record(person, person.email, catalogue[8], "completed", utc + copenhagen_offset_of_utc(utc))
        records.append(replace(boundary, timestamp_form="Z"))
    records.sort(key=lambda r: (r.local_time or datetime.max, r.course_id, r.linked_medarbejdernr, r.user_email))
    return records


def _xapi_timestamp(record: TrainingRecord) -> str:
    offset = copenhagen_offset_of_local(record.local_time)
    if record.timestamp_form == "offset":
        return iso_with_offset(record.local_time, offset)
    utc = record.local_time - offset
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (".000Z" if record.timestamp_form == "Zms" else "Z")


def xapi_jsonl(records: list[TrainingRecord], catalogue: list[Course], domain: str) -> bytes:
    names = {c.course_id: c.course_name for c in catalogue}
    lines = []
    for r in records:
        statement = {
            "id": r.statement_id,
            "actor": {"objectType": "Agent", "mbox": f"mailto:{r.user_email}"},
            "verb": {"id": XAPI_VERB + r.status, "display": {"en-US": r.status}},
            "object": {
                "objectType": "Activity",
                "id": f"https://lms.{domain}/xapi/activities/course/{r.course_id}",
                "definition": {"name": {"da-DK": names[r.course_id]}},
            },
            "timestamp": _xapi_timestamp(r),
        }
        result = {"completion": r.is_completion}
        if r.duration_hours is not None:
            result["duration"] = _iso_duration(r.duration_hours)
        statement["result"] = result
        lines.append(json.dumps(statement, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def lms_csv(records: list[TrainingRecord], style: CsvStyle) -> bytes:
    rows = [
        [r.user_email, r.medarbejdernr, r.course_id, r.status, style.timestamp(r.local_time), style.number(r.hours, 2)]
        for r in records
    ]
    return csv_bytes(["user_email", "medarbejdernr", "course_id", "status", "completed_at", "hours"], rows, style)


def truth_row(kommunekode: str, r: TrainingRecord) -> dict[str, str]:
    moment = ""
    if r.local_time is not None:
        moment = iso_with_offset(r.local_time, copenhagen_offset_of_local(r.local_time))
    return {
        "kommunekode": kommunekode,
        "file_month": str(r.file_month),
        "record_format": r.record_format,
        "statement_id": r.statement_id,
        "user_email": r.user_email,
        "medarbejdernr": r.medarbejdernr,
        "linked_medarbejdernr": r.linked_medarbejdernr,
        "course_id": r.course_id,
        "status": r.status,
        "is_completion": str(int(r.is_completion)),
        "completed_at": moment,
        "completed_month": str(Month.of(r.local_time)) if r.local_time is not None else "",
        "hours": plain_number(r.hours),
        "duration_hours": plain_number(r.duration_hours),
    }
