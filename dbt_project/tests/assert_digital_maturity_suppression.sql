-- Suppression is exactly "respondents < min_cell" (docs/privacy.md, docs/marts.md), and a suppressed row
-- publishes no score or share; an unsuppressed row always has its mean and shares.
select *
from {{ ref('digital_maturity') }}
where suppressed <> (respondents < {{ var('min_cell') | int }})
    or (suppressed and (
        mean_score is not null
        or share_basic is not null
        or share_advanced is not null
        or prev_mean_score is not null
        or change is not null
    ))
    or (not suppressed and (mean_score is null or share_basic is null or share_advanced is null))
    or (change is not null and prev_mean_score is null)
