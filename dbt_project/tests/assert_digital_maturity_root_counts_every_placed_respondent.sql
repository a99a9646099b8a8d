{{ config(severity="warn") }}

-- Completeness (warn: an org extract whose unit outlives its parent leaves an orphan subtree
-- that no root covers): the root row for area 'all' counts every respondent with at least one
-- answer whose unit is in the wave's org tree (nothing is lost or double counted in the roll-up).
with

respondents as (

    select * from {{ ref('int_survey__respondents') }}

),

scores as (

    select * from {{ ref('int_survey__respondent_scores') }}
    where competence_area = 'all'

),

tree as (

    select * from {{ ref('int_org__tree_per_period') }}

),

expected as (

    select respondents.kommunekode, respondents.wave, count(*) as respondents
    from respondents
    inner join scores
        on scores.kommunekode = respondents.kommunekode
        and scores.wave = respondents.wave
        and scores.respondent_id = respondents.respondent_id
    inner join tree
        on tree.kommunekode = respondents.kommunekode
        and tree.period_end_date = respondents.wave_end_date
        and tree.los_id = respondents.los_id
    group by respondents.kommunekode, respondents.wave

),

actual as (

    select kommunekode, wave, sum(respondents) as respondents
    from {{ ref('digital_maturity') }}
    where competence_area = 'all' and is_root
    group by kommunekode, wave

)

select
    coalesce(expected.kommunekode, actual.kommunekode) as kommunekode,
    coalesce(expected.wave, actual.wave) as wave,
    expected.respondents as expected_respondents,
    actual.respondents as actual_respondents
from expected
full outer join actual
    on actual.kommunekode = expected.kommunekode
    and actual.wave = expected.wave
where coalesce(expected.respondents, 0) <> coalesce(actual.respondents, 0)
