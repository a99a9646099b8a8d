with

source as (

    select * from {{ source('raw', 'survey_item_coverage') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        upper(cast(wave as varchar)) as wave,
        -- set for item_without_column: the catalogue item the file had no column for
        cast(item_id as varchar) as item_id,

        ---------- text
        -- set for column_without_item: the heading if it is a code ('Q05'), else only its length
        cast(column_heading as varchar) as column_heading,
        -- item_without_column | column_without_item
        cast(status as varchar) as status,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
