with

source as (

    select * from {{ source('raw', 'survey_answers') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        upper(cast(wave as varchar)) as wave,
        cast(respondent_id as varchar) as respondent_id,
        cast(item_id as varchar) as item_id,

        ---------- numerics
        -- 1..5 as given, before reverse scoring; NULL = no answer ("Ved ikke", empty, "-")
        cast(answer as integer) as answer,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
