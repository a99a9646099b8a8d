"""The docs a fresh clone carries: self-contained, and docs/internals.md names the code as it is."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipelines"
INTERNALS = ROOT / "docs" / "internals.md"


def _layout_block() -> str:
    text = INTERNALS.read_text(encoding="utf-8")
    section = text[text.index("## 1. Package layout") :]
    return section[section.index("```") + 3 : section.index("```", section.index("```") + 3)]


def _modules_to_document() -> set[str]:
    """Every module and subpackage of pipelines/ down to one package level (pipelines/x.py, pipelines/x/,
    pipelines/x/y.py, pipelines/x/y/); the generator's own modules are its business."""
    names: set[str] = set()
    for path in PACKAGE.iterdir():
        if path.name.startswith(("_", ".")):
            continue
        if path.suffix == ".py":
            names.add(path.name)
        elif path.is_dir() and (path / "__init__.py").exists():
            names.add(path.name + "/")
            if path.name == "generate":
                continue
            for inner in path.iterdir():
                if inner.name.startswith(("_", ".")):
                    continue
                if inner.suffix == ".py":
                    names.add(inner.name)
                elif inner.is_dir() and (inner / "__init__.py").exists():
                    names.add(inner.name + "/")
    return names


def test_internals_layout_names_every_module():
    block = _layout_block()
    mentioned = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:\.py|/)", block))
    missing = sorted(_modules_to_document() - mentioned)
    assert not missing, f"docs/internals.md §1 does not mention {missing}: describe them there"


def test_internals_layout_names_only_modules_that_exist():
    existing = {p.name for p in PACKAGE.rglob("*.py")} | {p.name + "/" for p in PACKAGE.rglob("*") if p.is_dir()}
    mentioned = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*\.py", _layout_block()))
    # a module that became a package (readers.py -> readers/) still counts as described
    stale = sorted(name for name in mentioned - existing if name.removesuffix(".py") + "/" not in existing)
    assert not stale, f"docs/internals.md §1 names modules that no longer exist: {stale}"


def test_no_reference_outside_the_repository():
    """A user cloning the project has docs/, not the team's working notes."""
    found = subprocess.run(
        # the pattern is split so that this file does not find itself
        ["git", "grep", "-n", "-I", "-E", "shared/" + "spec|DATA_" + "CONTRACT|\\.\\./" + "shared"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    assert found == "", f"references to files outside the repository:\n{found}"


def test_relative_links_in_docs_resolve():
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, f"broken links: {broken}"
