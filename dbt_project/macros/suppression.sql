{#-
    The marts' presentation rules shared by the unit × competence-area marts (digital_maturity,
    training_uptake, training_after_maturity).

    is_small_cell: docs/privacy.md, person-level aggregates over fewer than var('min_cell') people
    are not published: true when the group `count_column` counts is too small.
-#}
{% macro is_small_cell(count_column) -%}
    ({{ count_column }} < {{ var('min_cell') | int }})
{%- endmacro %}


{#-
    org_unit_columns: the descriptive columns of the org unit a mart row is about, in the order
    the marts publish them (after the measures).
-#}
{% macro org_unit_columns() -%}
    enhedsnavn,
    enhedstype,
    sektor,
    parent_los_id,
    is_root
{%- endmacro %}
