{#-
    Every measured period of every benefit with its history (type 2, by register date): a correction
    starts a new version. See macro register_history.
-#}

{{ register_history(
    ref('int_benefits__measurements'), ['benefit_id', 'periode'], ['vaerdi', 'maalt_dato', 'measurements_of_period']
) }}
