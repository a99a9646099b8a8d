{#- The initiatives of the benefit register with their history (type 2, by register date): see macro register_history. -#}

{%- set attributes = [
    'initiative_name', 'sektor', 'los_id', 'start_dato', 'slut_dato', 'initiative_status', 'investering_dkk',
] -%}

{{ register_history(
    "(select distinct kommunekode, snapshot_date, initiative_id, " ~ attributes | join(', ') ~ " from " ~ ref('int_benefits__register') ~ ")",
    ['initiative_id'],
    attributes
) }}
