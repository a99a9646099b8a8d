"""Which municipalities' reports a publish makes due: those its build recomputed, and any without a report.

Rendering every municipality after every build costs minutes at a hundred municipalities, while an
incremental build changes only the municipalities it recomputed (pipelines/transform/scope.py). So
when a build is planned its scope is marked as due: one empty marker file per municipality under
published/reports/.due/ (`all` for a full build). The reports asset, after the publish, renders the
marked municipalities and those that have no report file yet, and removes their markers.

Markers are files rather than a list so that two runs never lose each other's marks (creating and
removing a file are single steps). A marker newer than the published copy belongs to a build that
has not published yet: it waits for that publish (a report rendered now would show the old data).
A marker is removed before its report is rendered and put back when rendering fails, so a build
that marks it during the rendering makes it due again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

EVERY_MUNICIPALITY = "all"


def due_folder(published: Path) -> Path:
    return published / "reports" / ".due"


def mark_due(published: Path, kommuner: Iterable[str] | None) -> None:
    """A build of these municipalities (None: of every one) is starting: their reports are due after its publish."""
    folder = due_folder(published)
    folder.mkdir(parents=True, exist_ok=True)
    for name in [EVERY_MUNICIPALITY] if kommuner is None else kommuner:
        (folder / name).touch()  # touch also renews an older marker's time: it now waits for this build


def claim_due(published: Path, municipalities: list[str], has_report) -> list[str]:
    """The municipalities to render now, their markers removed: marked by a build that has published since
    (its marker not newer than the published copy), or without a report (`has_report(kommunekode)` false)."""
    folder = due_folder(published)
    published_at = os.stat(published / "digilead.duckdb").st_mtime_ns
    markers = {p.name: p for p in folder.iterdir()} if folder.exists() else {}
    ready = {name for name, path in markers.items() if path.stat().st_mtime_ns <= published_at}
    every = EVERY_MUNICIPALITY in ready
    chosen = [k for k in municipalities if every or k in ready or not has_report(k)]
    for name in ready & ({EVERY_MUNICIPALITY} | set(chosen)):
        markers[name].unlink(missing_ok=True)
    # a municipality marked but no longer published has no report to make
    for name in ready - set(municipalities) - {EVERY_MUNICIPALITY}:
        markers[name].unlink(missing_ok=True)
    return chosen


def put_back(published: Path, kommunekode: str) -> None:
    """Rendering failed: the report stays due (for the next publish)."""
    folder = due_folder(published)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / kommunekode).touch()
