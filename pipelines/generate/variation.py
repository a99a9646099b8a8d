"""What the data contract leaves free, chosen per municipality: which optional columns a tool writes,
whether a survey carries timestamps, how Qualtrics exports its values.

The default (`Variation()`) is the generator's classic form, byte for byte, so a plain `generate()`
(the demo, the tests) never changes; `Variation.draw(rng)` picks each freedom at random (the scale
generator does, seeded). Whatever is chosen, the truth files say what the written files mean."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Variation:
    # flat CSV: the optional `employee_ref` column (absent = an anonymous survey) and `submitted_at`
    flat_employee_ref: bool = True
    flat_submitted_at: bool = True
    # SurveyXact: the `closetime` variable (exports often have none) and structure.csv's trailing empty column
    surveyxact_closetime: bool = True
    surveyxact_trailing_column: bool = True
    # Qualtrics: "numeric values" export (Status/Finished as codes, answers as 1..5) instead of choice text;
    # extra metadata (IPAddress, location) and a text-analytics column (ignored by contract); a test row
    qualtrics_numeric: bool = False
    qualtrics_extra_columns: bool = False
    qualtrics_test_row: bool = False

    @classmethod
    def draw(cls, rng: random.Random) -> Variation:
        """Each freedom independently, about half the time away from the classic form."""
        return cls(**{f.name: rng.random() < 0.5 for f in fields(cls)})

    @classmethod
    def every_freedom(cls) -> Variation:
        """Every freedom taken at once, away from the classic form (one file of each kind in a run)."""
        return cls(**{f.name: not f.default for f in fields(cls)})

    def describe(self) -> str:
        changed = [f.name for f in fields(self) if getattr(self, f.name) != getattr(CLASSIC, f.name)]
        return ", ".join(f"{name}={getattr(self, name)}" for name in changed) or "classic"


CLASSIC = Variation()
