"""One file the generator puts in the landing zone, with what the pipeline should make of it."""

from __future__ import annotations

from dataclasses import dataclass

ACCEPTED, QUARANTINED, DUPLICATE = "accepted", "quarantined", "duplicate"


@dataclass(frozen=True)
class LandingFile:
    name: str
    data: bytes
    source: str  # hr_employees, hr_org_units, survey_items, survey_responses, courses, training, benefits, unknown
    expected_outcome: str = ACCEPTED
    why: str = ""  # for accepted files: the form it was written in; otherwise what is wrong with it


# Contract column orders (docs/files.md, HR employees and org units), shared by good and bad HR files.
HR_EMPLOYEE_COLUMNS = [
    "cpr",
    "medarbejdernr",
    "navn",
    "email",
    "los_id",
    "stillingsbetegnelse",
    "personalekategori",
    "beskaeftigelsesgrad",
    "ansat_fra",
    "ansat_til",
]
ORG_UNIT_COLUMNS = ["los_id", "parent_los_id", "enhedsnavn", "enhedstype", "sektor", "gyldig_fra", "gyldig_til"]
