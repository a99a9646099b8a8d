"""Thin Dagster glue: assets, checks, sensors and resources over the rooms that hold the rules."""
