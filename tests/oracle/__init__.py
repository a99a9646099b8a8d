"""Independent re-implementations of the contract's marts, computed from the generator's truth CSVs.

Nothing here imports `pipelines` or reads the dbt SQL: the point is a second implementation,
written straight from ../shared/spec/DATA_CONTRACT.md, to compare the warehouse against.
"""
