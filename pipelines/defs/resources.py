"""The resource every digilead asset uses: settings read from the environment at run time."""

import dagster as dg

from pipelines.ingest import Pipeline
from pipelines.settings import Settings


class DigileadResource(dg.ConfigurableResource):
    """digilead's settings (DIGILEAD_HOME, _WAREHOUSE, _PSEUDONYM_KEY, _MIN_CELL), read when a run starts."""

    def settings(self) -> Settings:
        return Settings.from_env()

    def pipeline(self, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> Pipeline:
        return Pipeline(self.settings(), run_id=context.run.run_id, progress=context.log.info)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(resources={"digilead": DigileadResource()})
