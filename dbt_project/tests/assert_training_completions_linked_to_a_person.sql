{{ config(severity='warn') }}

{#-
    docs/privacy.md: training records that cannot be linked to a person through HR are counted,
    not dropped silently. One row per unlinked completion record in use, so this warn-level
    test's failing-row count is the number of unlinked completions: in the build log and as the
    failed_row_count of the Dagster asset check on int_training__records (per file month in
    marts.dq_training_records / data_quality, and so in `digilead status`). No person-level
    value is returned: lineage only.
-#}

select
    kommunekode,
    file_month,
    record_format,
    file_fingerprint,
    source_row_number
from {{ ref('int_training__records') }}
where is_used and is_completion and person_key is null
