{#-
    Building blocks of the unit roll-ups (int_survey__maturity_rollup, int_survey__staff_group_rollup,
    int_training__uptake_rollup, int_training__staff_group_uptake_rollup,
    int_training__after_maturity_rollup): a measure of a unit is the measure over the unit and
    all its descendants in the org tree of the period (the closure of int_org__closure), and
    every unit of the period's tree has a row, also where nothing happened. They use the model's
    import CTEs by name: tree (int_org__tree_per_period), closure (int_org__closure) and
    headcount (int_hr__headcount_per_period).
-#}


{#-
    unit_grid: every unit of the org tree of each period of `periods` × every competence area
    ('1'..'5' and 'all'), with the columns of `periods` and the unit's attributes: the rows a
    roll-up fills (left joins), so a unit where nothing happened still gets its zeros.
    period_end_date: the column of `periods` holding the period's last day (the tree's period).
    with_headcount: also the unit's headcount (distinct people) and FTE over its subtree (0 when
    nobody), and hr_snapshot_month, the HR extract the period's headcount comes from.
-#}
{% macro unit_grid(periods, period_end_date, with_headcount=false) %}

    select
        {{ periods }}.*,
        tree.org_snapshot_month,
        tree.los_id,
        tree.parent_los_id,
        tree.is_root,
        tree.enhedsnavn,
        tree.enhedstype,
        tree.sektor,
        competence_areas.competence_area
        {%- if with_headcount %},
        coalesce(rolled_headcount.headcount, 0) as headcount,
        coalesce(rolled_headcount.fte, 0) as fte,
        hr_snapshot_used.hr_snapshot_month
        {%- endif %}
    from {{ periods }}
    inner join tree
        on tree.kommunekode = {{ periods }}.kommunekode
        and tree.period_end_date = {{ periods }}.{{ period_end_date }}
    cross join (
        {% for area in ['1', '2', '3', '4', '5', 'all'] -%}
        select '{{ area }}' as competence_area
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ) as competence_areas
    {%- if with_headcount %}
    left join (

        with headcount_in_periods as (

            select headcount.*
            from headcount
            inner join (select distinct kommunekode, {{ period_end_date }} from {{ periods }}) as grid_periods
                on grid_periods.kommunekode = headcount.kommunekode
                and grid_periods.{{ period_end_date }} = headcount.period_end_date

        )

        {{ subtree_totals('headcount_in_periods', counts={'headcount': 'count(distinct person_key)'}, sums={'fte': 'fte'}) }}

    ) as rolled_headcount
        on rolled_headcount.kommunekode = tree.kommunekode
        and rolled_headcount.period_end_date = tree.period_end_date
        and rolled_headcount.los_id = tree.los_id
    left join (

        select kommunekode, period_end_date, max(hr_snapshot_month) as hr_snapshot_month
        from headcount
        group by kommunekode, period_end_date

    ) as hr_snapshot_used
        on hr_snapshot_used.kommunekode = tree.kommunekode
        and hr_snapshot_used.period_end_date = tree.period_end_date
    {%- endif %}

{% endmacro %}


{#-
    at_ancestor_units: the rows of `relation` (each placed at a unit: kommunekode, los_id, and the
    period's last day in column `period_end_date`) once for their own unit and once for every
    unit above it in that period's tree, los_id being that unit: grouping by los_id then rolls
    a measure up over each unit's subtree.
-#}
{% macro at_ancestor_units(relation, period_end_date='period_end_date') %}

    select {{ relation }}.* replace (closure.ancestor_los_id as los_id)
    from {{ relation }}
    inner join closure
        on closure.kommunekode = {{ relation }}.kommunekode
        and closure.period_end_date = {{ relation }}.{{ period_end_date }}
        and closure.descendant_los_id = {{ relation }}.los_id

{% endmacro %}


{#-
    subtree_totals: measures of `relation` (rows placed at units: kommunekode, the period's last
    day in column `period_end_date`, los_id, and the person in column `person`: person_key, or
    respondent_id for survey answers) over each unit's subtree, as grouping
    at_ancestor_units(relation) by kommunekode, the period, los_id and `keys` would give them;
    a person placed in two units of a subtree counts once there.
    counts: {name: aggregate} of counts (count(*), count(distinct person_key), with filters),
    returned as bigint; sums: {name: column} of columns summed.
    distinct_rows: the rows at each unit are made distinct first (a completion placed at a
    person's two units is one completion in a unit above both).
    Why not simply at_ancestor_units: that places every row at every unit above it (rows × tree
    depth, tens of millions for a month of the nation) to count people once. Only people placed
    in several units of a period need that. Everyone else's figures can be counted at their unit
    and added up the tree; the counts of disjoint sets of people add up.
-#}
{% macro subtree_totals(
    relation, keys=[], counts={}, sums={}, period_end_date='period_end_date', person='person_key', distinct_rows=false
) %}
    {%- set groups = ['kommunekode', period_end_date] + keys -%}
    {%- set person_columns = ['kommunekode', period_end_date, person] -%}
    {%- set measures, totals = [], [] -%}
    {%- for name, aggregate in counts.items() -%}
        {%- do measures.append(aggregate ~ ' as ' ~ name) -%}
        {%- do totals.append('cast(sum(' ~ name ~ ') as bigint) as ' ~ name) -%}
    {%- endfor -%}
    {%- for name, column in sums.items() -%}
        {%- do measures.append('sum(' ~ column ~ ') as ' ~ name) -%}
        {%- do totals.append('sum(' ~ name ~ ') as ' ~ name) -%}
    {%- endfor -%}

    select * from (

    with people_in_several_units as (

        select {{ person_columns | join(', ') }}
        from {{ relation }}
        group by {{ person_columns | join(', ') }}
        having min(los_id) <> max(los_id)

    ),

    rows_by_placement as (

        select
            {{ relation }}.*,
            people_in_several_units.{{ person }} is not null as is_in_several_units
        from {{ relation }}
        left join people_in_several_units
            on {% for column in person_columns -%}
            people_in_several_units.{{ column }} = {{ relation }}.{{ column }}
            {%- if not loop.last %}
            and {% endif %}{% endfor %}

    ),

    -- people in one unit: counted at that unit, the units' figures then added up the tree
    at_own_unit as (

        select
            {{ (groups + ['los_id'] + measures) | join(',\n            ') }}
        from (
            select {{ "distinct " if distinct_rows }}* exclude (is_in_several_units)
            from rows_by_placement
            where not is_in_several_units
        ) as rows_in_one_unit
        group by {{ groups | join(', ') }}, los_id

    ),

    rows_in_several_units as (

        select * exclude (is_in_several_units)
        from rows_by_placement
        where is_in_several_units

    ),

    -- people in several units: placed at every unit above each post, counted once there
    at_ancestors as (

        select
            {{ (groups + ['los_id'] + measures) | join(',\n            ') }}
        from (
            select {{ "distinct " if distinct_rows }}*
            from ({{ at_ancestor_units('rows_in_several_units', period_end_date) }}) as placed_above
        ) as rows_at_ancestors
        group by {{ groups | join(', ') }}, los_id

    ),

    figures as (

        {{ at_ancestor_units('at_own_unit', period_end_date) }}

        union all

        select * from at_ancestors

    )

    select
        {{ (groups + ['los_id'] + totals) | join(',\n        ') }}
    from figures
    group by {{ groups | join(', ') }}, los_id

    ) as subtree_figures

{% endmacro %}


{#-
    in_area_and_all: the rows of `relation` (with a competence_area column: the area of the
    course, null for a course not in the catalogue) once in their area, when known, and once in
    'all': a completion counts in its course's area and in 'all'. `columns`: the columns kept
    besides competence_area. distinct: distinct rows only (a set, e.g. of people).
-#}
{% macro in_area_and_all(relation, columns, distinct=false) %}

    select {{ "distinct " if distinct }}{{ columns | join(', ') }}, competence_area
    from {{ relation }}
    where competence_area is not null

    {{ "union" if distinct else "union all" }}

    select {{ "distinct " if distinct }}{{ columns | join(', ') }}, 'all' as competence_area
    from {{ relation }}

{% endmacro %}


{#-
    maturity_measures: the maturity measures of digital_maturity over each unit's subtree, from
    `relation`: one row per respondent × area with its score, placed at the respondent's unit
    (kommunekode, wave, wave_end_date, los_id, respondent_id, competence_area, score and the
    columns of `by`). Grouped by kommunekode, wave, wave_end_date, los_id, competence_area and
    `by`: respondents, mean_score and the shares of basic (score < 2.5) and advanced
    (score >= 4.0) respondents. One definition for digital_maturity and
    digital_maturity_by_staff_group, so their figures always agree. The sums and counts are
    rolled up (subtree_totals) and divided afterwards: an average of averages would weigh units,
    not respondents.
-#}
{% macro maturity_measures(relation, by=[]) %}

    select
        kommunekode,
        wave_end_date,
        {% for key in ['wave', 'competence_area'] + by %}{{ key }},
        {% endfor -%}
        los_id,
        respondents,
        score_total / nullif(scored_respondents, 0) as mean_score,
        cast(basic_respondents as double precision) / respondents as share_basic,
        cast(advanced_respondents as double precision) / respondents as share_advanced
    from ({{ subtree_totals(
        relation,
        keys=['wave', 'competence_area'] + by,
        counts={
            'respondents': 'count(*)',
            'scored_respondents': 'count(score)',
            'basic_respondents': 'count(*) filter (where score < 2.5)',
            'advanced_respondents': 'count(*) filter (where score >= 4.0)'
        },
        sums={'score_total': 'score'},
        period_end_date='wave_end_date',
        person='respondent_id'
    ) }}) as totals

{% endmacro %}


{#-
    staff_group_posts: the headcount of each period of `periods` (its last day in column
    `period_end_date`) with each post's staff group (personalekategori of the HR extract in use;
    null when it has none), at the post's unit: subtree_totals counting distinct person_key by
    personalekategori gives a staff group's headcount rolled up over the tree. Uses the import
    CTEs headcount and employee_snapshots.
-#}
{% macro staff_group_posts(periods, period_end_date) %}

    select
        headcount.kommunekode,
        headcount.period_end_date,
        headcount.los_id,
        headcount.person_key,
        employee_snapshots.personalekategori
    from headcount
    inner join (select distinct kommunekode, {{ period_end_date }} from {{ periods }}) as period_ends
        on period_ends.kommunekode = headcount.kommunekode
        and period_ends.{{ period_end_date }} = headcount.period_end_date
    left join employee_snapshots
        on employee_snapshots.kommunekode = headcount.kommunekode
        and employee_snapshots.snapshot_month = headcount.hr_snapshot_month
        and employee_snapshots.person_key = headcount.person_key
        and employee_snapshots.los_id = headcount.los_id

{% endmacro %}


{#-
    completions_12m: for each month of `months` (kommunekode, completion_month, period_end_date),
    the completions of `completions` in the 12 months ending with it (the window of coverage_12m),
    with the month's period_end_date and the completion's `columns`.
-#}
{% macro completions_12m(months, completions, columns) %}

    select
        {{ months }}.kommunekode,
        {{ months }}.period_end_date,
        {% for column in columns %}{{ completions }}.{{ column }}{{ ", " if not loop.last }}{% endfor %}
    from {{ months }}
    inner join {{ completions }}
        on {{ completions }}.kommunekode = {{ months }}.kommunekode
        and {{ completions }}.completion_month <= {{ months }}.completion_month
        and {{ completions }}.completion_month
        > cast({{ dbt.dateadd('month', -12, months ~ '.completion_month') }} as date)

{% endmacro %}
