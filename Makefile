# digilead: `make demo` and `make test` are all a fresh machine needs (see README.md).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the clients BI tools ship (pyproject's bi-client group), for the connection recipes' tests
BI_VENV := .venv-bi
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := dbt_project/dbt_project.yml dbt_project/profiles.yml $(shell find dbt_project/models dbt_project/macros dbt_project/tests dbt_project/seeds -type f 2>/dev/null)

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false

.PHONY: install demo lint test test-fast bench dev docs clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	test -d $(BI_VENV) || $(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/pip install --quiet --upgrade pip
	$(BI_VENV)/bin/pip install --quiet --group bi-client
	touch $(STAMP)

# dagster-dbt's own preparation: `dbt parse` into dbt_project/target/manifest.json, which the dbt assets are made
# from; again whenever a model, macro, test or setting changed (a load under dg dev prepares it again only when it is stale)
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dagster-dbt project prepare-and-package --file pipelines/defs/dbt_project.py
	touch $(MANIFEST)

install: $(STAMP) $(MANIFEST)

## generate a synthetic municipality (3,000 employees, 2 waves) into ./data, process it, print the report's path
demo: $(STAMP) $(MANIFEST)
	$(BIN)/digilead demo

## ruff (lint and format check) over the Python code, sqlfluff (dbt templater) over the dbt project
lint: $(STAMP) $(MANIFEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# the dbt templater compiles against a scratch warehouse of its own (is_incremental() looks for tables)
	scratch=$$(mktemp -d) && DIGILEAD_WAREHOUSE=$$scratch/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests dbt_project/macros; \
	  code=$$?; rm -rf $$scratch; exit $$code

## lint, then the whole test suite (unit, parser, dbt, end-to-end, daemon)
test: $(STAMP) $(MANIFEST) lint
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) $(MANIFEST)
	$(BIN)/python -m pytest -q -m "not e2e and not daemon"

bench: $(STAMP) $(MANIFEST)
	$(BIN)/python -m benchmarks.run

## the Dagster UI with the landing sensor (`dg dev`: definitions autoloaded from pipelines/defs/; DAGSTER_HOME keeps
## runs between restarts)
dev: $(STAMP) $(MANIFEST)
	mkdir -p data/dagster && cp deploy/dagster.yaml data/dagster/dagster.yaml  # the instance config of this version
	# create/upgrade the instance once, before the webserver, daemon and code server start together (two of them
	# creating a fresh SQLite instance at once can leave "alembic_version has more than one head")
	DAGSTER_HOME=$(CURDIR)/data/dagster $(BIN)/dagster instance migrate
	PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(CURDIR)/data/dagster $(BIN)/dg dev

docs: $(STAMP) $(MANIFEST)
	cd dbt_project && DIGILEAD_WAREHOUSE=$(CURDIR)/data/warehouse.duckdb ../$(BIN)/dbt docs generate --profiles-dir . --project-dir .

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
