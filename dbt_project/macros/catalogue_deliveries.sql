{#-
    The rows of a catalogue source (survey item catalogues, LMS course catalogues), once for every
    municipality and period that delivered them.

    Many municipalities use the same questionnaire, and a municipality often keeps it from one wave
    to the next, so catalogue files of different municipalities or waves can be byte-identical.
    docs/files.md makes every copy after the first a duplicate: recorded in meta.files and archived,
    never loaded twice. Its rows are in raw under the first copy's fingerprint, municipality and
    period; here they are given to the duplicate's municipality and period too (from its file
    name, as meta.files recorded it), delivered when the duplicate was processed. Rows are copied,
    never loaded twice: lineage (file_fingerprint, row number) still names the loaded file.

    period_column: the raw column holding the period of the file name (none: catalogues per
    municipality only, like courses).
-#}
{% macro catalogue_deliveries(raw_relation, source_name, period_column=none) %}

    {%- set period = "upper(cast(" ~ period_column ~ " as varchar))" if period_column else "''" -%}

    with deliveries as (

        select _file_fingerprint as fingerprint, kommunekode, {{ period }} as period, min(_loaded_at) as delivered_at
        from {{ raw_relation }}
        group by all

        union all

        select fingerprint, kommunekode, {{ 'upper(period)' if period_column else "''" }} as period, processed_at as delivered_at
        from {{ source('meta', 'files') }}
        where source = '{{ source_name }}' and status = 'duplicate'

    ),

    first_delivery as (

        -- a copy re-delivered under its own name is the same delivery
        select fingerprint, kommunekode, period, min(delivered_at) as delivered_at
        from deliveries
        group by all

    )

    select
        raw_rows.* replace (
            first_delivery.kommunekode as kommunekode,
            {% if period_column %}first_delivery.period as {{ period_column }},{% endif %}
            first_delivery.delivered_at as _loaded_at
        )
    from {{ raw_relation }} as raw_rows
    inner join first_delivery
        on first_delivery.fingerprint = raw_rows._file_fingerprint

{% endmacro %}
