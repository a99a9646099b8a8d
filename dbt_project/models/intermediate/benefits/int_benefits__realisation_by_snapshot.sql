{#-
    The benefit_realisation rules of docs/marts.md applied to every complete register snapshot:
    one row per snapshot × benefit × month, from the month of the initiative's start_dato to the
    later of the month of maal_dato and the newest measured period. marts.benefit_realisation is
    the newest snapshot's rows; the status history compares snapshots with it.

    realised_cumulative: flows (oekonomi_dkk, tid_timer) sum every period's value up to the
    month; the level (kvalitet_indeks) takes the newest period's value up to the month minus the
    baseline (0 before the first measurement). planned_cumulative = target × months elapsed since
    the start (inclusive) / months from the start to maal_dato (inclusive), and the target itself
    from maal_dato's month on (the cap). Both are rounded to 6 decimals (measurements have at most
    a few), so a sum of binary floats cannot flip a threshold. realisation_pct = realised / target
    (null when the target is 0). status: 'stopped' for an initiative the register marks stoppet,
    else realised (realised >= target), on_track (>= 90 % of planned), at_risk (>= 70 %), behind.
-#}

with

register as (

    select * from {{ scoped(ref('int_benefits__register')) }}

),

measurements as (

    select * from {{ scoped(ref('int_benefits__measurements')) }}

),

newest_measured as (

    select
        kommunekode,
        snapshot_date,
        benefit_id,
        max(periode) as newest_periode
    from measurements
    group by kommunekode, snapshot_date, benefit_id

),

spans as (

    select
        register.*,
        cast(date_trunc('month', register.start_dato) as date) as start_month,
        cast(date_trunc('month', register.maal_dato) as date) as target_month,
        greatest(
            cast(date_trunc('month', register.maal_dato) as date),
            coalesce(newest_measured.newest_periode, cast(date_trunc('month', register.maal_dato) as date))
        ) as end_month
    from register
    left join newest_measured
        on newest_measured.kommunekode = register.kommunekode
        and newest_measured.snapshot_date = register.snapshot_date
        and newest_measured.benefit_id = register.benefit_id

),

months as (

    select
        spans.*,
        cast(unnest(generate_series(
            cast(spans.start_month as timestamp), cast(spans.end_month as timestamp), interval 1 month
        )) as date) as month
    from spans

),

measured_to_date as (

    select
        months.kommunekode,
        months.snapshot_date,
        months.benefit_id,
        months.month,
        sum(measurements.vaerdi) as vaerdi_sum,
        arg_max(measurements.vaerdi, measurements.periode) as newest_vaerdi,
        max(case when measurements.periode = months.month then measurements.vaerdi end) as measured_value,
        count(measurements.periode) as periods_measured
    from months
    left join measurements
        on measurements.kommunekode = months.kommunekode
        and measurements.snapshot_date = months.snapshot_date
        and measurements.benefit_id = months.benefit_id
        and measurements.periode <= months.month
    group by months.kommunekode, months.snapshot_date, months.benefit_id, months.month

),

cumulated as (

    select
        months.*,
        measured_to_date.measured_value,
        measured_to_date.periods_measured,
        datediff('month', months.start_month, months.month) + 1 as months_elapsed,
        datediff('month', months.start_month, months.target_month) + 1 as months_planned,
        round(
            case
                when months.benefit_kind = 'flow' then coalesce(measured_to_date.vaerdi_sum, 0)
                else coalesce(measured_to_date.newest_vaerdi - months.baseline, 0)
            end, 6
        ) as realised_cumulative
    from months
    inner join measured_to_date
        on measured_to_date.kommunekode = months.kommunekode
        and measured_to_date.snapshot_date = months.snapshot_date
        and measured_to_date.benefit_id = months.benefit_id
        and measured_to_date.month = months.month

),

planned as (

    select
        cumulated.*,
        round(
            case
                when months_elapsed >= months_planned then target
                else target * months_elapsed / months_planned
            end, 6
        ) as planned_cumulative
    from cumulated

),

final as (

    select
        kommunekode,
        snapshot_date,
        initiative_id,
        benefit_id,
        month,

        ---------- the benefit and its initiative, as this snapshot says
        initiative_name,
        sektor,
        los_id,
        initiative_status,
        gevinsttype,
        benefit_kind,
        unit,
        budgetvirkning,
        baseline,
        maal,
        target,
        start_month,
        maal_dato,
        end_month,

        ---------- the measures
        months_elapsed,
        months_planned,
        measured_value,
        periods_measured,
        realised_cumulative,
        planned_cumulative,
        realised_cumulative / nullif(target, 0) as realisation_pct,
        case
            when initiative_status = 'stoppet' then 'stopped'
            when realised_cumulative >= target then 'realised'
            when realised_cumulative >= 0.9 * planned_cumulative then 'on_track'
            when realised_cumulative >= 0.7 * planned_cumulative then 'at_risk'
            else 'behind'
        end as status,
        month > cast(date_trunc('month', snapshot_date) as date) as is_future

    from planned

)

select * from final
