{#-
    marts.digital_maturity_by_staff_group: digital maturity by staff group (personalekategori)
    per org unit: kommunekode × wave × los_id × competence_area × personalekategori.
    Measures as in digital_maturity, over the group's grouped respondents (see
    int_survey__respondent_staff_groups); respondents who cannot be grouped (anonymous, unlinked,
    not in the wave's headcount) are counted in ungrouped_respondents, never in a group.

    Suppression (the privacy rules of docs/ and digital_maturity):
    - primary: respondents < var('min_cell') -> scores and shares null, suppressed;
    - secondary: the unit's total (unit_respondents, published in digital_maturity) minus its
      published groups leaves ungrouped_respondents plus the primarily suppressed groups. Where
      that residual is 1..min_cell-1, its mean could be recovered by subtraction, so published
      groups are suppressed as well, smallest first (ties: by name), until the residual is
      at least min_cell. suppression_kind tells which rule applied.
-#}

with

rollup as (

    select * from {{ scoped(ref('int_survey__staff_group_rollup')) }}

),

primary_rule as (

    select
        rollup.*,
        {{ is_small_cell('rollup.respondents') }} as primary_suppressed
    from rollup

),

residuals as (

    select
        primary_rule.*,
        ungrouped_respondents + sum(case when primary_suppressed then respondents else 0 end) over unit_area
            as primary_residual,
        -- respondents of the published groups before this one, smallest first
        coalesce(
            sum(respondents) over (
                partition by kommunekode, wave, los_id, competence_area, primary_suppressed
                order by respondents, personalekategori
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as smaller_groups_respondents
    from primary_rule
    window unit_area as (partition by kommunekode, wave, los_id, competence_area)

),

suppression as (

    select
        residuals.*,
        not primary_suppressed
            and primary_residual > 0
            and {{ is_small_cell('(primary_residual + smaller_groups_respondents)') }} as secondary_suppressed
    from residuals

),

final as (

    select
        kommunekode,
        wave,
        los_id,
        competence_area,
        personalekategori,
        respondents,
        headcount,
        cast(respondents as double precision) / nullif(headcount, 0) as response_rate,
        case when not (primary_suppressed or secondary_suppressed) then mean_score end as mean_score,
        case when not (primary_suppressed or secondary_suppressed) then share_basic end as share_basic,
        case when not (primary_suppressed or secondary_suppressed) then share_advanced end as share_advanced,
        primary_suppressed or secondary_suppressed as suppressed,
        case
            when primary_suppressed then 'small_group'
            when secondary_suppressed then 'secondary'
        end as suppression_kind,
        unit_respondents,
        ungrouped_respondents,
        wave_end_date,
        {{ org_unit_columns() }}
    from suppression

)

select * from final
