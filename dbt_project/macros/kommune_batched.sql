{#-
    The kommune_batched materialization: an incremental-by-municipality table (macros/scope.sql)
    whose SQL runs once per batch of municipalities instead of once for all of them.

    For a model whose memory grows faster than its input, such as the staff-group marts'
    suppression (a recursive query, which DuckDB cannot spill to disk): computed for 98
    municipalities at once it needs the whole nation's working set in memory; computed in batches
    it needs the largest batch's. Every mart is computed per municipality and never across them,
    so the batches' rows together are the table.

    The model reads its inputs through `batched(ref(...))`, which keeps the rows of the current
    batch's municipalities (the DuckDB variable digilead_kommune_batch; unset, as in dbt's unit
    tests or a hand-run query, it keeps every row). Config:
      batch_rows_from: the model whose rows per municipality measure its work (its main input);
      batches hold whole municipalities, together at most var('kommune_batch_rows') of those
      rows (a larger municipality is a batch of its own).
    Like the incremental models: a first build or --full-refresh computes every municipality
    (the table is replaced); otherwise the municipalities of DIGILEAD_DBT_KOMMUNER (all when
    unset) are deleted and computed again. One transaction: a failed batch leaves the table as it
    was.
-#}
{% materialization kommune_batched, adapter='duckdb' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set replace = existing_relation is none or existing_relation.is_view or should_full_refresh() -%}
    {%- set scope = none if replace else kommune_scope() -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% if existing_relation is not none and existing_relation.is_view %}
        {{ adapter.drop_relation(existing_relation) }}
    {% endif %}

    {% if replace %}
        {#- the table's shape from the model's SQL over an empty batch (no municipality: no work) -#}
        {% do run_query("set variable digilead_kommune_batch = []::varchar[]") %}
        {% do run_query(
            "create or replace table " ~ target_relation ~ " as select * from (" ~ compiled_code ~ ") as model_rows limit 0"
        ) %}
    {% else %}
        {% do run_query(delete_kommuner(target_relation, scope)) %}
    {% endif %}

    {%- set batches = kommune_batches(ref(config.require('batch_rows_from')), scope) -%}
    {% for batch in batches %}
        {% do log(this.identifier ~ ": batch " ~ loop.index ~ " of " ~ batches | length ~ " (" ~ batch | join(", ") ~ ")", info=true) %}
        {% do run_query("set variable digilead_kommune_batch = ['" ~ batch | join("', '") ~ "']::varchar[]") %}
        {% do run_query("insert into " ~ target_relation ~ " select * from (" ~ compiled_code ~ ") as model_rows") %}
    {% endfor %}

    {% call statement('main') %}
        reset variable digilead_kommune_batch
    {% endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{% macro batched(relation) -%}
    {#- an input of a kommune_batched model: the rows of the batch being computed -#}
    (
        select * from {{ relation }}
        where
            getvariable('digilead_kommune_batch') is null
            or list_contains(getvariable('digilead_kommune_batch'), kommunekode)
    )
{%- endmacro %}


{% macro kommune_batches(relation, scope) %}
    {#- the municipalities of `relation` (those of `scope` only, unless none), grouped in batches
        of at most var('kommune_batch_rows') rows of it, in kommunekode order -#}
    {%- set budget = var('kommune_batch_rows') | int -%}
    {%- set counts = run_query(
        "select kommunekode, count(*) as n from " ~ relation
        ~ (" where " ~ kommune_in(scope) if scope is not none else "")
        ~ " group by kommunekode order by kommunekode"
    ) -%}
    {%- set batches = [] -%}
    {%- set current = namespace(kommuner=[], rows=0) -%}
    {%- for row in counts.rows -%}
        {%- if current.kommuner and current.rows + row[1] > budget -%}
            {%- do batches.append(current.kommuner) -%}
            {%- set current.kommuner = [] -%}
            {%- set current.rows = 0 -%}
        {%- endif -%}
        {%- set current.kommuner = current.kommuner + [row[0]] -%}
        {%- set current.rows = current.rows + row[1] -%}
    {%- endfor -%}
    {%- if current.kommuner -%}
        {%- do batches.append(current.kommuner) -%}
    {%- endif -%}
    {{ return(batches) }}
{% endmacro %}
