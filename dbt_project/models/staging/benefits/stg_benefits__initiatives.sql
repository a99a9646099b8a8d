with

source as (

    select * from {{ source('raw', 'benefit_initiativer') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        cast(snapshot_date as date) as snapshot_date,
        cast(initiative_id as varchar) as initiative_id,
        cast(los_id as varchar) as los_id,

        ---------- text
        cast(navn as varchar) as initiative_name,
        cast(sektor as varchar) as sektor,
        -- planlagt | igang | afsluttet | stoppet (lower case)
        cast(status as varchar) as initiative_status,

        ---------- dates
        cast(start_dato as date) as start_dato,
        cast(slut_dato as date) as slut_dato,

        ---------- numbers
        cast(investering_dkk as double) as investering_dkk,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
