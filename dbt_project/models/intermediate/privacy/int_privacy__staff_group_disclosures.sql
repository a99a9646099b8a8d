{#-
    The independent check of digital_maturity_by_staff_group's two-way suppression: every relation
    that still gives a group of 1..min_cell-1 respondents away when the published group rows and
    digital_maturity's published unit totals are differenced along the org tree and across the
    staff groups at once (macros/two_way_suppression.sql, audit_only: the SQL closure, written
    apart from the Python that chose the hidden rows). Empty when the mart is safe; the singular
    test assert_no_derivable_small_group_staff_groups_two_way fails on any row.

    A model rather than the test's own query so that it runs in batches of municipalities
    (kommune_batched), like the mart: over the whole nation at once the closure's working set grew
    with the number of municipalities (3.6 GB for one wave of 98).
-#}

{{ config(materialized='kommune_batched', batch_rows_from='digital_maturity_by_staff_group') }}

{{ two_way_suppression(
    "(select kommunekode, wave, competence_area, los_id, personalekategori, respondents,"
        ~ " case when suppressed then suppression_reason end as suppression_reason"
        ~ " from " ~ batched(ref('digital_maturity_by_staff_group')) ~ " as published_groups)",
    batched(ref('digital_maturity')),
    ['kommunekode', 'wave', 'competence_area'],
    'respondents',
    audit_only=true
) }}
