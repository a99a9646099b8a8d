"""`generate_scale()`: many municipalities at once, for benchmarks and national-scale tests.

    S  one municipality (0751) of 3,000 employees
    M  one municipality (0751) of 25,000 employees
    L  all 98 Danish municipalities, 500,000 employees in all (sizes drawn, seeded)

Each municipality gets two survey waves (the dialects rotate over municipalities, so L has every
dialect in both waves), 12 monthly HR extracts and org trees, 12 months of training records (about
five completions per employee a year) and benefit registers. Unless `classic`, what the contract
leaves free is drawn per municipality from the seed (variation.Variation: optional columns, timestamps,
Qualtrics numeric exports), CSV styles differ between municipalities, and about a third of the
municipalities share another's org tree byte for byte. Municipalities are generated in parallel
processes; with `truth`, their truth tables are written side by side and then concatenated."""

from __future__ import annotations

import os
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .generator import generate
from .surveys import DIALECTS
from .truth import COLUMNS, FILE_COLUMNS
from .variation import Variation

# The 98 municipalities (kommunekoder), Christiansø (0411) not being one.
KOMMUNEKODER = (
    "0101 0147 0151 0153 0155 0157 0159 0161 0163 0165 0167 0169 0173 0175 0183 0185 0187 0190 0201 0210 "
    "0217 0219 0223 0230 0240 0250 0253 0259 0260 0265 0269 0270 0306 0316 0320 0326 0329 0330 0336 0340 "
    "0350 0360 0370 0376 0390 0400 0410 0420 0430 0440 0450 0461 0479 0480 0482 0492 0510 0530 0540 0550 "
    "0561 0563 0573 0575 0580 0607 0615 0621 0630 0657 0661 0665 0671 0706 0707 0710 0727 0730 0740 0741 "
    "0746 0751 0756 0760 0766 0773 0779 0787 0791 0810 0813 0820 0825 0840 0846 0849 0851 0860"
).split()
SCALES = {"S": 3_000, "M": 25_000, "L": 500_000}
COMPLETIONS_PER_YEAR = 5.0
SHARED_ORG_SHARE = 0.35  # of the municipalities (after the first) that take an earlier one's org tree
SMALLEST = 300


@dataclass(frozen=True)
class MunicipalityPlan:
    kommunekode: str
    employees: int
    dialects: tuple[str, ...]
    variation: Variation
    org_like: tuple[str, int] | None
    style_offset: int


def plan(scale: str, seed: int = 42, *, classic: bool = False, dialect: str | None = None) -> list[MunicipalityPlan]:
    """Who is generated with what: deterministic in (scale, seed, classic, dialect)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    if dialect is not None and dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    rng = random.Random(f"digilead:{seed}:scale:{scale}")
    if scale in ("S", "M"):
        sizes = {"0751": SCALES[scale]}
    else:
        weights = [rng.lognormvariate(0, 0.75) for _ in KOMMUNEKODER]
        spare = SCALES[scale] - SMALLEST * len(KOMMUNEKODER)
        sizes = {k: SMALLEST + int(spare * w / sum(weights)) for k, w in zip(KOMMUNEKODER, weights, strict=True)}
        sizes[KOMMUNEKODER[0]] += SCALES[scale] - sum(sizes.values())  # København takes the rounding
    plans: list[MunicipalityPlan] = []
    for index, (kommunekode, employees) in enumerate(sizes.items()):
        rotation = DIALECTS[index % 4 :] + DIALECTS[: index % 4]
        org_like = None
        if not classic and plans and rng.random() < SHARED_ORG_SHARE:
            donor = rng.choice([p for p in plans if p.org_like is None])
            org_like = (donor.kommunekode, donor.employees)
        plans.append(
            MunicipalityPlan(
                kommunekode,
                employees,
                (dialect,) if dialect else rotation,
                Variation() if classic else Variation.draw(rng),
                org_like,
                0 if classic else index,
            )
        )
    return plans


def _one(args: tuple) -> list[str]:
    municipality, out, seed, waves, first_wave, training, benefits, truth = args
    summary = generate(
        out,
        municipality=municipality.kommunekode,
        employees=municipality.employees,
        waves=waves,
        seed=seed,
        first_wave=first_wave,
        truth=truth,
        training=training,
        benefits=benefits,
        variation=municipality.variation,
        dialects=municipality.dialects,
        org_like=municipality.org_like,
        completions_per_year=COMPLETIONS_PER_YEAR if training else None,
        style_offset=municipality.style_offset,
    )
    return summary.files


def generate_scale(
    out: Path,
    scale: str,
    *,
    seed: int = 42,
    waves: int = 2,
    first_wave: str = "2025H1",
    truth: Path | None = None,
    training: bool = True,
    benefits: bool = True,
    classic: bool = False,
    dialect: str | None = None,
    processes: int | None = None,
) -> tuple[list[MunicipalityPlan], list[str]]:
    """Writes every municipality of `scale` into `out`; returns the plans and the file names written."""
    plans = plan(scale, seed, classic=classic, dialect=dialect)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parts = Path(truth) / "_parts" if truth is not None else None
    jobs = [
        (p, out, seed, waves, first_wave, training, benefits, parts / p.kommunekode if parts else None) for p in plans
    ]
    workers = processes or min(len(jobs), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            names = [name for files in pool.map(_one, jobs) for name in files]
    else:
        names = [name for job in jobs for name in _one(job)]
    if parts is not None:
        _concatenate_truth(parts, [p.kommunekode for p in plans], Path(truth))
    return plans, sorted(names)


def _concatenate_truth(parts: Path, kommunekoder: list[str], truth: Path) -> None:
    """One truth folder as if written at once: each table's rows of every municipality under one header."""
    for name in [*COLUMNS, "files"]:
        sources = [parts / k / f"{name}.csv" for k in kommunekoder if (parts / k / f"{name}.csv").exists()]
        if not sources:
            continue
        with open(truth / f"{name}.csv", "wb") as target:
            target.write((",".join(COLUMNS.get(name, FILE_COLUMNS)) + "\n").encode())
            for source in sources:
                with open(source, "rb") as rows:
                    rows.readline()  # the header
                    shutil.copyfileobj(rows, target)
    shutil.rmtree(parts)
