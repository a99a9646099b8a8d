"""The marts' documentation as BI tools see it: the dbt descriptions and Danish display names.

The ymls under dbt_project/models/marts/ are the one place a mart or column is described (`description`)
and given a Danish display name (`config: meta: label_da`). dbt renders them (doc blocks included) into its
manifest; publishing carries them to every copy: `COMMENT ON` in the serving DuckDB file and in
PostgreSQL, field metadata in the Parquet files, and a `marts_doc` schema (`tables`, `columns`) beside the
marts for tools that show neither comments nor metadata.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DOC_SCHEMA = "marts_doc"  # beside `marts` in every database copy: the documentation as plain tables


@dataclass(frozen=True)
class ColumnDoc:
    description: str = ""
    label_da: str = ""


@dataclass(frozen=True)
class MartDoc:
    description: str = ""
    label_da: str = ""
    columns: dict[str, ColumnDoc] = field(default_factory=dict)

    def column(self, name: str) -> ColumnDoc:
        return self.columns.get(name, ColumnDoc())


def _label(properties: dict) -> str:
    meta = {**(properties.get("meta") or {}), **((properties.get("config") or {}).get("meta") or {})}
    return str(meta.get("label_da") or "").strip()


def mart_docs(manifest: Path) -> dict[str, MartDoc]:
    """Every model of the `marts` schema with its description, label and columns, from a dbt manifest."""
    nodes = json.loads(Path(manifest).read_text(encoding="utf-8"))["nodes"].values()
    return {
        node["name"]: MartDoc(
            description=(node.get("description") or "").strip(),
            label_da=_label(node),
            columns={
                name: ColumnDoc(description=(column.get("description") or "").strip(), label_da=_label(column))
                for name, column in (node.get("columns") or {}).items()
            },
        )
        for node in nodes
        if node.get("resource_type") == "model" and node.get("schema") == "marts"
    }


def project_mart_docs() -> dict[str, MartDoc]:
    """The documentation of the dbt project this code runs (its manifest, parsed when stale)."""
    from pipelines.transform.dbt import MANIFEST  # prepared before any build (pipelines/defs/dbt_project.py)

    return mart_docs(MANIFEST)


def doc_rows(docs: dict[str, MartDoc], columns: dict[str, list[str]]) -> tuple[list[tuple], list[tuple]]:
    """Rows of marts_doc.tables (mart, label_da, description) and marts_doc.columns
    (mart, column_name, position, label_da, description) for the marts published, in their column order."""
    tables, column_rows = [], []
    for mart, names in columns.items():
        doc = docs.get(mart, MartDoc())
        tables.append((mart, doc.label_da or None, doc.description or None))
        for position, name in enumerate(names, start=1):
            column = doc.column(name)
            column_rows.append((mart, name, position, column.label_da or None, column.description or None))
    return tables, column_rows
