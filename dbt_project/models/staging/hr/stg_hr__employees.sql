with

source as (

    select * from {{ source('raw', 'hr_employees') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        cast(snapshot_month as date) as snapshot_month,
        cast(person_key as varchar) as person_key,
        cast(empno_key as varchar) as empno_key,
        cast(email_key as varchar) as email_key,
        cast(los_id as varchar) as los_id,

        ---------- text
        cast(stillingsbetegnelse as varchar) as stillingsbetegnelse,
        cast(personalekategori as varchar) as personalekategori,

        ---------- numerics
        cast(beskaeftigelsesgrad as double precision) as beskaeftigelsesgrad,

        ---------- dates
        cast(ansat_fra as date) as ansat_fra,
        cast(ansat_til as date) as ansat_til,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
