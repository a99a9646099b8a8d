{#- The column is 0 (or null) everywhere; used with severity warn to surface data-quality counts in the build log. -#}
{% test is_zero(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} <> 0

{% endtest %}
