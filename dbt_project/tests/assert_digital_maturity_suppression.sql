-- Suppression (README "Small cells and secondary suppression"): a row is suppressed exactly when
-- it has a reason; the reason is 'small_group' exactly when respondents < min_cell; a suppressed
-- row publishes no score or share; an unsuppressed row always has its mean and shares.
select *
from {{ ref('digital_maturity') }}
where suppressed <> (suppression_reason is not null)
    or (suppression_reason = 'small_group') <> (respondents < {{ var('min_cell') | int }})
    or suppression_reason not in ('small_group', 'secondary')
    or (suppressed and (
        mean_score is not null
        or share_basic is not null
        or share_advanced is not null
        or prev_mean_score is not null
        or change is not null
    ))
    or (not suppressed and (mean_score is null or share_basic is null or share_advanced is null))
    or (change is not null and prev_mean_score is null)
