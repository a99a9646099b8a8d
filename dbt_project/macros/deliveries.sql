{#-
    "The newest delivery wins" for sources delivered as whole files (docs/files.md): when the same
    period of a municipality is delivered again, the file loaded last replaces the older one(s)
    as a whole, so rows of two deliveries are never mixed.
-#}


{#-
    delivery_order: the order of a partition's deliveries, the newest greatest: loaded_at, a tie
    going to the greater file_fingerprint (a file without either comes first, never newest).
    The one statement of the rule that ranked_deliveries and newest_delivery share.
-#}
{% macro delivery_order() -%}
    (coalesce(loaded_at, '-infinity'::timestamp), coalesce(file_fingerprint, ''))
{%- endmacro %}


{#-
    ranked_deliveries: one row per delivered file of `relation` (its `partition_by` columns ×
    file_fingerprint) with its loaded_at and file_rank (1 = the newest delivery of the partition;
    a tie on loaded_at goes to the greater fingerprint, so the choice is deterministic).
    `relation` needs the columns of `partition_by`, file_fingerprint and loaded_at.
-#}
{% macro ranked_deliveries(relation, partition_by) %}

    {%- set partition = partition_by | join(', ') -%}

    select
        files.*,
        row_number() over (
            partition by {{ partition }}
            order by {{ delivery_order() }} desc
        ) as file_rank
    from (

        select {{ partition }}, file_fingerprint, max(loaded_at) as loaded_at
        from {{ relation }}
        group by {{ partition }}, file_fingerprint

    ) as files

{% endmacro %}


{#-
    newest_delivery: the rows of `relation` that are in the newest delivery of their partition
    (the file ranked first by ranked_deliveries: the latest loaded_at, a tie going to the greater
    fingerprint), for full snapshots such as HR and org extracts. Every row of a file carries the
    file's loaded_at. A window over one reading of `relation`, not a join of it with its own
    ranking: a filter on the partition (a batch of municipalities reading the view
    int_hr__employee_snapshots) then reaches the table scan instead of every file being ranked.
-#}
{% macro newest_delivery(relation, partition_by) %}
    {%- set delivery = delivery_order() %}

    select *
    from {{ relation }}
    qualify {{ delivery }} = max({{ delivery }}) over (partition by {{ partition_by | join(', ') }})

{% endmacro %}


{#-
    extract_in_use: which full extract (HR or org) describes each period of `periods`: the
    extract of the period's month, or else the newest earlier one (docs/marts.md). One row per
    municipality × `period_key` with the extract's snapshot_month as `snapshot_column`; a period
    before the first extract has no row. `period_month`: the column of `periods` holding the
    period's month (first day); `extracts`: rows with kommunekode and snapshot_month.
-#}
{% macro extract_in_use(periods, period_key, period_month, extracts, snapshot_column) %}

    select
        {{ periods }}.kommunekode,
        {{ periods }}.{{ period_key }},
        max(extract_months.snapshot_month) as {{ snapshot_column }}
    from {{ periods }}
    inner join (select distinct kommunekode, snapshot_month from {{ extracts }}) as extract_months
        on extract_months.kommunekode = {{ periods }}.kommunekode
        and extract_months.snapshot_month <= {{ periods }}.{{ period_month }}
    group by {{ periods }}.kommunekode, {{ periods }}.{{ period_key }}

{% endmacro %}
