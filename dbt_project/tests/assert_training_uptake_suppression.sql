-- Suppression in training_uptake (README "Small cells and secondary suppression"): by the unit's
-- headcount, never by the people trained. suppressed is exactly "has a reason", 'small_group'
-- exactly "headcount < min_cell"; a suppressed row publishes none of its measures, a published
-- one all of them (zeros included), and headcount and fte are always published.
{%- set min_cell = var('min_cell') | int %}
select *
from {{ ref('training_uptake') }}
where suppressed <> (suppression_reason is not null)
    or (suppression_reason = 'small_group') <> (headcount < {{ min_cell }})
    or suppression_reason not in ('small_group', 'secondary')
    or (suppressed and (
        completions is not null
        or people_trained is not null
        or training_hours is not null
        or hours_per_fte is not null
        or coverage_12m is not null
        or people_trained_12m is not null
    ))
    or (not suppressed and (
        completions is null
        or people_trained is null
        or training_hours is null
        or people_trained_12m is null
        or coverage_12m is null
        or (fte > 0 and hours_per_fte is null)
    ))
    or headcount is null
    or fte is null
