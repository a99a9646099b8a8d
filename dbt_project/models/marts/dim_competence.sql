{#-
    DigComp 2.2 competence areas and competences, one row per key used in the marts:
    'all' (every area), the areas '1'..'5' (the competence_area of digital_maturity) and the
    21 competences '1.1'..'5.4' (the competence_code of the item catalogue and courses).
-#}

with

competences as (

    select * from {{ ref('digcomp_competences') }}

),

areas as (

    select distinct competence_area, area_name
    from competences

),

final as (

    select
        'all' as competence_key,
        'all' as level,
        'all' as competence_area,
        cast(null as varchar) as competence_code,
        'All competence areas' as area_name,
        cast(null as varchar) as competence_name,
        0 as sort_order

    union all

    select
        competence_area as competence_key,
        'area' as level,
        competence_area,
        cast(null as varchar) as competence_code,
        area_name,
        cast(null as varchar) as competence_name,
        cast(competence_area as integer) * 100 as sort_order
    from areas

    union all

    select
        competence_code as competence_key,
        'competence' as level,
        competence_area,
        competence_code,
        area_name,
        competence_name,
        cast(competence_area as integer) * 100
            + cast({{ dbt.split_part('competence_code', "'.'", 2) }} as integer) as sort_order
    from competences

)

select * from final
