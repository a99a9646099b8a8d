"""The synthetic municipality: seeded, byte-for-byte reproducible landing files in every format
the data contract accepts, plus (optionally) the truth the pipeline should recover from them.

Imports nothing from the rest of `pipelines/`, so tests can trust it independently of the
pipeline's own code. Module map: periods (months, waves, Copenhagen time), danish (vocabulary),
formats (CSV/ZIP/XLSX bytes), org (the org tree), people (HR), surveys + survey_dialects,
training, benefits, bad_files, truth (see its docstring for the truth files), generator,
variation (what the contract leaves free), scale (many municipalities: --scale S|M|L)."""

from .generator import GenerateSummary, generate
from .scale import generate_scale
from .variation import Variation

__all__ = ["GenerateSummary", "Variation", "generate", "generate_scale"]
