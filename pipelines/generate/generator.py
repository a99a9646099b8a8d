"""`generate()`: a whole synthetic municipality written into a landing folder.

Every concern draws from its own random stream (seeded from seed, municipality and the concern's
name), so switching training, benefits or bad files on or off never changes another file's bytes,
and the same arguments always give the same bytes."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from . import bad_files as bad
from . import benefits as benefit_register
from . import training as lms
from .formats import CsvStyle, csv_bytes, plain_number, rotating_style
from .landing_file import HR_EMPLOYEE_COLUMNS, ORG_UNIT_COLUMNS, LandingFile
from .org import OrgPlan, build_org
from .people import Workforce, simulate_workforce
from .periods import Month, check_wave, shift_wave, wave_months
from .survey_dialects import flat_csv, forms_xlsx, items_csv, qualtrics_csv, surveyxact_zip
from .surveys import DIALECTS, SurveyWave, build_waves
from .truth import write_truth
from .variation import CLASSIC, Variation


@dataclass
class GenerateSummary:
    files: list[str]  # landing file names written, sorted
    employees: int  # the workforce size asked for (people employed at the start)
    waves: int
    respondents: int  # survey rows that are responses (is_response), all waves, answering twice counted twice


def generate(
    out: Path,
    *,
    municipality: str = "0751",
    employees: int = 3000,
    waves: int = 2,
    seed: int = 42,
    first_wave: str = "2025H1",
    bad_files: bool = False,
    truth: Path | None = None,
    training: bool = True,
    benefits: bool = True,
    variation: Variation = CLASSIC,
    dialects: tuple[str, ...] | None = None,
    org_like: tuple[str, int] | None = None,
    completions_per_year: float | None = None,
    style_offset: int = 0,
) -> GenerateSummary:
    """One municipality's files (and, with `truth`, what they mean).

    variation: the optional columns and export forms the contract leaves free (default: the classic form).
    dialects: the survey dialect of wave i is dialects[i % len] (default: SurveyXact, Qualtrics, Forms, flat).
    org_like: (kommunekode, employees) of a municipality whose org tree this one shares, byte for byte
        (same LOS ids and names), as municipalities on one HR system do.
    completions_per_year: training completions per employee and year (default: about 0.3).
    style_offset: shifts the CSV styles (encoding, delimiter, dates) of HR extracts, flat surveys and LMS
        reports, so municipalities differ; org trees and catalogues keep theirs (identical across municipalities).
    """
    if not re.fullmatch(r"\d{4}", municipality):
        raise ValueError(f"municipality must be a 4-digit kommunekode such as 0751, not {municipality!r}")
    if employees < 1:
        raise ValueError("employees must be at least 1")
    if waves < 1:
        raise ValueError("waves must be at least 1")
    check_wave(first_wave)

    def stream(concern: str) -> random.Random:
        return random.Random(f"digilead:{seed}:{municipality}:{concern}")

    labels = [shift_wave(first_wave, i) for i in range(waves)]
    months = [m for label in labels for m in wave_months(label)]
    change_month = wave_months(labels[1])[0] if waves >= 2 else months[1]
    if org_like is None:
        org = build_org(stream("org"), municipality, employees, months, change_month)
    else:
        donor, donor_employees = org_like
        org = build_org(random.Random(f"digilead:{seed}:{donor}:org"), donor, donor_employees, months, change_month)
    workforce = simulate_workforce(stream("people"), municipality, employees, months, org)
    survey_waves = build_waves(
        stream("surveys"), municipality, labels, workforce, org, dialects or DIALECTS, variation.qualtrics_test_row
    )
    training_rate = (
        lms.MONTHLY_TRAINING_RATE
        if completions_per_year is None
        else min(1.0, completions_per_year / 12 / lms.COMPLETED_SHARE)
    )

    files: list[LandingFile] = []
    # truth rows are only built when asked for: they cost as much as the files themselves
    tables: dict[str, list[dict[str, str]]] | None = defaultdict(list) if truth is not None else None
    files += _org_files(municipality, org, tables)
    files += _employee_files(municipality, workforce, tables, style_offset)
    files += _survey_files(municipality, survey_waves, seed, stream, tables, variation, style_offset)
    if training:
        files += _training_files(
            municipality, months, workforce, stream("training"), tables, training_rate, style_offset
        )
    benefit_dates = []
    if benefits:
        benefit_dates = benefit_register.snapshot_dates(months)
        files += _benefit_files(municipality, org, months, benefit_dates, stream("benefits"), tables)
    if bad_files:
        context = bad.BadFileContext(
            municipality,
            months,
            survey_waves,
            org,
            workforce,
            list(files),
            benefit_dates,
            datetime.combine(months[-1].last_day, datetime.min.time()),
        )
        files += bad.bad_files(stream("bad_files"), context)

    names = [f.name for f in files]
    assert len(set(n.lower() for n in names)) == len(names), "two landing files with one name"
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for file in files:
        (out / file.name).write_bytes(file.data)
    if truth is not None:
        write_truth(Path(truth), tables, files)
    respondents = sum(r.is_response for w in survey_waves for r in w.responses)
    return GenerateSummary(sorted(names), employees, waves, respondents)


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _org_files(k: str, org: OrgPlan, tables) -> list[LandingFile]:
    files = []
    for index, (month, units) in enumerate(sorted(org.snapshots.items())):
        style = rotating_style(index + 1)
        rows = [
            [
                u.los_id,
                u.parent_los_id or "",
                u.enhedsnavn,
                u.enhedstype,
                u.sektor,
                style.date(u.gyldig_fra),
                style.date(u.gyldig_til),
            ]
            for u in units
        ]
        files.append(
            LandingFile(
                f"hr_org_units_{k}_{month}.csv",
                csv_bytes(ORG_UNIT_COLUMNS, rows, style),
                "hr_org_units",
                why=style.describe(),
            )
        )
        if tables is not None:
            tables["org_units"] += [
                {
                    "kommunekode": k,
                    "snapshot_month": str(month),
                    "los_id": u.los_id,
                    "parent_los_id": u.parent_los_id or "",
                    "enhedsnavn": u.enhedsnavn,
                    "sektor": u.sektor,
                    "gyldig_fra": _iso(u.gyldig_fra),
                    "gyldig_til": _iso(u.gyldig_til),
                }
                for u in units
            ]
    return files


def _employee_files(k: str, workforce: Workforce, tables, style_offset: int = 0) -> list[LandingFile]:
    files = []
    for index, month in enumerate(workforce.months):
        style = rotating_style(index + style_offset)
        rows, truth = [], []
        for e in workforce.snapshot(month):
            los_id, ansat_til = e.los_id_at(month), e.ansat_til_shown(month)
            rows.append(
                [
                    e.cpr,
                    e.medarbejdernr,
                    e.navn,
                    e.email,
                    los_id,
                    e.stillingsbetegnelse,
                    e.personalekategori,
                    style.number(e.beskaeftigelsesgrad),
                    style.date(e.ansat_fra),
                    style.date(ansat_til),
                ]
            )
            if tables is not None:
                truth.append(
                    {
                        "kommunekode": k,
                        "snapshot_month": str(month),
                        "medarbejdernr": e.medarbejdernr,
                        "email": e.email,
                        "los_id": los_id,
                        "beskaeftigelsesgrad": plain_number(e.beskaeftigelsesgrad),
                        "ansat_fra": _iso(e.ansat_fra),
                        "ansat_til": _iso(ansat_til),
                    }
                )
        files.append(
            LandingFile(
                f"hr_employees_{k}_{month}.csv",
                csv_bytes(HR_EMPLOYEE_COLUMNS, rows, style),
                "hr_employees",
                why=style.describe(),
            )
        )
        if tables is not None:
            tables["employees"] += truth
    return files


def _survey_files(
    k: str, survey_waves: list[SurveyWave], seed: int, stream, tables, variation: Variation, style_offset: int
) -> list[LandingFile]:
    files = []
    for wave in survey_waves:
        items_style = rotating_style(wave.index + 4)
        files.append(
            LandingFile(
                f"survey_items_{k}_{wave.wave}.csv",
                items_csv(wave.items, items_style),
                "survey_items",
                why=items_style.describe(),
            )
        )
        exported = datetime.combine(wave_months(wave.wave)[4].first_day, datetime.min.time()) + timedelta(hours=8)
        name = f"survey_responses_{k}_{wave.wave}"
        if wave.dialect == "surveyxact":
            data, why = surveyxact_zip(wave, (seed + style_offset + wave.index // 4) % 3, exported, variation)
            files.append(LandingFile(f"{name}.zip", data, "survey_responses", why=why))
        elif wave.dialect == "qualtrics":
            files.append(
                LandingFile(
                    f"{name}.csv",
                    qualtrics_csv(wave, variation),
                    "survey_responses",
                    why="qualtrics csv, UTF-8 with BOM, comma, CRLF"
                    + (", numeric values" if variation.qualtrics_numeric else ""),
                )
            )
        elif wave.dialect == "forms":
            files.append(
                LandingFile(
                    f"{name}.xlsx", forms_xlsx(wave, exported), "survey_responses", why="forms xlsx, sheet Form1"
                )
            )
        else:
            style = rotating_style(wave.index + 2 + style_offset)
            files.append(
                LandingFile(
                    f"{name}.csv",
                    flat_csv(wave, style, stream(f"flat:{wave.wave}"), variation),
                    "survey_responses",
                    why=f"flat csv, {style.describe()}",
                )
            )
        if tables is None:
            continue
        tables["items"] += [
            {
                "kommunekode": k,
                "wave": wave.wave,
                "item_id": i.item_id,
                "question_text": i.question_text,
                "competence_code": i.competence_code,
                "reverse_scored": str(i.reverse_scored),
            }
            for i in wave.items
        ]
        # a flat export without the employee_ref column is an anonymous survey
        refs_written = wave.dialect != "flat" or variation.flat_employee_ref
        for r in wave.responses:
            tables["responses"].append(
                {
                    "kommunekode": k,
                    "wave": wave.wave,
                    "respondent_id": r.respondent_id,
                    "employee_ref": r.employee_ref if refs_written else "",
                    "los_id": r.los_id,
                    "submitted_at": r.submitted_at.isoformat(timespec="seconds"),
                    "is_response": str(int(r.is_response)),
                    "medarbejdernr": r.medarbejdernr if refs_written else "",
                }
            )
            if r.is_response:
                tables["answers"] += [
                    {
                        "kommunekode": k,
                        "wave": wave.wave,
                        "respondent_id": r.respondent_id,
                        "item_id": item_id,
                        "answer": "" if answer is None else str(answer),
                    }
                    for item_id, answer in r.answers.items()
                ]
    return files


def _training_files(
    k: str,
    months: list[Month],
    workforce: Workforce,
    rng: random.Random,
    tables,
    rate: float = lms.MONTHLY_TRAINING_RATE,
    style_offset: int = 0,
) -> list[LandingFile]:
    catalogue = lms.courses()
    courses_style = rotating_style(5)
    files = [
        LandingFile(
            f"courses_{k}.csv", lms.courses_csv(catalogue, courses_style), "courses", why=courses_style.describe()
        )
    ]
    if tables is not None:
        tables["courses"] += [
            {
                "kommunekode": k,
                "course_id": c.course_id,
                "course_name": c.course_name,
                "competence_code": c.competence_code,
                "nominal_hours": plain_number(c.nominal_hours),
            }
            for c in catalogue
        ]
        tables["training"]  # present (maybe empty) whenever training is on
    for index, month in enumerate(months):
        records = lms.build_month(rng, month, index, month == months[-1], workforce, catalogue, rate)
        if index % 2 == 0:
            style = rotating_style(index // 2 + 3 + style_offset)
            files.append(
                LandingFile(
                    f"training_{k}_{month}.csv",
                    lms.lms_csv(records, style),
                    "training",
                    why=f"LMS csv, {style.describe()}",
                )
            )
        else:
            files.append(
                LandingFile(
                    f"training_{k}_{month}.jsonl",
                    lms.xapi_jsonl(records, catalogue, workforce.domain),
                    "training",
                    why="xAPI jsonl, UTF-8, LF",
                )
            )
        if tables is not None:
            tables["training"] += [lms.truth_row(k, r) for r in records]
    return files


def _benefit_files(k: str, org: OrgPlan, months: list[Month], dates, rng: random.Random, tables) -> list[LandingFile]:
    register = benefit_register.build_register(rng, org, months)
    files = []
    for day in dates:
        if day == dates[-1]:  # the newest snapshot comes as the CSV triplet
            style = CsvStyle(
                encoding="cp1252", delimiter=";", line_end="\r\n", date_format="%d-%m-%Y", decimal_comma=True
            )
            for part, data in benefit_register.register_csvs(register, day, style).items():
                files.append(
                    LandingFile(f"benefits_{k}_{day.isoformat()}_{part}.csv", data, "benefits", why=style.describe())
                )
        else:
            files.append(
                LandingFile(
                    f"benefits_{k}_{day.isoformat()}.xlsx",
                    benefit_register.register_xlsx(register, day),
                    "benefits",
                    why="xlsx, sheets initiativer/gevinster/maalinger, real date cells",
                )
            )
        if tables is not None:
            for table, rows in benefit_register.truth_rows(k, register, day).items():
                tables[table] += rows
    return files
