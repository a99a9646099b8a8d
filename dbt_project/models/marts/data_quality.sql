{#-
    All data-quality counts in one long table (one row per municipality × source × period ×
    check), for `digilead status` and monitoring. Slice 1 has the survey checks of
    dq_survey_respondents; later slices add their checks (e.g. unlinked training records)
    with a `union all`.
-#}

with

survey as (

    select * from {{ ref('dq_survey_respondents') }}

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

)

select * from survey_checks
