{#-
    The independent check of training_uptake_by_staff_group's two-way suppression: every relation
    that still gives a group of 1..min_cell-1 employees away when the published group rows and
    training_uptake's published unit totals (area 'all') are differenced along the org tree and
    across the staff groups at once (macros/two_way_suppression.sql, audit_only: the SQL closure,
    written apart from the Python that chose the hidden rows). Empty when the mart is safe; the
    singular test assert_no_derivable_small_group_training_staff_groups_two_way fails on any row.
    In batches of municipalities, as int_privacy__staff_group_disclosures says why.
-#}

{{ config(materialized='kommune_batched', batch_rows_from='training_uptake_by_staff_group') }}

{{ two_way_suppression(
    "(select kommunekode, month, los_id, personalekategori, headcount,"
        ~ " case when suppressed then suppression_reason end as suppression_reason"
        ~ " from " ~ batched(ref('training_uptake_by_staff_group')) ~ " as published_groups)",
    "(select * from " ~ batched(ref('training_uptake')) ~ " as unit_totals where competence_area = 'all')",
    ['kommunekode', 'month'],
    'headcount',
    audit_only=true
) }}
