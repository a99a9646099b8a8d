with

source as (

    -- a catalogue byte-identical to another municipality's or wave's is loaded again under its own
    -- file (a file means its name and its bytes: pipelines/landing/files.py), so raw has it as delivered
    select * from {{ source('raw', 'survey_items') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        upper(cast(wave as varchar)) as wave,
        cast(item_id as varchar) as item_id,

        ---------- text
        cast(question_text as varchar) as question_text,
        cast(competence_code as varchar) as competence_code,
        -- DigComp area '1'..'5' = the part of the competence code before the dot ('2.3' -> '2')
        {{ dbt.split_part('cast(competence_code as varchar)', "'.'", 1) }} as competence_area,

        ---------- booleans
        coalesce(cast(reverse_scored as boolean), false) as is_reverse_scored,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
