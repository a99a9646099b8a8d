"""dbt: the warehouse's staging, intermediate and mart models (dbt_project/)."""
