{#-
    The months training_uptake reports on (docs/marts.md): each month in which a completion
    happened (any completion record in use, linked or not), identified by its first and last day.
-#}

with

records as (

    select * from {{ scoped(ref('int_training__records')) }}

),

final as (

    select distinct
        kommunekode,
        completion_month,
        cast({{ dbt.last_day('completion_month', 'month') }} as date) as period_end_date
    from records
    where is_used and is_completion

)

select * from final
