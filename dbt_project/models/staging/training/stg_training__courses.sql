with

source as (

    -- a catalogue byte-identical to another municipality's or wave's is loaded again under its own
    -- file (a file means its name and its bytes: pipelines/landing/files.py), so raw has it as delivered
    select * from {{ source('raw', 'courses') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        cast(course_id as varchar) as course_id,

        ---------- text
        cast(course_name as varchar) as course_name,
        cast(competence_code as varchar) as competence_code,
        -- the DigComp area: '2.3' -> '2'
        {{ dbt.split_part('cast(competence_code as varchar)', "'.'", 1) }} as competence_area,

        ---------- numerics
        cast(nominal_hours as double precision) as nominal_hours,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
