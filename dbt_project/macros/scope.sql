{#-
    Municipality-scoped incremental builds (docs: README "Incremental builds").

    Every intermediate and mart table is computed per municipality (kommunekode) and never
    across municipalities. So when files of some municipalities were loaded, only those
    municipalities' rows need recomputing: the pipeline names them in the environment variable
    DIGILEAD_DBT_KOMMUNER ("0751,0101"), each table deletes their rows (pre-hook `delete_scope`)
    and appends them again, computed from inputs filtered to those municipalities
    (`scoped(ref(...))`). Unset or empty, or on the first build or `--full-refresh`, every
    municipality is recomputed (so a hand-run `dbt build` recomputes everything). A scoped build
    and a full build give the same tables (tests/test_incremental.py).
-#}

{% macro kommune_scope() -%}
    {#- the municipalities this build recomputes, or none for all of them -#}
    {%- if not execute -%}
        {#- read only when running: dbt's parse never sees the variable, so a new scope keeps its
            partial parse (a changed --vars or env_var seen at parse time means a full re-parse) -#}
        {{ return(none) }}
    {%- endif -%}
    {%- set listed = env_var('DIGILEAD_DBT_KOMMUNER', '') | trim -%}
    {%- if not listed -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kommuner = listed.split(',') | map('trim') | list -%}
    {%- for kommunekode in kommuner -%}
        {%- if not modules.re.fullmatch('[0-9]{4}', kommunekode) -%}
            {{ exceptions.raise_compiler_error("DIGILEAD_DBT_KOMMUNER must list 4-digit kommunekoder, got " ~ kommunekode) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(kommuner) }}
{%- endmacro %}


{% macro kommune_in(kommuner) -%}
    kommunekode in ({% for kommunekode in kommuner %}'{{ kommunekode }}'{{ ", " if not loop.last }}{% else %}null{% endfor %})
{%- endmacro %}


{% macro scoped(relation) -%}
    {#- an input of an incremental model: only the municipalities being recomputed -#}
    {%- set kommuner = kommune_scope() -%}
    {#- (unit tests have no `this`: is_incremental() is asked only in a scoped build) -#}
    {%- if kommuner is not none and is_incremental() -%}
        (select * from {{ relation }} where {{ kommune_in(kommuner) }})
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{% macro delete_scope() -%}
    {#- pre-hook of every incremental model: remove the rows about to be recomputed -#}
    {%- if is_incremental() -%}
        {{ delete_kommuner(this, kommune_scope()) }}
    {%- endif -%}
{%- endmacro %}


{% macro delete_kommuner(relation, kommuner) -%}
    {#- the rows of `kommuner` (all rows when none) -#}
    delete from {{ relation }}{% if kommuner is not none %} where {{ kommune_in(kommuner) }}{% endif %}
{%- endmacro %}
