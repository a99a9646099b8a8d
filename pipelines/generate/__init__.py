"""The synthetic municipality: seeded, byte-for-byte reproducible landing files in every format
the data contract accepts, plus (optionally) the truth the pipeline should recover from them.

Imports nothing from the rest of `pipelines/`, so tests can trust it independently of the
pipeline's own code. Module map: periods (months, waves, Copenhagen time), danish (vocabulary),
formats (CSV/ZIP/XLSX bytes), org (the org tree), people (HR), surveys + survey_dialects,
training, benefits, bad_files, truth (see its docstring for the truth files), generator."""

from .generator import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
