"""What a dbt build must recompute: every municipality, or only those whose files changed.

Intermediate and mart tables are incremental by municipality (dbt_project/macros/scope.sql). After
a successful build and publish, the warehouse remembers when that build started and the *build
signature* (the models' SQL and the settings that change results). The next build then recomputes:

- everything, with `--full-refresh`, when nothing was built yet or the signature changed (a new
  digilead version, another DIGILEAD_MIN_CELL): old rows would not match the new definitions;
- otherwise only the municipalities with files loaded or withdrawn since that build started (a
  file's municipality is in meta.files), so a new file costs time in proportion to its own
  municipality's data, not to every municipality's history; and only the models those files' raw
  tables feed (pipelines/transform/dbt.py: build_args), so a training file does not rebuild the
  survey marts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.settings import Settings
from pipelines.sources.registry import SOURCES_BY_NAME
from pipelines.warehouse import Warehouse, state


@dataclass(frozen=True)
class BuildScope:
    kommuner: tuple[str, ...] | None  # None: every municipality
    full_refresh: bool = False
    sources: tuple[str, ...] | None = None  # the changed raw tables ("raw.hr_employees"); None: every model

    @classmethod
    def everything(cls, full_refresh: bool = False) -> BuildScope:
        return cls(None, full_refresh)

    def describe(self) -> str:
        if self.kommuner is None:
            return "every municipality" + (
                " (full refresh: first build or changed models/settings)" if self.full_refresh else ""
            )
        models = "" if self.sources is None else "; only the models fed by " + ", ".join(self.sources)
        return "municipalities " + ", ".join(self.kommuner) + " only (incremental)" + models


def build_signature(manifest: Path, variables: dict[str, object]) -> str:
    """Changes when a model's or macro's SQL, a seed, or a result-changing setting changes."""
    nodes = json.loads(Path(manifest).read_text())
    parts = sorted(
        f"{key}:{node['checksum']['checksum']}"
        for key, node in nodes["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    )
    parts += sorted(
        f"{key}:{macro['macro_sql']}" for key, macro in nodes["macros"].items() if macro["package_name"] == "digilead"
    )
    parts.append(json.dumps(variables, sort_keys=True))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def scope_for(con: duckdb.DuckDBPyConnection, signature: str) -> BuildScope:
    """The scope of the next build, from the last build's bookkeeping and meta.files."""
    built_at, built_with = state.last_build(con)
    if built_at is None or built_with != signature:
        return BuildScope.everything(full_refresh=True)
    changed = con.execute(
        """select kommunekode, source from meta.files
           where processed_at >= ?::timestamp and status in ('accepted', 'withdrawn') and kommunekode is not null""",
        [built_at],
    ).fetchall()
    if not changed:
        return BuildScope.everything()  # stale for another reason: recompute all, to be safe
    return BuildScope(
        tuple(sorted({kommune for kommune, _ in changed})), sources=raw_tables_of({s for _, s in changed})
    )


def raw_tables_of(sources: set[str]) -> tuple[str, ...] | None:
    """The raw tables files of these sources load into, or None (every model) for a source not in the registry."""
    if not sources <= SOURCES_BY_NAME.keys():
        return None
    return tuple(sorted({f"raw.{table}" for source in sources for table in SOURCES_BY_NAME[source].raw_tables}))


def plan_build(settings: Settings, manifest: Path, result_settings: dict[str, object]) -> BuildScope:
    """Decide what the next build recomputes, and remember that it starts (publishing records it as done)."""
    signature = build_signature(manifest, result_settings)
    warehouse = Warehouse(settings.warehouse)
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        scope = scope_for(con, signature)
        state.start_build(con, signature)
    return scope
