"""The layout's rules on imports: no cycle between modules, and the rooms never import the Dagster glue.

Read from the source (every import statement, also those inside functions), so a cycle hidden in a
function-level import counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipelines"
GLUE = ("pipelines.defs", "pipelines.definitions")
ENTRY_POINTS = {"pipelines.cli", "pipelines.definitions"}  # they assemble the app, so they may use the glue


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
                # `from pipelines.warehouse import state` imports the submodule state
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                ]
            else:
                continue
            found |= {target for target in targets if target in modules and target != name}
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None. A package's __init__ re-exporting its
    own submodules is not a cycle (the submodule importing the package's name means the submodule)."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return path[path.index(module) :] + [module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            if target == module.rpartition(".")[0] or module.startswith(target + "."):
                continue  # a submodule importing its own package (re-exports)
            cycle = visit(target, [*path, module])
            if cycle:
                return cycle
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module, [])
        if cycle:
            return cycle
    return None


def test_no_import_cycle():
    cycle = _cycle(_imports())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_rooms_never_import_the_dagster_glue():
    offenders = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items()
        if not module.startswith(GLUE) and module not in ENTRY_POINTS
        for target in targets
        if target.startswith(GLUE)
    )
    assert not offenders, offenders


def test_the_check_finds_a_cycle_and_a_glue_import():
    """The checks above can fail: a made-up graph with a cycle is caught."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
