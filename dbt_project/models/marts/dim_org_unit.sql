{#-
    One row per org unit version (slowly changing, type 2), derived from the monthly org
    extracts: consecutive extracts that show a unit with the same name, parent, type and
    sector form one version; a rename or a move starts a new version, and the old one
    keeps describing old periods.
    valid_from: the first version starts at the unit's gyldig_fra (or the first extract's
    month when that is earlier or unknown); a later version starts on the first day of the
    month of the first extract that shows it.
    valid_to: the day before the next version starts; for a unit's last version, the day
    before the first later extract that no longer lists it, else its gyldig_til (NULL =
    still current).
-#}

with

unit_snapshots as (

    select * from {{ scoped(ref('int_org__unit_snapshots')) }}

),

extract_months as (

    select
        kommunekode,
        snapshot_month,
        lead(snapshot_month) over (partition by kommunekode order by snapshot_month) as next_extract_month
    from (select distinct kommunekode, snapshot_month from unit_snapshots) as months

),

-- one row per unit and extract (a unit listed twice in one extract: its last row)
unit_rows as (

    select * from (
        select
            unit_snapshots.*,
            row_number() over (
                partition by kommunekode, snapshot_month, los_id
                order by source_row_number desc
            ) as row_rank
        from unit_snapshots
    ) as ranked
    where row_rank = 1

),

changes as (

    select
        unit_rows.*,
        case
            when lag(snapshot_month) over unit_history is null then 1
            when lag(enhedsnavn) over unit_history is distinct from enhedsnavn
                or lag(parent_los_id) over unit_history is distinct from parent_los_id
                or lag(enhedstype) over unit_history is distinct from enhedstype
                or lag(sektor) over unit_history is distinct from sektor
                then 1
            else 0
        end as is_new_version
    from unit_rows
    window unit_history as (partition by kommunekode, los_id order by snapshot_month)

),

numbered as (

    select
        changes.*,
        cast(sum(is_new_version) over (
            partition by kommunekode, los_id
            order by snapshot_month
            rows between unbounded preceding and current row
        ) as integer) as version_number
    from changes

),

versions as (

    select
        kommunekode,
        los_id,
        version_number,
        min(snapshot_month) as first_snapshot_month,
        max(snapshot_month) as last_snapshot_month
    from numbered
    group by kommunekode, los_id, version_number

),

version_attributes as (

    -- the attributes as the version's newest extract shows them
    select
        versions.*,
        numbered.enhedsnavn,
        numbered.parent_los_id,
        numbered.enhedstype,
        numbered.sektor,
        numbered.gyldig_fra,
        numbered.gyldig_til
    from versions
    inner join numbered
        on numbered.kommunekode = versions.kommunekode
        and numbered.los_id = versions.los_id
        and numbered.snapshot_month = versions.last_snapshot_month

),

with_next as (

    select
        version_attributes.*,
        lead(version_attributes.first_snapshot_month) over (
            partition by version_attributes.kommunekode, version_attributes.los_id
            order by version_attributes.version_number
        ) as next_version_month,
        -- the unit's last version ends when an extract no longer lists it
        extract_months.next_extract_month as first_extract_without_unit
    from version_attributes
    inner join extract_months
        on extract_months.kommunekode = version_attributes.kommunekode
        and extract_months.snapshot_month = version_attributes.last_snapshot_month

),

final as (

    select
        {{ dbt.concat(["kommunekode", "':'", "los_id", "':'", "cast(version_number as varchar)"]) }}
            as org_unit_version_key,
        kommunekode,
        los_id,
        version_number,
        enhedsnavn,
        parent_los_id,
        parent_los_id is null as is_root,
        enhedstype,
        sektor,
        case
            when version_number = 1 and gyldig_fra is not null and gyldig_fra < first_snapshot_month
                then gyldig_fra
            else first_snapshot_month
        end as valid_from,
        case
            when next_version_month is not null
                then cast(next_version_month - interval '1 day' as date)
            when first_extract_without_unit is not null
                then cast(first_extract_without_unit - interval '1 day' as date)
            else gyldig_til
        end as valid_to,
        -- the newest version, still listed in the newest extract and not ended by then
        next_version_month is null
            and first_extract_without_unit is null
            and (gyldig_til is null or gyldig_til >= cast({{ dbt.last_day('last_snapshot_month', 'month') }} as date))
            as is_current,
        first_snapshot_month,
        last_snapshot_month,
        gyldig_fra,
        gyldig_til
    from with_next

)

select * from final
