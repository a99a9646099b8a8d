with

source as (

    select * from {{ source('raw', 'benefit_register_parts') }}

),

renamed as (

    select
        cast(kommunekode as varchar) as kommunekode,
        cast(snapshot_date as date) as snapshot_date,
        -- initiativer | gevinster | maalinger
        cast(part as varchar) as part,
        cast(part_rows as integer) as part_rows,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
