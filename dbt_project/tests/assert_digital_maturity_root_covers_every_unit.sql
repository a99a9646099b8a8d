-- The municipality row (root) has at least as many respondents and as large a headcount as
-- any unit of the same wave and area: the root covers the whole tree.
with

maturity as (

    select * from {{ ref('digital_maturity') }}

),

roots as (

    select kommunekode, wave, competence_area, respondents, headcount
    from maturity
    where is_root

)

select
    maturity.kommunekode,
    maturity.wave,
    maturity.competence_area,
    maturity.los_id,
    maturity.respondents,
    roots.respondents as root_respondents,
    maturity.headcount,
    roots.headcount as root_headcount
from maturity
inner join roots
    on roots.kommunekode = maturity.kommunekode
    and roots.wave = maturity.wave
    and roots.competence_area = maturity.competence_area
where maturity.respondents > roots.respondents
    or maturity.headcount > roots.headcount
