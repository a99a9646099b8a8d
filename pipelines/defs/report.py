"""The offline HTML reports as a Dagster asset: after every publish, the reports of the municipalities its build
recomputed (and any missing one), so a build of one municipality does not re-render a hundred."""

import dagster as dg

from pipelines.defs.resources import DigileadResource

REPORTS = dg.AssetKey(["published", "reports"])


@dg.asset(
    key=REPORTS,
    deps=[dg.AssetKey(["published", "marts"])],
    group_name="publish",
    kinds={"html"},
    description="One self-contained HTML report per municipality (charts with their tables, in Danish), rendered from "
    "the published marts into $DIGILEAD_HOME/published/reports/ for the municipalities the build recomputed and those "
    "without a report; `digilead report` makes one for a unit or in English.",
)
def published_reports(context: dg.AssetExecutionContext, digilead: DigileadResource) -> dg.MaterializeResult:
    from pipelines.report import render_due

    settings = digilead.settings()
    paths, problems = render_due(settings.published, min_cell=settings.min_cell)
    for path in paths:
        context.log.info(f"report written: {path}")
    if problems:
        raise dg.Failure(
            description="no report for "
            + "; ".join(f"{kommunekode}: {problem}" for kommunekode, problem in problems.items())
            + f" (the other {len(paths)} reports are written)"
        )
    return dg.MaterializeResult(
        metadata={
            "reports": len(paths),
            "folder": dg.MetadataValue.path(str(settings.published / "reports")),
            "files": ", ".join(path.name for path in paths),
        }
    )
