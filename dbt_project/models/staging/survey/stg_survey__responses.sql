with

source as (

    select * from {{ source('raw', 'survey_responses') }}

),

renamed as (

    select
        ----------  ids
        cast(kommunekode as varchar) as kommunekode,
        upper(cast(wave as varchar)) as wave,
        cast(respondent_id as varchar) as respondent_id,
        -- pseudonymised link key of employee_ref; NULL = anonymous
        cast(ref_key as varchar) as ref_key,
        cast(los_id as varchar) as los_id,

        ---------- text
        cast(dialect as varchar) as dialect,
        cast(exclusion_reason as varchar) as exclusion_reason,

        ---------- booleans
        -- a row is a response unless the loader says otherwise (then exclusion_reason says why)
        coalesce(cast(is_response as boolean), exclusion_reason is null) as is_response,

        ---------- timestamps
        cast(submitted_at as timestamp) as submitted_at,

        ---------- lineage
        cast(_file_fingerprint as varchar) as file_fingerprint,
        cast(_row_number as integer) as source_row_number,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

derived as (

    select
        renamed.*,
        cast(substr(wave, 1, 4) as integer) as wave_year,
        substr(wave, 5, 2) as wave_half,
        -- the last day of the wave's last month: 30 June (H1) or 31 December (H2)
        cast(
            substr(wave, 1, 4)
            || case when substr(wave, 5, 2) = 'H1' then '-06-30' else '-12-31' end
            as date
        ) as wave_end_date,
        -- H2 follows H1 of the same year, H1 follows H2 of the previous year
        case
            when substr(wave, 5, 2) = 'H2' then substr(wave, 1, 4) || 'H1'
            else cast(cast(substr(wave, 1, 4) as integer) - 1 as varchar) || 'H2'
        end as previous_wave

    from renamed

)

select * from derived
