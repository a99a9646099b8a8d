with

source as (

    select * from {{ source('raw', 'benefit_maalinger') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        cast(snapshot_date as date) as snapshot_date,
        cast(benefit_id as varchar) as benefit_id,
        -- the measured month, as its first day
        cast(periode as date) as periode,

        ---------- measurement
        cast(vaerdi as double) as vaerdi,
        cast(maalt_dato as date) as maalt_dato,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
