with

source as (

    select * from {{ source('raw', 'hr_org_units') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        cast(snapshot_month as date) as snapshot_month,
        cast(los_id as varchar) as los_id,
        -- empty = the root
        nullif(trim(cast(parent_los_id as varchar)), '') as parent_los_id,

        ---------- text
        cast(enhedsnavn as varchar) as enhedsnavn,
        cast(enhedstype as varchar) as enhedstype,
        cast(sektor as varchar) as sektor,

        ---------- dates
        cast(gyldig_fra as date) as gyldig_fra,
        cast(gyldig_til as date) as gyldig_til,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
