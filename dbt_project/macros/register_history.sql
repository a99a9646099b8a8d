{#-
    Type-2 history of one entity of the benefit register, by register date: `relation` has one
    row per complete snapshot (kommunekode, snapshot_date) × entity (`keys`) with the entity's
    `attributes`. Consecutive snapshots that show the entity with the same attributes form one
    version. valid_from = the snapshot date where the version first appears; valid_to = the date
    of the first later snapshot that shows something else (another version, or no longer lists
    the entity), exclusive; NULL while the newest snapshot still shows it (is_current).
    "What did the register say on day D": valid_from <= D and (valid_to is null or valid_to > D).
-#}
{% macro register_history(relation, keys, attributes) %}

with

snapshots as (

    select * from {{ scoped(ref('int_benefits__snapshots')) }}

),

entity_rows as (

    select
        entity.*,
        snapshots.snapshot_number,
        md5(concat_ws('|', {% for column in attributes %}coalesce(cast(entity.{{ column }} as varchar), '<null>'){{ ", " if not loop.last }}{% endfor %})) as attributes_hash
    from {{ scoped(relation) }} as entity
    inner join snapshots
        on snapshots.kommunekode = entity.kommunekode
        and snapshots.snapshot_date = entity.snapshot_date

),

changes as (

    select
        entity_rows.*,
        case
            when lag(snapshot_number) over entity_history is null then 1
            when lag(snapshot_number) over entity_history <> snapshot_number - 1 then 1  -- absent in between
            when lag(attributes_hash) over entity_history <> attributes_hash then 1
            else 0
        end as is_new_version
    from entity_rows
    window entity_history as (partition by kommunekode, {{ keys | join(', ') }} order by snapshot_number)

),

numbered as (

    select
        changes.*,
        sum(is_new_version) over (
            partition by kommunekode, {{ keys | join(', ') }} order by snapshot_number rows unbounded preceding
        ) as version_number
    from changes

),

versions as (

    select
        kommunekode,
        {{ keys | join(', ') }},
        version_number,
        min(snapshot_date) as valid_from,
        max(snapshot_number) as last_snapshot_number
    from numbered
    group by kommunekode, {{ keys | join(', ') }}, version_number

),

final as (

    select
        versions.kommunekode,
        {% for key in keys %}versions.{{ key }},
        {% endfor %}versions.version_number,
        {% for column in attributes %}numbered.{{ column }},
        {% endfor %}versions.valid_from,
        last_snapshot.next_snapshot_date as valid_to,
        last_snapshot.next_snapshot_date is null as is_current
    from versions
    inner join numbered
        on numbered.kommunekode = versions.kommunekode
        {% for key in keys %}and numbered.{{ key }} = versions.{{ key }}
        {% endfor %}and numbered.version_number = versions.version_number
        and numbered.snapshot_number = versions.last_snapshot_number
    inner join snapshots as last_snapshot
        on last_snapshot.kommunekode = versions.kommunekode
        and last_snapshot.snapshot_number = versions.last_snapshot_number

)

select * from final

{% endmacro %}
