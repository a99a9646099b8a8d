"""What the report reads: the published marts (the serving copy BI tools read), never the warehouse.

Every query is about one municipality and, for a drill-down, one unit and its subtree. The
unit-level marts are rolled up (a unit's row covers its subtree), so the unit's own row is its
figure and its children's rows break it down.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd


class ReportError(Exception):
    """The report cannot be made (no published copy, unknown municipality or unit); the message says why."""


@dataclass(frozen=True)
class Scope:
    kommunekode: str
    los_id: str  # the unit the report is about: the root for the whole municipality
    unit_name: str
    is_root: bool
    subtree: frozenset[str]  # los_id of the unit and its descendants in the newest org tree


class PublishedMarts:
    """A read-only connection to $DIGILEAD_HOME/published/digilead.duckdb."""

    def __init__(self, published: Path):
        self.folder = published
        self.database = published / "digilead.duckdb"
        if not self.database.exists():
            raise ReportError(f"no published marts at {self.database}: run `digilead run` (or `digilead demo`) first")
        self.con = duckdb.connect(str(self.database), read_only=True)
        self._freshness: pd.DataFrame | None = None
        self.marts = {
            row[0]
            for row in self.con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> PublishedMarts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def has(self, mart: str) -> bool:
        return mart in self.marts

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def rows(self, mart: str, where: str = "true", params: list | None = None, order: str = "1") -> pd.DataFrame:
        """The rows of a mart (empty when the published copy has no such mart)."""
        if not self.has(mart):
            return pd.DataFrame()
        return self.query(f"select * from marts.{mart} where {where} order by {order}", params)

    # ------------------------------------------------------------------ scope

    def municipalities(self) -> list[str]:
        if not self.has("dim_org_unit"):
            return []
        return [
            r[0] for r in self.con.execute("select distinct kommunekode from marts.dim_org_unit order by 1").fetchall()
        ]

    def scope(self, kommunekode: str, los_id: str | None) -> Scope:
        units = self.rows("dim_org_unit", "kommunekode = ? and is_current", [kommunekode], order="los_id")
        if units.empty:
            known = ", ".join(self.municipalities()) or "none"
            raise ReportError(f"municipality {kommunekode} is not in the published marts (municipalities: {known})")
        if los_id is None:
            roots = units[units["is_root"]]
            if roots.empty:
                raise ReportError(f"municipality {kommunekode} has no root unit in its current org tree")
            unit = roots.iloc[0]
        else:
            match = units[units["los_id"] == los_id]
            if match.empty:
                raise ReportError(
                    f"unit {los_id} is not in the current org tree of municipality {kommunekode} "
                    "(see marts.dim_org_unit for the los_id of every unit)"
                )
            unit = match.iloc[0]
        children: dict[str, list[str]] = {}
        for child, parent in zip(units["los_id"], units["parent_los_id"], strict=False):
            children.setdefault(parent, []).append(child)
        subtree, todo = set(), [unit["los_id"]]
        while todo:
            current = todo.pop()
            if current not in subtree:
                subtree.add(current)
                todo.extend(children.get(current, []))
        return Scope(
            kommunekode=kommunekode,
            los_id=str(unit["los_id"]),
            unit_name=str(unit["enhedsnavn"]),
            is_root=bool(unit["is_root"]),
            subtree=frozenset(subtree),
        )

    # ------------------------------------------------------------------ freshness

    def published_at(self) -> datetime:
        return datetime.fromtimestamp(os.path.getmtime(self.database), tz=UTC)

    def mart_freshness(self) -> pd.DataFrame:
        """When each mart's published copy was written (its Parquet file; the database's time otherwise). The same
        for every report read through this connection (one batch of a publish): worked out once."""
        if self._freshness is None:
            self._freshness = self._read_freshness()
        return self._freshness.copy()

    def _read_freshness(self) -> pd.DataFrame:
        records = []
        for mart in sorted(self.marts):
            parquet = self.folder / "parquet" / f"{mart}.parquet"
            moment = os.path.getmtime(parquet) if parquet.exists() else os.path.getmtime(self.database)
            rows = self.con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            records.append({"mart": mart, "built": datetime.fromtimestamp(moment, tz=UTC), "rows": rows})
        return pd.DataFrame(records)
