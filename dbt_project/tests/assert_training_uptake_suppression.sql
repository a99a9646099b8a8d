-- Suppression in training_uptake (docs/privacy.md, dbt docs `training_decisions`): a published
-- month measure means at least min_cell people trained, a published coverage at least min_cell
-- people covered; suppressed is exactly "one of the two groups is too small", and the month's
-- measures are published or hidden together.
{%- set min_cell = var('min_cell') | int %}
select *
from {{ ref('training_uptake') }}
where people_trained < {{ min_cell }}
    or people_trained_12m < {{ min_cell }}
    or suppressed <> (people_trained is null or people_trained_12m is null)
    or (people_trained is null) <> (completions is null)
    or (people_trained is null) <> (training_hours is null)
    -- coverage is published with the people it counts, and whenever there is a headcount to divide by
    -- (a unit with nobody employed this month has no coverage, suppressed or not)
    or (people_trained_12m is null and coverage_12m is not null)
    or (people_trained_12m is not null and headcount > 0 and coverage_12m is null)
    or (people_trained is not null and fte > 0 and hours_per_fte is null)
    or headcount is null
    or fte is null
