{#-
    All data-quality counts in one long table (one row per municipality × source × period ×
    check), for `digilead status` and monitoring: the survey checks of dq_survey_respondents, the
    training checks of dq_training_records and the HR check of dq_hr_employees; later slices add
    theirs with a `union all`.

    severity (read by `digilead status --check` and the run summary, on rows with issue_count > 0):
    - info: expected and harmless (merged duplicates, previews and spam counted, redeliveries);
    - warning: some records could not be placed or linked (they are in no mart row, or only
      in part of it);
    - error: the municipality period's people cannot be placed at all (every one of them at an
      unknown unit, or no org tree / HR snapshot at or before the period). Checks of kind
      'placement' are errors when issue_count = out_of, else warnings.
-#}

{%- set placement_severity = "case when issue_count > 0 and issue_count >= out_of then 'error' else 'warning' end" -%}

with

survey as (

    select * from {{ scoped(ref('dq_survey_respondents')) }}

),

training as (

    select * from {{ scoped(ref('dq_training_records')) }}

),

hr as (

    select * from {{ scoped(ref('dq_hr_employees')) }}

),

survey_checks as (

    {% set checks = [
        ('not_responses', 'response_rows', 'info', 'rows that are not responses (preview, test, spam, unfinished): counted, never scored'),
        ('duplicate_submissions_merged', 'responses', 'info', 'extra submissions of the same person: the latest counts'),
        ('redelivered_responses', 'responses', 'info', 'response rows delivered again in a later file: the newest load counts'),
        ('unlinked_respondents', 'respondents', 'warning', 'employee_ref found in no HR extract: counted at the survey los_id'),
        ('respondents_at_unknown_unit', 'respondents', 'placement', 'los_id not in the org tree at the wave end (or no org tree at or before it): in no digital_maturity row'),
        ('respondents_in_wave_without_hr_snapshot', 'respondents', 'placement', 'no HR extract at or before the wave end: no headcount or response rate'),
        ('respondents_without_answers', 'respondents', 'info', 'every answer missing: a respondent in no area'),
        ('catalogue_items_without_column', 'catalogue_items', 'warning', 'catalogue items the newest responses file of the wave had no column for: their areas lack these answers; check the item ids, or in Microsoft Forms the question texts'),
        ('answer_columns_without_item', 'answer_columns', 'warning', 'columns holding answers that match no catalogue item: not loaded; check the item ids, or in Microsoft Forms the question texts (a background variable coded 1-5 is counted too)'),
    ] %}
    {% for check, total, kind, description in checks %}
    select
        kommunekode,
        'survey_responses' as source,
        wave as period,
        '{{ check }}' as check_name,
        issue_count,
        out_of,
        '{{ description }}' as description,
        {{ placement_severity if kind == 'placement' else "'" ~ kind ~ "'" }} as severity
    from (
        select kommunekode, wave, cast({{ check }} as bigint) as issue_count, cast({{ total }} as bigint) as out_of
        from survey
    ) as counted
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

training_checks as (

    {% set training_checks = [
        ('records_in_replaced_files', 'records', 'info', 'rows of a file replaced by a newer delivery of the same month and format: not used'),
        ('duplicate_statements', 'records', 'info', 'xAPI statement id delivered again in another file: the newest copy counts'),
        ('not_completions', 'records_used', 'info', 'in progress, not started or another xAPI verb: kept, never counted'),
        ('unlinked_records', 'records_used', 'warning', 'e-mail / employee number found in no HR extract: in no training_uptake row'),
        ('unlinked_completions', 'completions', 'placement', 'completions whose learner is found in no HR extract: in no training_uptake row'),
        ('duplicate_completions_merged', 'linked_completions', 'info', 'same person, course and month again: counts once'),
        ('completions_not_in_hr_snapshot', 'distinct_completions', 'placement', 'linked person not in the HR snapshot of the completion month (or no snapshot at or before it): in no training_uptake row'),
        ('completions_at_unknown_unit', 'distinct_completions', 'placement', "the person''s los_id is not in the org tree of the completion month (or no org tree at or before it): in no training_uptake row"),
        ('completions_without_date', 'completions', 'warning', "status completed without completed_at: dated by the file''s month"),
        ('completions_of_unknown_course', 'completions', 'warning', 'course_id not in the course catalogue: counted in area all only'),
        ('completions_without_hours', 'completions', 'warning', 'no hours, no duration and no nominal hours: counted with 0 hours'),
    ] %}
    {% for check, total, kind, description in training_checks %}
    select
        kommunekode,
        'training' as source,
        period,
        '{{ check }}' as check_name,
        issue_count,
        out_of,
        '{{ description }}' as description,
        {{ placement_severity if kind == 'placement' else "'" ~ kind ~ "'" }} as severity
    from (
        select
            kommunekode,
            substr(cast(file_month as varchar), 1, 7) as period,
            cast({{ check }} as bigint) as issue_count,
            cast({{ total }} as bigint) as out_of
        from training
    ) as counted
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

hr_checks as (

    select
        kommunekode,
        'hr_employees' as source,
        period,
        'employees_at_unknown_unit' as check_name,
        issue_count,
        out_of,
        'employee''s los_id not in the org tree of the month (or no org tree at or before it): in no headcount'
            as description,
        {{ placement_severity }} as severity
    from (
        select
            kommunekode,
            substr(cast(snapshot_month as varchar), 1, 7) as period,
            cast(posts_at_unknown_unit as bigint) as issue_count,
            cast(posts as bigint) as out_of
        from hr
    ) as counted

)

select * from survey_checks
union all
select * from training_checks
union all
select * from hr_checks
