{{ config(materialized="view") }}

{#-
    One delivered org extract per municipality × month. An extract is a full snapshot, so
    when a month was delivered more than once the newest loaded file replaces the older
    one(s) as a whole (no mixing of rows from two deliveries).
-#}

with

org_units as (

    select * from {{ scoped(ref('stg_hr__org_units')) }}

),

final as (

    {{ newest_delivery('org_units', ['kommunekode', 'snapshot_month']) }}

)

select * from final
