{#-
    What each complete register snapshot says, one row per snapshot × benefit, with its
    initiative's attributes: the rows of the snapshot's chosen gevinster and initiativer files
    only (see int_benefits__snapshots). Flows (oekonomi_dkk, tid_timer) have target = maal;
    the level kvalitet_indeks has target = maal − baseline (docs/marts.md).
-#}

with

snapshots as (

    select * from {{ scoped(ref('int_benefits__snapshots')) }}

),

benefits as (

    select * from {{ scoped(ref('stg_benefits__benefits')) }}

),

initiatives as (

    select * from {{ scoped(ref('stg_benefits__initiatives')) }}

),

snapshot_benefits as (

    select
        benefits.*,
        -- an id twice in one file does not pass validation; keep the last row all the same
        row_number() over (
            partition by benefits.kommunekode, benefits.snapshot_date, benefits.benefit_id
            order by benefits.source_row_number desc
        ) as row_rank
    from benefits
    inner join snapshots
        on snapshots.kommunekode = benefits.kommunekode
        and snapshots.snapshot_date = benefits.snapshot_date
        and snapshots.gevinster_fingerprint = benefits.file_fingerprint

),

snapshot_initiatives as (

    select
        initiatives.*,
        row_number() over (
            partition by initiatives.kommunekode, initiatives.snapshot_date, initiatives.initiative_id
            order by initiatives.source_row_number desc
        ) as row_rank
    from initiatives
    inner join snapshots
        on snapshots.kommunekode = initiatives.kommunekode
        and snapshots.snapshot_date = initiatives.snapshot_date
        and snapshots.initiativer_fingerprint = initiatives.file_fingerprint

),

final as (

    select
        snapshot_benefits.kommunekode,
        snapshot_benefits.snapshot_date,
        snapshot_benefits.benefit_id,
        snapshot_benefits.initiative_id,

        ---------- the benefit
        snapshot_benefits.gevinsttype,
        case when snapshot_benefits.gevinsttype = 'kvalitet_indeks' then 'level' else 'flow' end as benefit_kind,
        case snapshot_benefits.gevinsttype
            when 'oekonomi_dkk' then 'DKK'
            when 'tid_timer' then 'hours'
            else 'index points'
        end as unit,
        snapshot_benefits.beskrivelse,
        snapshot_benefits.baseline,
        snapshot_benefits.maal,
        case
            when snapshot_benefits.gevinsttype = 'kvalitet_indeks'
                then snapshot_benefits.maal - snapshot_benefits.baseline
            else snapshot_benefits.maal
        end as target,
        snapshot_benefits.maal_dato,
        snapshot_benefits.budgetvirkning,

        ---------- its initiative
        snapshot_initiatives.initiative_name,
        snapshot_initiatives.sektor,
        snapshot_initiatives.los_id,
        snapshot_initiatives.start_dato,
        snapshot_initiatives.slut_dato,
        snapshot_initiatives.initiative_status,
        snapshot_initiatives.investering_dkk

    from snapshot_benefits
    inner join snapshot_initiatives
        on snapshot_initiatives.kommunekode = snapshot_benefits.kommunekode
        and snapshot_initiatives.snapshot_date = snapshot_benefits.snapshot_date
        and snapshot_initiatives.initiative_id = snapshot_benefits.initiative_id
        and snapshot_initiatives.row_rank = 1
    where snapshot_benefits.row_rank = 1

)

select * from final
