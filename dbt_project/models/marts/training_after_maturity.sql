{#-
    marts.training_after_maturity: did the people with a basic digital-maturity score get
    training? Grain: kommunekode × wave × los_id × competence_area, the grid of
    digital_maturity. See the docs block training_after_maturity_definition.
    Suppression (macros/suppression.sql, subset_suppression) by the population the row
    describes, the linked respondents, a subset of digital_maturity's respondents: where
    linked_respondents < var('min_cell'), or where publishing the row would let a smaller
    group (of linked or of unlinked respondents) be derived by subtracting published rows of
    this mart or of digital_maturity, basic_respondents,
    basic_trained_6m, trained_6m and both shares are null, suppressed = true and
    suppression_reason says why; linked_respondents stays published (a count, like respondents).
    Before any training file of the follow-up window has been delivered, the trained counts
    and shares are null as well (not suppressed: unknown yet).
-#}

with

rollup as (

    select * from {{ scoped(ref('int_training__after_maturity_rollup')) }}

),

-- digital_maturity's row of the same unit and area: all its respondents, linked or not
maturity as (

    select kommunekode, wave, los_id, competence_area, respondents, suppressed
    from {{ scoped(ref('digital_maturity')) }}

),

beside_maturity as (

    select
        rollup.*,
        maturity.respondents as maturity_respondents,
        maturity.suppressed as maturity_suppressed
    from rollup
    left join maturity
        on maturity.kommunekode = rollup.kommunekode
        and maturity.wave = rollup.wave
        and maturity.los_id = rollup.los_id
        and maturity.competence_area = rollup.competence_area

),

-- the linked respondents are a subset of digital_maturity's respondents: neither they nor the
-- unlinked rest may be derivable as a small group (by subtraction within or across the marts)
suppression as (

    {{ subset_suppression(
        'beside_maturity',
        ['kommunekode', 'wave'],
        'linked_respondents',
        'maturity_respondents',
        'maturity_suppressed',
        split_by=['competence_area']
    ) }}

),

flagged as (

    select
        suppression.*,
        suppression_reason is not null as is_suppressed,
        followup_months_loaded > 0 as has_followup_data
    from suppression

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
        suppression_reason,
        followup_first_month,
        followup_last_month,
        followup_months_loaded,
        followup_months_loaded = 6 as followup_complete,
        wave_end_date,
        {{ org_unit_columns() }}
    from flagged

)

select * from final
