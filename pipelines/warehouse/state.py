"""The warehouse's own bookkeeping (`meta.state`): are the marts stale, and where did the last build start?

Every key of `meta.state` is defined and written here, and nowhere else:

- `marts_stale_since`: set by every load or withdrawal (the moment it happened), removed when a build
  that started after it has been published. While it is set, the marts must be built.
- `marts_build_in_progress`: a build's start, signature and the stale mark it set out to cover;
  written when dbt starts, turned into the two keys below when the marts are published.
- `marts_built_from` / `marts_build_signature`: when the last published build started and what it
  was built with (the models' SQL and the result-changing settings), so the next build knows which
  municipalities to recompute (`pipelines/transform/scope.py`).

One clock: `utc_now()`, naive UTC, as `meta.files.processed_at`, `meta.runs` and the raw tables'
`_loaded_at` store it; `meta.state` keeps it as ISO text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import duckdb

MARTS_STALE = "marts_stale_since"
BUILD_IN_PROGRESS = "marts_build_in_progress"
BUILT_AT = "marts_built_from"
BUILD_SIGNATURE = "marts_build_signature"
KEY_FINGERPRINT = "pseudonym_key_fingerprint"  # which key the warehouse's people are keyed with (an HMAC, not the key)


def utc_now() -> datetime:
    """Now, in naive UTC: the one clock of the warehouse."""
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back when it raises (also on Ctrl-C)."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def get(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("select value from meta.state where key = ?", [key]).fetchone()
    return row[0] if row else None


def put(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into meta.state values (?, ?)", [key, value])


# --- staleness -------------------------------------------------------------------------------------
def mark_marts_stale(con: duckdb.DuckDBPyConnection) -> None:
    """Raw data changed (a load or a withdrawal, in the caller's transaction): the marts must be built."""
    put(con, MARTS_STALE, utc_now().isoformat(sep=" "))


def marts_stale(con: duckdb.DuckDBPyConnection, published_copy_exists: bool) -> bool:
    """Must the marts be built: raw data changed since the last published build, or nothing published yet?"""
    return not published_copy_exists or get(con, MARTS_STALE) is not None


# --- build bookkeeping -----------------------------------------------------------------------------
def last_build(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str | None]:
    """(when the last published build started, its signature); (None, None) before the first."""
    return get(con, BUILT_AT), get(con, BUILD_SIGNATURE)


def start_build(con: duckdb.DuckDBPyConnection, signature: str) -> None:
    """A build starts: remember when, with what, and which stale mark it covers."""
    started = {"started": utc_now().isoformat(sep=" "), "signature": signature, "covers": get(con, MARTS_STALE)}
    put(con, BUILD_IN_PROGRESS, json.dumps(started))


def finish_build(con: duckdb.DuckDBPyConnection) -> None:
    """The marts are built and published: the next build starts from this one, and they are current,
    unless a file was loaded or withdrawn while the build ran (by another writer, between steps): its
    stale mark is not the one the build set out to cover, so the marts stay stale for the next build."""
    pending = get(con, BUILD_IN_PROGRESS)
    with transaction(con):
        if pending:
            build = json.loads(pending)
            put(con, BUILT_AT, build["started"])
            put(con, BUILD_SIGNATURE, build["signature"])
            if get(con, MARTS_STALE) == build.get("covers"):
                con.execute("delete from meta.state where key = ?", [MARTS_STALE])
        else:  # published without a build of this process (e.g. only the publish step re-ran)
            con.execute("delete from meta.state where key = ?", [MARTS_STALE])
        con.execute("delete from meta.state where key = ?", [BUILD_IN_PROGRESS])
