{#-
    The combination of the given columns is unique (the model's grain).
    A small local stand-in for dbt_utils.unique_combination_of_columns: this project
    installs no packages (nothing may be downloaded at build time).
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
