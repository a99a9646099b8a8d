"""The offline HTML report for leaders and analysts: one self-contained file per municipality (or unit),
rendered from the published marts only (never the warehouse)."""

from pipelines.report.data import ReportError
from pipelines.report.render import render_all, render_report, report_path

__all__ = ["ReportError", "render_all", "render_report", "report_path"]
