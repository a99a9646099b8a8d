"""Independent re-implementations of the contract's marts, computed from the generator's truth CSVs.

Nothing here imports `pipelines` or reads the dbt SQL: the point is a second implementation,
written straight from the user docs (docs/files.md, docs/privacy.md, docs/marts.md), to compare the warehouse against.
"""
