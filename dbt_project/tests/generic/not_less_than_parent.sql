{#-
    Roll-up sanity: a rolled-up measure of a unit is never smaller than that of any of its
    child units in the same partition (e.g. kommunekode × wave × competence_area), since the
    parent's row covers the child's subtree. By induction the root covers every unit.
    Fails with the offending child rows.
-#}
{% test not_less_than_parent(model, column_name, key_column, parent_column, partition_by) %}

select
    {% for col in partition_by %}child.{{ col }}, {% endfor %}
    child.{{ key_column }} as child_key,
    parent.{{ key_column }} as parent_key,
    child.{{ column_name }} as child_value,
    parent.{{ column_name }} as parent_value
from {{ model }} as child
inner join {{ model }} as parent
    on parent.{{ key_column }} = child.{{ parent_column }}
    {% for col in partition_by %}
    and parent.{{ col }} = child.{{ col }}
    {% endfor %}
where parent.{{ column_name }} < child.{{ column_name }}

{% endtest %}
