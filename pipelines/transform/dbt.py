"""Building dbt invocations: small pure functions, so they can be tested without running dbt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from pipelines.machine import usable_cores
from pipelines.settings import Settings
from pipelines.transform.scope import BuildScope

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MANIFEST = PROJECT_DIR / "target" / "manifest.json"
PARTIAL_PARSE = "partial_parse.msgpack"
PARSE_AHEAD = "target-parse-ahead"  # under $DIGILEAD_HOME/dbt: start_parse_ahead's target
MAX_DBT_THREADS = 4


def result_settings(settings: Settings) -> dict[str, object]:
    """The settings that change what the models compute (part of the build signature)."""
    return {"min_cell": settings.min_cell}


# Internal-invariant tests re-check what ingestion validated: they run in `make test` and manual builds,
# not in the pipeline's builds (the dbt asset excludes them, so they are no asset checks either).
NOT_IN_PIPELINE_BUILDS = "tag:internal_invariant"


# Every build follows a change to the file registry (a loaded, quarantined or duplicate file): what reads it
# (marts.dq_files and what depends on it) is rebuilt whenever anything is.
ALWAYS_CHANGED = ("meta.files",)
BUILT = ("model", "seed", "snapshot", "test")


def build_args(scope: BuildScope | None = None, manifest: Mapping[str, Any] | None = None) -> list[str]:
    """`dbt build` of every municipality, or of some (incremental; the scope itself is in dbt_env).
    An incremental build whose changed raw tables are known leaves out the nodes none of them feeds
    (their tables already hold what they would compute). Unit tests prove the SQL, not the data: they
    run in `make test`; every delivery's build tests the marts users see."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if scope is not None and scope.full_refresh:
        args.append("--full-refresh")
    elif scope is not None and scope.sources is not None and manifest is not None:
        unaffected = unaffected_nodes(manifest, scope.sources)
        if unaffected:
            # an exclusion, not a selection: dagster-dbt adds `--select fqn:*`, and dbt unites selections
            args += ["--exclude", " ".join(sorted(manifest["nodes"][node]["name"] for node in unaffected))]
    return args


def with_exclusion(args: list[str], selector: str) -> list[str]:
    """These `dbt` arguments, also excluding `selector` (united with an `--exclude` they have already)."""
    if "--exclude" not in args:
        return [*args, "--exclude", selector]
    at = args.index("--exclude") + 1
    return [*args[:at], f"{args[at]} {selector}", *args[at + 1 :]]


def affected_nodes(manifest: Mapping[str, Any], changed: Collection[str]) -> set[str]:
    """The unique ids of every node downstream of the changed sources ("raw.hr_employees", ...; the file
    registry always counts as changed): a mart reading several sources is affected when any one changed,
    a test when any of the nodes it tests is."""
    wanted = {*changed, *ALWAYS_CHANGED}
    pending = [
        key for key, source in manifest["sources"].items() if f"{source['source_name']}.{source['name']}" in wanted
    ]
    affected: set[str] = set()
    while pending:
        node = pending.pop()
        for child in manifest["child_map"].get(node, ()):
            if child not in affected:
                affected.add(child)
                pending.append(child)
    return affected


def in_build_order(manifest: Mapping[str, Any], nodes: Collection[str]) -> list[str]:
    """These nodes, each after every one of them it depends on (ties by name)."""
    remaining = set(nodes)
    ordered: list[str] = []
    while remaining:
        ready = sorted(node for node in remaining if not remaining.intersection(manifest["parent_map"].get(node, ())))
        ordered += ready
        remaining.difference_update(ready)
    return ordered


def unaffected_nodes(manifest: Mapping[str, Any], changed: Collection[str]) -> set[str]:
    """The models, seeds, snapshots and tests a build after changes to `changed` need not run."""
    affected = affected_nodes(manifest, changed)
    return {key for key, node in manifest["nodes"].items() if node["resource_type"] in BUILT and key not in affected}


def dbt_env(settings: Settings, scope: BuildScope | None = None) -> dict[str, str]:
    """The environment the project reads: the warehouse, DuckDB's memory limit and dbt's threads (profiles.yml),
    the minimum cell and the scope (dbt_project.yml, macros/scope.sql). Not --vars: dbt parses the whole project
    again whenever --vars change, and the scope changes with every build."""
    kommuner = scope.kommuner if scope is not None and scope.kommuner is not None else ()
    return {
        "DIGILEAD_WAREHOUSE": str(settings.warehouse),
        "DIGILEAD_MIN_CELL": str(settings.min_cell),
        "DIGILEAD_DBT_KOMMUNER": ",".join(sorted(kommuner)),
        "DIGILEAD_DBT_MEMORY_LIMIT": f"{settings.dbt_memory_mb}MB",
        "DIGILEAD_DBT_THREADS": str(dbt_threads()),
    }


def dbt_threads() -> int:
    """Models dbt builds at once: one per usable core, at most MAX_DBT_THREADS. DuckDB already runs each query on
    every core; more models at once than cores only share the memory limit (a national build's heavy roll-ups
    then spill) and took longer: 27-28 s against 24-26 s for the L maturity build's nodes on 2 cores."""
    return max(1, min(MAX_DBT_THREADS, usable_cores()))


def failed_nodes(run_results: Path, most: int = 10) -> list[str]:
    """What failed in a dbt invocation, one line each from its run_results.json ("test not_null_…: Got 3
    results, …", "model int_…: Binder Error: …"): the build's failure names the model or test and dbt's reason,
    not only that dbt exited non-zero. Empty when dbt wrote no results (it failed before running anything)."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    lines = []
    for result in results:
        if result.get("status") not in ("error", "fail", "runtime error"):
            continue
        kind, _, rest = result["unique_id"].partition(".")
        name = rest.split(".")[1] if "." in rest else rest
        # dbt's message begins with a line naming the node again ("Runtime Error in model x (models/x.sql)")
        reason = [line.strip() for line in (result.get("message") or result["status"]).splitlines() if line.strip()]
        if len(reason) > 1 and reason[0].endswith(")") and " in " in reason[0]:
            reason = reason[1:]
        lines.append(f"{kind} {name}: {' '.join(reason)[:400]}")
    if len(lines) > most:
        lines = [*lines[:most], f"… and {len(lines) - most} more (run_results.json: {run_results})"]
    return lines


def fresh_target(settings: Settings, run_id: str, keep: int = 3) -> Path:
    """A target folder for one invocation under $DIGILEAD_HOME/dbt (each holds ~10 MB of artifacts:
    only the newest `keep` stay, for debugging), seeded with the last build's partial parse."""
    folder = settings.home / "dbt"
    folder.mkdir(parents=True, exist_ok=True)
    earlier = sorted(folder.glob("target-*"), key=lambda path: path.stat().st_mtime)
    for old in earlier[: max(0, len(earlier) - (keep - 1))]:
        shutil.rmtree(old, ignore_errors=True)
    target = folder / f"target-{run_id}"
    target.mkdir(parents=True, exist_ok=True)
    saved = folder / PARTIAL_PARSE
    if saved.exists():
        shutil.copy(saved, target / PARTIAL_PARSE)
    return target


def keep_partial_parse(settings: Settings, target: Path) -> None:
    """Save the invocation's parse for the next build of this warehouse: dbt re-parses only what changed
    (its profile names the warehouse, so a parse made for another one would be thrown away)."""
    made = target / PARTIAL_PARSE
    if made.exists():
        tmp = settings.home / "dbt" / (PARTIAL_PARSE + ".tmp")
        shutil.copy(made, tmp)
        os.replace(tmp, settings.home / "dbt" / PARTIAL_PARSE)


def start_parse_ahead(settings: Settings) -> subprocess.Popen | None:
    """The first build of a warehouse parses the whole project (about 8 s at national scale: dbt keeps no parse
    across warehouses, as its profile names the warehouse). Start that parse now, beside the ingestion, which
    leaves a core idle for much of its time; finish_parse_ahead keeps it for the build. None where this
    warehouse has a saved parse already (keep_partial_parse)."""
    folder = settings.home / "dbt"
    if (folder / PARTIAL_PARSE).exists():
        return None
    target = folder / PARSE_AHEAD
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    # the build's environment (dbt_env): the profile and project must be the ones the build will see
    command = [
        dbt_executable(),
        "parse",
        "--quiet",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
    ]
    return subprocess.Popen(
        [*command, "--target-path", str(target), "--log-path", str(target)],
        env={**os.environ, **dbt_env(settings)},
        cwd=target,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def finish_parse_ahead(settings: Settings, parse: subprocess.Popen, timeout_s: float = 120) -> bool:
    """Wait for start_parse_ahead's parse and save it for the build, as a build's own is saved; whether it was
    saved. A parse that failed or hangs is dropped (the build then parses for itself, as without it)."""
    try:
        succeeded = parse.wait(timeout_s) == 0
    except subprocess.TimeoutExpired:
        parse.kill()
        parse.wait()
        succeeded = False
    target = settings.home / "dbt" / PARSE_AHEAD
    saved = succeeded and not (settings.home / "dbt" / PARTIAL_PARSE).exists() and (target / PARTIAL_PARSE).exists()
    if saved:
        keep_partial_parse(settings, target)
    shutil.rmtree(target, ignore_errors=True)
    return saved


def dbt_executable() -> str:
    """The dbt installed beside this Python (the venv's), whether or not the venv is on PATH; wrapped
    by `digilead-dbt` (pipelines/transform/child.py) where installed, so a killed run never leaves
    dbt running with the warehouse's lock."""
    for name in ("digilead-dbt", "dbt"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    return "dbt"


def manifest_is_stale(manifest: Path = MANIFEST, project_dir: Path = PROJECT_DIR) -> bool:
    """No manifest yet (a fresh clone), or a model, macro, test, seed or setting changed since it was made
    (dagster-dbt then prepares it again: pipelines/defs/dbt_project.py)."""
    if not manifest.exists():
        return True
    made = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests", "seeds", "snapshots"):
        sources += [path for path in (project_dir / folder).rglob("*") if path.is_file()]
    return any(path.exists() and path.stat().st_mtime > made for path in sources)
