"""The user's settings (docs/usage.md), read from the environment when asked, never at import time."""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pipelines.landing.files import SETTLE_SECONDS

# DuckDB takes up to 80 % of the machine's memory by default: a national build's largest models held 5-9 GB.
# Bounded, it spills to disk instead. 1.5 GB is enough for 98 municipalities since the staff-group marts'
# secondary suppression runs in Python per org tree (it was a recursive CTE, which cannot spill, and needed 4 GB).
DBT_MEMORY_MB = 1536


class SettingsError(Exception):
    """A setting is missing or malformed; the message tells the user what to set."""


@dataclass(frozen=True)
class Settings:
    home: Path
    warehouse: Path
    pseudonym_key: str | None
    min_cell: int
    postgres_url: str | None = None  # optional: also publish the marts to PostgreSQL
    settle_seconds: float = SETTLE_SECONDS  # a landing file modified this recently may still be being written
    dbt_memory_mb: int = DBT_MEMORY_MB  # the most memory DuckDB may hold in a dbt build before it spills to disk

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("DIGILEAD_HOME") or "./data").resolve()
        warehouse = Path(env.get("DIGILEAD_WAREHOUSE") or home / "warehouse.duckdb").resolve()
        raw_min_cell = env.get("DIGILEAD_MIN_CELL") or "5"
        try:
            min_cell = int(raw_min_cell)
        except ValueError:
            raise SettingsError(f"DIGILEAD_MIN_CELL must be a whole number, not {raw_min_cell!r}") from None
        if min_cell < 1:
            raise SettingsError(f"DIGILEAD_MIN_CELL must be at least 1, not {min_cell}")
        raw_settle = env.get("DIGILEAD_SETTLE_SECONDS") or str(SETTLE_SECONDS)
        try:
            settle_seconds = float(raw_settle)
        except ValueError:
            raise SettingsError(f"DIGILEAD_SETTLE_SECONDS must be a number of seconds, not {raw_settle!r}") from None
        raw_memory = env.get("DIGILEAD_DBT_MEMORY_MB") or str(DBT_MEMORY_MB)
        try:
            dbt_memory_mb = int(raw_memory)
        except ValueError:
            raise SettingsError(
                f"DIGILEAD_DBT_MEMORY_MB must be a whole number of megabytes, not {raw_memory!r}"
            ) from None
        if dbt_memory_mb < 256:
            raise SettingsError(f"DIGILEAD_DBT_MEMORY_MB must be at least 256, not {dbt_memory_mb}")
        return cls(
            settle_seconds=max(0.0, settle_seconds),
            dbt_memory_mb=dbt_memory_mb,
            home=home,
            warehouse=warehouse,
            pseudonym_key=env.get("DIGILEAD_PSEUDONYM_KEY") or None,
            min_cell=min_cell,
            postgres_url=env.get("DIGILEAD_POSTGRES_URL") or None,
        )

    # The folders of the file lifecycle (docs/files.md).
    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def staging(self) -> Path:
        """Parsed, pseudonymised files waiting for validation and loading (derived, safe to delete)."""
        return self.home / "staging"

    @property
    def published(self) -> Path:
        """The serving copy BI tools read; never the file the pipeline writes."""
        return self.home / "published"

    @property
    def key_file(self) -> Path:
        return self.home / "pseudonym.key"

    def require_key(self) -> str:
        if not self.pseudonym_key:
            raise SettingsError(
                "DIGILEAD_PSEUDONYM_KEY is not set: digilead will not process people's data without a "
                "secret pseudonymisation key. Set it (keep it secret and stable: changing it changes every person_key)."
            )
        return self.pseudonym_key

    def with_demo_key(self) -> Settings:
        """The demo makes a key once and keeps it under DIGILEAD_HOME, so re-runs link the same people."""
        if self.pseudonym_key:
            return self
        self.home.mkdir(parents=True, exist_ok=True)
        if not self.key_file.exists():
            self.key_file.write_text(secrets.token_hex(32) + "\n")
            self.key_file.chmod(0o600)
        return dataclasses.replace(self, pseudonym_key=self.key_file.read_text().strip())

    def make_dirs(self) -> None:
        """The lifecycle's folders. Everything but landing/ holds personal data (raw files, pseudonymised
        rows, reasons): those folders, and every file this process creates from now on, are owner-only."""
        owner_only_from_now_on()
        self.landing.mkdir(parents=True, exist_ok=True)  # delivering tools (other users) write here
        for folder in (self.archive, self.quarantine, self.staging, self.published, self.home / "dbt"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if folder.stat().st_mode & 0o077:
                folder.chmod(0o700)
        for path in (self.warehouse, self.warehouse.with_name(self.warehouse.name + ".wal")):
            if path.exists() and path.stat().st_mode & 0o077:
                path.chmod(0o600)


def owner_only_from_now_on() -> None:
    """Files and folders this process (and the dbt it starts) creates are readable by their owner only:
    the warehouse, its copies and dbt's artifacts describe people."""
    os.umask(0o077)
