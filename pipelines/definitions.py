"""digilead's Dagster definitions: everything under `pipelines/defs/`, found by `dg` (`[tool.dg]` in pyproject.toml).

`dg dev` / `make dev`, `dg check defs`, the daemon's code server and `digilead run` load these. Each module of
`pipelines/defs/` contributes its own definitions (an `@dg.definitions` function), so a new asset, check, job or
sensor only needs a module there.
"""

from __future__ import annotations

import functools
from pathlib import Path

import dagster as dg

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # holds pyproject.toml with [tool.dg]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(project_root=PROJECT_ROOT)


@functools.cache
def loaded() -> dg.Definitions:
    """The definitions, loaded once per process (for `digilead run` and the tests)."""
    return defs()
