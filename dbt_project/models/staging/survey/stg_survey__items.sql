with

source as (

    -- every municipality and period that delivered a catalogue, byte-identical copies included
    {{ catalogue_deliveries(source('raw', 'survey_items'), 'survey_items', period_column='wave') }}

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
