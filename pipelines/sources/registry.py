"""Every source the pipeline knows: its file-name pattern, parser, suite and raw tables.

One mechanism serves all sources (lifecycle, validation, loading read this table); adding a source
means adding one SourceSpec here and its parser module.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from pipelines.sources.base import DAY, KOMMUNEKODE, MONTH, WAVE, FileName, ParseContext, ParsedFile, name_pattern

Parser = Callable[[bytes, FileName, ParseContext], ParsedFile]


@dataclass(frozen=True)
class Needs:
    """A source whose files can be read only with data of files loaded before them.

    lookup: the name of a warehouse lookup (`pipelines.warehouse.LOOKUPS`, a query and nothing else);
    its result is the parser's `ParseContext.needed`, None when nothing has been loaded yet (the
    parser then raises WaitingFor and the file stays in landing).
    request: "module:function" of the source that says, from a file's name, what to look up for it
    (the lookup's keyword arguments), or None when this file needs nothing (needed is then {}).
    raw_tables: the raw tables the lookup reads. The source's staged asset depends on those of other
    sources (so one run loads a catalogue before the responses that need it); a need within the
    source itself (a register part waiting for its sibling) is met by the next pass of the run.
    """

    lookup: str
    request: str
    raw_tables: tuple[str, ...]

    def arguments(self, file: FileName) -> dict[str, str] | None:
        module, function = self.request.split(":")
        return getattr(importlib.import_module(module), function)(file)


@dataclass(frozen=True)
class SourceSpec:
    name: str
    pattern: re.Pattern[str]
    description: str
    parser_module: str
    raw_tables: tuple[str, ...] = ()
    rank: int = 0  # processing order within a run: what others depend on goes first
    needs: Needs | None = None  # data from earlier files the parser needs (see Needs)

    @property
    def suite(self) -> str:
        return self.name

    def parser(self) -> Parser:
        return importlib.import_module(self.parser_module).parse


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "hr_org_units",
        name_pattern(rf"hr_org_units_{KOMMUNEKODE}_{MONTH}", ("csv",)),
        "HR org units: the organisation tree (LOS) as at the end of a month",
        "pipelines.sources.hr_org_units",
        ("hr_org_units",),
        rank=0,
    ),
    SourceSpec(
        "hr_employees",
        name_pattern(rf"hr_employees_{KOMMUNEKODE}_{MONTH}", ("csv",)),
        "HR employees: the monthly payroll extract, a full snapshot at month end",
        "pipelines.sources.hr_employees",
        ("hr_employees",),
        rank=1,
    ),
    SourceSpec(
        "survey_items",
        name_pattern(rf"survey_items_{KOMMUNEKODE}_{WAVE}", ("csv",)),
        "Survey item catalogue: item ids, DigComp competence codes, reverse scoring",
        "pipelines.sources.survey_items",
        ("survey_items",),
        rank=2,
    ),
    SourceSpec(
        "survey_responses",
        name_pattern(rf"survey_responses_{KOMMUNEKODE}_{WAVE}", ("csv", "xlsx", "zip")),
        "Survey responses in the flat, Qualtrics, Microsoft Forms or SurveyXact dialect",
        "pipelines.sources.survey_responses",
        ("survey_responses", "survey_answers", "survey_item_coverage"),
        rank=3,
        needs=Needs(
            "survey_items", "pipelines.sources.survey_responses:catalogue_needed", ("survey_items",)
        ),  # responses wait for their item catalogue
    ),
    SourceSpec(
        "courses",
        name_pattern(rf"courses_{KOMMUNEKODE}(?P<period>)", ("csv",)),
        "Course catalogue of the LMS",
        "pipelines.sources.courses",
        ("courses",),
        rank=4,
    ),
    SourceSpec(
        "training",
        name_pattern(rf"training_{KOMMUNEKODE}_{MONTH}", ("csv", "jsonl")),
        "Training records: LMS completion reports or xAPI statements",
        "pipelines.sources.training",
        ("training_records",),
        rank=5,
    ),
    SourceSpec(
        "benefits",
        name_pattern(rf"benefits_{KOMMUNEKODE}_{DAY}(?:_(?P<part>initiativer|gevinster|maalinger))?", ("xlsx", "csv")),
        "Benefit-realisation register (gevinstrealisering)",
        "pipelines.sources.benefits",
        ("benefit_initiativer", "benefit_gevinster", "benefit_maalinger", "benefit_register_parts"),
        rank=6,
        # a CSV part waits for its sibling: gevinster for initiativer, maalinger for gevinster
        needs=Needs(
            "benefit_register_part",
            "pipelines.sources.benefits:sibling_needed",
            ("benefit_register_parts", "benefit_initiativer", "benefit_gevinster"),
        ),
    ),
)

SOURCES_BY_NAME = {spec.name: spec for spec in SOURCES}


def detect(file_name: str) -> tuple[SourceSpec, FileName] | None:
    """The source a landing file belongs to, by its name (case-insensitive), or None."""
    for spec in SOURCES:
        match = spec.pattern.match(file_name)
        if match:
            groups = match.groupdict()
            part = groups.get("part")
            return spec, FileName(
                name=file_name,
                source=spec.name,
                kommunekode=groups["kommunekode"],
                period=(groups.get("period") or "").upper(),
                extension=groups["extension"].lower(),
                part=part.lower() if part else None,
            )
    return None
