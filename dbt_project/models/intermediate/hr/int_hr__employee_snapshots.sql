{{ config(materialized="view") }}

{#-
    One delivered HR extract per municipality × month. An extract is a full snapshot, so
    when a month was delivered more than once the newest loaded file replaces the older
    one(s) as a whole (no mixing of rows from two deliveries).
-#}

with

employees as (

    select * from {{ scoped(ref('stg_hr__employees')) }}

),

final as (

    {{ newest_delivery('employees', ['kommunekode', 'snapshot_month']) }}

)

select * from final
