{#-
    All data-quality counts in one long table (one row per municipality × source × period ×
    check), for `digilead status` and monitoring: the survey checks of dq_survey_respondents
    and the training checks of dq_training_records; later slices add theirs with a `union all`.
-#}

with

survey as (

    select * from {{ scoped(ref('dq_survey_respondents')) }}

),

training as (

    select * from {{ scoped(ref('dq_training_records')) }}

),

survey_checks as (

    {% set checks = [
        ('not_responses', 'response_rows', 'rows that are not responses (preview, spam, unfinished): counted, never scored'),
        ('duplicate_submissions_merged', 'responses', 'extra submissions with the same employee_ref: the latest counts'),
        ('redelivered_responses', 'responses', 'response rows delivered again in a later file: the newest load counts'),
        ('unlinked_respondents', 'respondents', 'employee_ref found in no HR extract: counted at the survey los_id'),
        ('respondents_at_unknown_unit', 'respondents', 'los_id not in the org tree at the wave end: in no digital_maturity row'),
        ('respondents_without_answers', 'respondents', 'every answer missing: a respondent in no area'),
    ] %}
    {% for check, total, description in checks %}
    select
        kommunekode,
        'survey_responses' as source,
        wave as period,
        '{{ check }}' as check_name,
        cast({{ check }} as bigint) as issue_count,
        cast({{ total }} as bigint) as out_of,
        '{{ description }}' as description
    from survey
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

training_checks as (

    {% set training_checks = [
        ('records_in_replaced_files', 'records', 'rows of a file replaced by a newer delivery of the same month and format: not used'),
        ('duplicate_statements', 'records', 'xAPI statement id delivered again in another file: the newest copy counts'),
        ('not_completions', 'records_used', 'in progress, not started or another xAPI verb: kept, never counted'),
        ('unlinked_records', 'records_used', 'e-mail / employee number found in no HR extract: in no training_uptake row'),
        ('unlinked_completions', 'completions', 'completions whose learner is found in no HR extract: in no training_uptake row'),
        ('duplicate_completions_merged', 'linked_completions', 'same person, course and month again: counts once'),
        ('completions_not_in_hr_snapshot', 'distinct_completions', 'linked person not in the HR snapshot of the completion month: in no training_uptake row'),
        ('completions_at_unknown_unit', 'distinct_completions', "the person''s los_id is not in the org tree of the completion month: in no training_uptake row"),
        ('completions_without_date', 'completions', "status completed without completed_at: dated by the file''s month"),
        ('completions_of_unknown_course', 'completions', 'course_id not in the course catalogue: counted in area all only'),
        ('completions_without_hours', 'completions', 'no hours, no duration and no nominal hours: counted with 0 hours'),
    ] %}
    {% for check, total, description in training_checks %}
    select
        kommunekode,
        'training' as source,
        substr(cast(file_month as varchar), 1, 7) as period,
        '{{ check }}' as check_name,
        cast({{ check }} as bigint) as issue_count,
        cast({{ total }} as bigint) as out_of,
        '{{ description }}' as description
    from training
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from survey_checks
union all
select * from training_checks
