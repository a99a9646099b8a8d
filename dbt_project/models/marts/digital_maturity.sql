{#-
    marts.digital_maturity (docs/marts.md): kommunekode × wave × los_id × competence_area.
    Suppression (macros/suppression.sql): rows describing fewer than var('min_cell')
    respondents, and rows whose publication would let a smaller group be derived by
    subtracting published rows, have mean_score, share_basic, share_advanced, prev_mean_score
    and change null, suppressed = true and suppression_reason saying why; respondents,
    headcount and response_rate stay published.
    prev_mean_score = the *published* mean_score of the same unit and area in the previous
    wave (so a value suppressed then is null now).
-#}

with

rollup as (

    select * from {{ scoped(ref('int_survey__maturity_rollup')) }}

),

-- each competence area is a table of its own over the wave's tree: its respondents differ
suppression as (

    {{ small_cell_suppression('rollup', ['kommunekode', 'wave'], 'respondents', split_by=['competence_area']) }}

),

published as (

    select
        suppression.*,
        suppression_reason is not null as suppressed,
        case when suppression_reason is null then mean_score end as published_mean_score
    from suppression

),

with_previous as (

    select
        current_wave.*,
        previous_wave.published_mean_score as previous_published_mean_score
    from published as current_wave
    left join published as previous_wave
        on previous_wave.kommunekode = current_wave.kommunekode
        and previous_wave.wave = current_wave.previous_wave
        and previous_wave.los_id = current_wave.los_id
        and previous_wave.competence_area = current_wave.competence_area

),

final as (

    select
        -- the contract's columns, in its order
        kommunekode,
        wave,
        los_id,
        competence_area,
        respondents,
        headcount,
        response_rate,
        case when not suppressed then mean_score end as mean_score,
        case when not suppressed then share_basic end as share_basic,
        case when not suppressed then share_advanced end as share_advanced,
        case when not suppressed then previous_published_mean_score end as prev_mean_score,
        case when not suppressed then mean_score - previous_published_mean_score end as change,
        suppressed,

        -- descriptive extras
        suppression_reason,
        wave_end_date,
        previous_wave,
        {{ org_unit_columns() }},
        org_snapshot_month,
        hr_snapshot_month

    from with_previous

)

-- clustered by municipality: a kommune_batched model's batch reads only its own row groups
select * from final
order by kommunekode
