{#- The benefits (gevinster) of the register with their history (type 2, by register date): see macro register_history. -#}

{%- set attributes = [
    'initiative_id', 'gevinsttype', 'benefit_kind', 'unit', 'beskrivelse', 'baseline', 'maal', 'target',
    'maal_dato', 'budgetvirkning',
] -%}

{{ register_history(ref('int_benefits__register'), ['benefit_id'], attributes) }}
