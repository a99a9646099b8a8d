"""The digital-maturity survey as the generator means it: item catalogue and responses per wave.

Answers are correlated: answer = round(3.1 + unit effect + person effect + area offset + wave
progress + noise), clamped to 1..5 and stored *as given* (a reverse-scored item holds 6 - a).
Dialect writers (survey_dialects.py) only change how this is written, never what it says."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .danish import COMMENTS, PERSONAL_COMMENTS, SURVEY_ITEMS
from .org import OrgPlan
from .people import Employee, Workforce
from .periods import wave_months

DIALECTS = ("surveyxact", "qualtrics", "forms", "flat")
AREA_OFFSETS = {"1": 0.25, "2": 0.35, "3": -0.45, "4": 0.1, "5": -0.2}  # content creation is hardest
MISSING_RATE = 0.05


@dataclass(frozen=True)
class SurveyItem:
    item_id: str
    question_text: str
    competence_code: str
    reverse_scored: int


@dataclass
class Response:
    respondent_id: str
    employee_ref: str  # exactly as delivered ('' = anonymous)
    medarbejdernr: str  # whom the generator meant ('' = anonymous or not in HR)
    email: str  # the invitation's address (Qualtrics RecipientEmail), '' when unknown
    name: str  # Forms' Name / Qualtrics recipient name, '' when anonymous
    los_id: str
    started_at: datetime  # Copenhagen wall clock
    submitted_at: datetime
    answers: dict[str, int | None]  # item_id -> 1..5 as given, None = no answer
    missing_as: dict[str, str] = field(default_factory=dict)  # item_id -> '', '-' or 'Ved ikke' for a None answer
    comment: str = ""
    exclusion: str = ""  # '', 'Survey Preview', 'Survey Test', 'Spam' or 'unfinished' (Qualtrics non-responses)
    progress: int = 100

    @property
    def is_response(self) -> bool:
        return not self.exclusion


@dataclass
class SurveyWave:
    kommunekode: str
    wave: str
    index: int
    dialect: str
    items: list[SurveyItem]
    responses: list[Response]  # chronological; duplicates and non-responses included


def survey_items() -> list[SurveyItem]:
    return [
        SurveyItem(f"Q{i:02d}", text, code, reverse) for i, (code, text, reverse) in enumerate(SURVEY_ITEMS, start=1)
    ]


class _Latent:
    """Stable person and unit effects, so people and units keep their level across waves."""

    def __init__(self, rng: random.Random, workforce: Workforce, org: OrgPlan):
        self.person = {e.medarbejdernr: rng.gauss(0, 0.55) for e in workforce.employees}
        all_units = sorted({u.los_id for tree in org.snapshots.values() for u in tree}, key=int)
        self.unit = {los_id: rng.gauss(0, 0.35) for los_id in all_units}


def _answers(rng: random.Random, items: list[SurveyItem], level: float, dialect: str) -> tuple[dict, dict]:
    answers: dict[str, int | None] = {}
    missing_as: dict[str, str] = {}
    missing_forms = {
        "flat": ["", "-", "Ved ikke", "ved ikke "],
        "qualtrics": ["", "Ved ikke"],
        "forms": ["", "Ved ikke"],
        "surveyxact": ["", "Ved ikke"],
    }[dialect]
    for item in items:
        if rng.random() < MISSING_RATE:
            answers[item.item_id] = None
            missing_as[item.item_id] = rng.choice(missing_forms)
            continue
        meant = min(5, max(1, round(level + AREA_OFFSETS[item.competence_code[0]] + rng.gauss(0, 0.75))))
        answers[item.item_id] = 6 - meant if item.reverse_scored else meant
    return answers, missing_as


def _reference(rng: random.Random, employee: Employee, dialect: str) -> str:
    """employee_ref as a survey tool delivers it: employee number or e-mail in odd case/spacing."""
    if dialect != "forms" and rng.random() < 0.45:
        return employee.medarbejdernr
    roll = rng.random()
    if roll < 0.15:
        return employee.email.upper()
    if roll < 0.3:
        return f"  {employee.email} "
    if roll < 0.4:
        local, domain = employee.email.split("@")
        return f"{local.title()}@{domain}"
    return employee.email


def _random_id(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=length))


def build_wave(
    rng: random.Random,
    latent: _Latent,
    kommunekode: str,
    wave: str,
    index: int,
    workforce: Workforce,
    org: OrgPlan,
    dialect: str,
    test_row: bool = False,
) -> SurveyWave:
    items = survey_items()
    survey_month = wave_months(wave)[2]  # March or September
    window_start = datetime.combine(survey_month.first_day, datetime.min.time())
    eligible = [e for e in workforce.snapshot(survey_month) if e.employed_on(survey_month.first_day)]
    unit_propensity = {los_id: rng.uniform(0.75, 1.25) for los_id in sorted(org.units_at(survey_month), key=int)}
    base_rate = rng.uniform(0.55, 0.65)

    def moment() -> datetime:
        # working hours mostly, over five weeks
        return window_start + timedelta(
            days=rng.randint(0, 34),
            hours=rng.choice([7, 8, 9, 10, 11, 12, 13, 14, 15, 19, 21]),
            minutes=rng.randint(0, 59),
            seconds=rng.randint(0, 59),
        )

    def response(
        employee: Employee | None, ref: str, los_id: str, level: float, submitted: datetime | None = None
    ) -> Response:
        answers, missing_as = _answers(rng, items, level, dialect)
        submitted = submitted or moment()
        comment = ""
        if rng.random() < 0.12:
            comment = rng.choice(COMMENTS)
        if employee is not None and rng.random() < 0.01:
            colleague = rng.choice(workforce.employees)
            comment = rng.choice(PERSONAL_COMMENTS).format(name=colleague.navn, email=colleague.email)
        return Response(
            "",
            ref,
            employee.medarbejdernr if employee else "",
            employee.email if employee else "",
            employee.navn if employee else "",
            los_id,
            submitted - timedelta(seconds=rng.randint(150, 1500)),
            submitted,
            answers,
            missing_as,
            comment,
        )

    responses: list[Response] = []
    non_respondents: list[Employee] = []
    for employee in eligible:
        los_id = employee.los_id_at(survey_month)
        if rng.random() >= min(0.95, base_rate * unit_propensity[los_id]):
            non_respondents.append(employee)
            continue
        level = 3.1 + latent.unit[los_id] + latent.person[employee.medarbejdernr] + 0.12 * index
        anonymous = rng.random() < 0.03
        ref = "" if anonymous else _reference(rng, employee, dialect)
        responses.append(response(None if anonymous else employee, ref, los_id, level))

    # respondents the pipeline cannot link: a temp with a private address, a mistyped employee number
    units = sorted(org.units_at(survey_month), key=int)
    strangers = ["vikar.hansen@gmail.com"] + (
        [] if dialect == "forms" else ["99" + eligible[0].medarbejdernr[2:] + "9"]
    )
    for ref in strangers:
        stranger = response(None, ref, rng.choice(units), 3.0)
        stranger.email = ref if "@" in ref else ""
        responses.append(stranger)

    # someone who answered "Ved ikke"/nothing everywhere: a response, but no respondent in any area
    blank = responses[len(responses) // 2]
    blank.answers = {item.item_id: None for item in items}
    blank.missing_as = {item.item_id: "Ved ikke" for item in items}

    # people who answered twice: same employee_ref, later submission wins
    identified = [r for r in responses if r.medarbejdernr]
    for first in rng.sample(identified, k=min(len(identified), max(2, len(identified) // 70))):
        again = response(
            None,
            first.employee_ref,
            first.los_id,
            3.1 + latent.person[first.medarbejdernr] + 0.12 * index,
            submitted=first.submitted_at + timedelta(days=rng.randint(1, 6), minutes=rng.randint(1, 600)),
        )
        again.medarbejdernr, again.email, again.name = first.medarbejdernr, first.email, first.name
        responses.append(again)

    if dialect == "qualtrics":
        responses.extend(_qualtrics_non_responses(rng, response, non_respondents, units, survey_month, test_row))

    responses.sort(key=lambda r: (r.submitted_at, r.medarbejdernr, r.employee_ref))
    _assign_ids(rng, responses, dialect)
    return SurveyWave(kommunekode, wave, index, dialect, items, responses)


def _qualtrics_non_responses(rng, response, non_respondents, units, survey_month, test_row):
    rows = []
    for status in ("Survey Preview", "Survey Preview", "Spam", *(["Survey Test"] if test_row else [])):
        row = response(None, "", rng.choice(units), 3.0)
        row.exclusion = status
        rows.append(row)
    for employee in rng.sample(non_respondents, k=min(4, len(non_respondents))):
        row = response(employee, employee.email, employee.los_id_at(survey_month), 3.0)
        row.exclusion, row.progress = "unfinished", rng.choice([12, 35, 48, 71])
        answered = max(1, len(row.answers) * row.progress // 100)
        for item_id in list(row.answers)[answered:]:
            row.answers[item_id] = None
            row.missing_as[item_id] = ""
        rows.append(row)
    return rows


def _assign_ids(rng: random.Random, responses: list[Response], dialect: str) -> None:
    for number, row in enumerate(responses, start=1):
        if dialect == "qualtrics":
            row.respondent_id = "R_" + _random_id(rng, 15)
        elif dialect == "forms":
            row.respondent_id = str(number)
        elif dialect == "surveyxact":
            row.respondent_id = str(3_100_000 + number * 7)
        else:
            row.respondent_id = f"R{number:05d}"


def build_waves(
    rng: random.Random,
    kommunekode: str,
    waves: list[str],
    workforce: Workforce,
    org: OrgPlan,
    dialects: tuple[str, ...] = DIALECTS,
    test_row: bool = False,
) -> list[SurveyWave]:
    """Wave i is written in dialects[i % len(dialects)] (by default the four in turn)."""
    latent = _Latent(rng, workforce, org)
    return [
        build_wave(rng, latent, kommunekode, wave, index, workforce, org, dialects[index % len(dialects)], test_row)
        for index, wave in enumerate(waves)
    ]
