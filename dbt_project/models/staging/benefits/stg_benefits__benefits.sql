with

source as (

    select * from {{ source('raw', 'benefit_gevinster') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        cast(snapshot_date as date) as snapshot_date,
        cast(benefit_id as varchar) as benefit_id,
        cast(initiative_id as varchar) as initiative_id,

        ---------- text
        -- oekonomi_dkk | tid_timer | kvalitet_indeks (lower case)
        cast(gevinsttype as varchar) as gevinsttype,
        cast(beskrivelse as varchar) as beskrivelse,

        ---------- numbers
        cast(baseline as double) as baseline,
        cast(maal as double) as maal,

        ---------- dates and flags
        cast(maal_dato as date) as maal_dato,
        cast(budgetvirkning as boolean) as budgetvirkning,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
