"""Staged files: a parsed, pseudonymised file on disk, between parsing and loading.

`staging/<fingerprint>/` holds one Parquet file per raw table, the validation frame and a
manifest. Staging is derived data: written atomically (a temporary folder renamed into place),
removed after the load, and safe to delete at any time (the file is then simply parsed again).
Nothing personal is ever in it (parsers pseudonymise).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.sources.base import ParsedFile
from pipelines.validation.runner import BATCH_ROWS

MANIFEST = "manifest.json"
VALIDATION = "validation.parquet"
NOT_LOADED = "not_loaded.parquet"


@dataclass
class Manifest:
    fingerprint: str
    file_name: str
    landing_path: str
    source: str
    kommunekode: str
    period: str
    rows_read: int
    tables: dict[str, int]  # raw table -> rows
    item_columns: list[str] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)
    validated: bool = False


@dataclass(frozen=True)
class StagedFile:
    folder: Path
    manifest: Manifest

    @property
    def fingerprint(self) -> str:
        return self.manifest.fingerprint

    def table_path(self, table: str) -> Path:
        return self.folder / f"{table}.parquet"

    def validation_batches(self, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch | pa.Table]:
        """The validation frame in Arrow batches of at most `batch_rows` rows (validation makes them frames)."""
        parquet = pq.ParquetFile(self.folder / VALIDATION)
        if parquet.metadata.num_rows == 0:
            yield parquet.schema_arrow.empty_table()
            return
        yield from parquet.iter_batches(batch_size=batch_rows)

    def validation_columns(self) -> list[str]:
        return pq.read_schema(self.folder / VALIDATION).names

    @property
    def not_loaded_path(self) -> Path:
        """The rows the parser did not load (`_row_number`, `reason`)."""
        return self.folder / NOT_LOADED

    def not_loaded_rows(self) -> int:
        return pq.ParquetFile(self.not_loaded_path).metadata.num_rows

    def mark_validated(self) -> None:
        self.manifest.validated = True
        _write_manifest(self.folder, self.manifest)

    def remove(self) -> None:
        # renamed first, in one step: a run killed while deleting leaves a `.tmp` folder, which the next
        # staged_files removes, never a folder that still looks staged
        doomed = self.folder.with_name(self.folder.name + ".removed.tmp")
        shutil.rmtree(doomed, ignore_errors=True)
        try:
            self.folder.rename(doomed)
        except FileNotFoundError:
            return
        shutil.rmtree(doomed, ignore_errors=True)


def _write_manifest(folder: Path, manifest: Manifest) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(asdict(manifest), indent=2, default=str))
    tmp.replace(folder / MANIFEST)


def write_staged(root: Path, manifest: Manifest, parsed: ParsedFile) -> StagedFile:
    final = root / manifest.fingerprint
    tmp = root / f"{manifest.fingerprint}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for table, frame in parsed.tables.items():
        frame.to_parquet(tmp / f"{table}.parquet", index=False)
    parsed.validation_frame.to_parquet(tmp / VALIDATION, index=False)
    parsed.not_loaded.to_parquet(tmp / NOT_LOADED, index=False)
    _write_manifest(tmp, manifest)
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return StagedFile(final, manifest)


def staged_files(root: Path) -> list[StagedFile]:
    """Complete staged folders. Leftovers of a crashed run are removed: temporary folders, and a folder
    without its manifest (one whose deletion was cut short by an older version: a staged folder gets its
    manifest before it is renamed into place, and keeps it until it is removed)."""
    if not root.exists():
        return []
    staged = []
    for folder in sorted(root.iterdir()):
        if folder.name.endswith(".tmp"):
            shutil.rmtree(folder, ignore_errors=True)
            continue
        manifest_path = folder / MANIFEST
        if manifest_path.exists():
            staged.append(StagedFile(folder, Manifest(**json.loads(manifest_path.read_text()))))
        elif folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    return staged
