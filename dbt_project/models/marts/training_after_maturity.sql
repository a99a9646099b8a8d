{#-
    marts.training_after_maturity: did the people with a basic digital-maturity score get
    training? Grain: kommunekode × wave × los_id × competence_area, the grid of
    digital_maturity. See the docs block training_after_maturity_definition.
    Suppression (docs/privacy.md), as digital_maturity: basic_respondents < var('min_cell') ->
    basic_respondents, basic_trained_6m, trained_6m and both shares are null and
    suppressed = true; linked_respondents stays published (a count, like respondents).
    Before any training file of the follow-up window has been delivered, the trained counts
    and shares are null as well (not suppressed: unknown yet).
-#}

with

rollup as (

    select * from {{ scoped(ref('int_training__after_maturity_rollup')) }}

),

flagged as (

    select
        rollup.*,
        {{ is_small_cell('rollup.basic_respondents') }} as is_suppressed,
        rollup.followup_months_loaded > 0 as has_followup_data
    from rollup

),

final as (

    select
        kommunekode,
        wave,
        los_id,
        competence_area,
        linked_respondents,
        case when not is_suppressed then basic_respondents end as basic_respondents,
        -- nothing can be said about training before any month of the window is delivered
        case when not is_suppressed and has_followup_data then basic_trained_6m end as basic_trained_6m,
        case when not is_suppressed and has_followup_data then share_basic_trained_6m end as share_basic_trained_6m,
        case when not is_suppressed and has_followup_data then trained_6m end as trained_6m,
        case when not is_suppressed and has_followup_data then share_trained_6m end as share_trained_6m,
        is_suppressed as suppressed,
        followup_first_month,
        followup_last_month,
        followup_months_loaded,
        followup_months_loaded = 6 as followup_complete,
        wave_end_date,
        {{ org_unit_columns() }}
    from flagged

)

select * from final
