"""Shared test fixtures: a private DIGILEAD_HOME and a fixed pseudonym key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # so `tests.oracle` imports however pytest is started
    sys.path.insert(0, str(REPO_ROOT))

# A fixed test key: not a secret, only there so person keys are reproducible between runs.
TEST_PSEUDONYM_KEY = "digilead-test-key-not-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def pseudonym_key() -> str:
    return TEST_PSEUDONYM_KEY


@pytest.fixture
def digilead_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pseudonym_key: str) -> Path:
    """An empty DIGILEAD_HOME in tmp, with the key and the default minimum cell set in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DIGILEAD_HOME", str(home))
    monkeypatch.delenv("DIGILEAD_WAREHOUSE", raising=False)
    monkeypatch.setenv("DIGILEAD_PSEUDONYM_KEY", pseudonym_key)
    monkeypatch.setenv("DIGILEAD_MIN_CELL", "5")
    return home
