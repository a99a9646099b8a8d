"""The offline HTML report for leaders and analysts: one self-contained file per municipality (or unit),
rendered from the published marts only (never the warehouse)."""

from importlib import import_module

__all__ = ["ReportError", "render_due", "render_report", "report_path"]


def __getattr__(name: str):
    # lazy: the Dagster definitions import pipelines.report.due at load time, not pandas and DuckDB's report queries
    if name == "ReportError":
        return import_module("pipelines.report.data").ReportError
    if name in __all__:
        return getattr(import_module("pipelines.report.render"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
