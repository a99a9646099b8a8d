{#-
    marts.dq_files: every file the pipeline has seen and what became of it (the file registry
    meta.files as `digilead status` shows it), so the report and BI tools can show accepted and
    quarantined files with their reasons without reading the warehouse. One row per file: a
    file's newest record (a re-processed file is accepted -> withdrawn -> accepted), and every
    duplicate delivery as a row of its own.

    A name that matches no source can be anything a person typed (a CV named after its owner, with a CPR number):
    this published mart withholds it (and removes it from the reason), telling only its length;
    `digilead status` shows it to the operator, who has the quarantine folder anyway.

    A plain table rebuilt in full on every build: a file whose name matches no source has no
    municipality, so the per-municipality incremental scope (macros/scope.sql) cannot hold it;
    the registry is small.
-#}

{{ config(materialized='table') }}

with

files as (

    select *, rowid as record_order  -- insertion order: the tie-break `digilead status` uses too
    from {{ source('meta', 'files') }}

),

newest_records as (

    select * from files
    where status <> 'duplicate'
    qualify row_number() over (partition by fingerprint order by processed_at desc, record_order desc) = 1

    union all

    select * from files
    where status = 'duplicate'

),

final as (

    select
        kommunekode,
        source,
        period,
        case
            when source is null then 'a name matching no source, ' || length(file_name) || ' characters'
            else file_name
        end as file_name,
        status,
        rows_read,
        rows_loaded,
        rows_rejected,
        case when source is null then replace(reason, file_name, 'the file') else reason end as reason,
        processed_at,
        fingerprint
    from newest_records

)

select * from final
