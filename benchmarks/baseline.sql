-- The limit: plain DuckDB (no Dagster, Great Expectations or dbt) reading the landing files and computing
-- marts.digital_maturity as the contract defines it (training_uptake and benefit_realisation have no baseline yet).
--
-- benchmarks/baseline.py substitutes {files} with a folder holding the landing files in forms DuckDB reads
-- directly: every CSV transcoded to UTF-8 (delimiters, dates and decimal commas as delivered), SurveyXact
-- ZIPs unpacked to <name>.dataset.csv / <name>.labels.csv, XLSX sheets written as CSV. Anything a source
-- lacks reads as an empty table: a `-- section <glob>` whose glob matches no file is left out, and
-- {..._absent_columns} add, as nulls, optional columns no file of a dialect has. The benchmark times this script and checks that
-- its table equals the pipeline's mart (contract columns), so the limit computes the same thing.
-- No pseudonymisation is needed here: people are counted by their employee number within a municipality.

-- ------------------------------------------------------------------------------------------ helpers
create or replace macro dk_date(text) as coalesce(
    try_strptime(trim(text), '%d-%m-%Y'), try_strptime(trim(text), '%d.%m.%Y'), try_strptime(trim(text), '%Y-%m-%d')
)::date;
create or replace macro dk_timestamp(text) as coalesce(
    try_strptime(trim(text), '%d-%m-%Y %H:%M:%S'), try_strptime(trim(text), '%d.%m.%Y %H:%M:%S'),
    try_strptime(trim(text), '%Y-%m-%d %H:%M:%S'), try_cast(trim(text) as timestamp)
);
-- 0,8 / 1.234,5 (decimal comma) or 0.8 (decimal point)
create or replace macro dk_number(text) as case
    when text like '%,%' then try_cast(replace(replace(trim(text), '.', ''), ',', '.') as double)
    else try_cast(trim(text) as double) end;
create or replace macro answer_value(text) as case lower(trim(text))
    when '1' then 1 when '2' then 2 when '3' then 3 when '4' then 4 when '5' then 5
    when 'helt uenig' then 1 when 'uenig' then 2 when 'hverken enig eller uenig' then 3
    when 'enig' then 4 when 'helt enig' then 5 end;
-- the key a survey or training reference is matched on: e-mails regardless of case and spaces
create or replace macro ref_key(text) as case
    when trim(coalesce(text, '')) = '' then null
    when text like '%@%' then lower(trim(text))
    else trim(text) end;
create or replace macro file_part(path, n) as split_part(regexp_extract(path, '[^/]+$'), '_', n);
create or replace macro min_cell() as {min_cell};

-- ------------------------------------------------------------------------------------------ HR and org
create or replace table org_units as
select
    file_part(filename, 4) as kommunekode,
    cast(left(file_part(filename, 5), 7) || '-01' as date) as snapshot_month,
    trim(los_id) as los_id,
    nullif(trim(parent_los_id), '') as parent_los_id,
    dk_date(gyldig_fra) as gyldig_fra,
    dk_date(nullif(trim(gyldig_til), '')) as gyldig_til
from read_csv('{files}/hr_org_units_*.csv', all_varchar = true, union_by_name = true, filename = true);

create or replace table employees as
select
    file_part(filename, 3) as kommunekode,
    cast(left(file_part(filename, 4), 7) || '-01' as date) as snapshot_month,
    trim(medarbejdernr) as medarbejdernr,
    lower(trim(email)) as email,
    trim(los_id) as los_id,
    dk_number(beskaeftigelsesgrad) as fte,
    dk_date(nullif(trim(ansat_fra), '')) as ansat_fra,
    dk_date(nullif(trim(ansat_til), '')) as ansat_til
from read_csv('{files}/hr_employees_*.csv', all_varchar = true, union_by_name = true, filename = true);

-- ------------------------------------------------------------------------------------------ surveys
create or replace table items as
select
    file_part(filename, 3) as kommunekode,
    upper(left(file_part(filename, 4), 6)) as wave,
    trim(item_id) as item_id,
    trim(question_text) as question_text,
    left(trim(competence_code), 1) as competence_area,
    trim(reverse_scored) in ('1', 'true', 'True') as reverse_scored
from read_csv('{files}/survey_items_*.csv', all_varchar = true, union_by_name = true, filename = true);

-- every dialect gives rows of these two shapes; a dialect whose files are absent leaves them empty
create or replace table responses (
    kommunekode varchar, wave varchar, respondent_id varchar, ref_key varchar, los_id varchar,
    submitted_at timestamp, is_response boolean, row_order bigint
);
create or replace table answers (kommunekode varchar, wave varchar, respondent_id varchar, item_id varchar, answer integer);

-- section survey_responses_*.flat.csv
-- flat: respondent_id, employee_ref?, los_id, submitted_at?, Q01.. (wide); without timestamps the later row wins
create or replace table flat_wide as
select *{flat_absent_columns}, row_number() over () as row_order
from read_csv('{files}/survey_responses_*.flat.csv', all_varchar = true, union_by_name = true, filename = true);

insert into responses
select file_part(filename, 3), upper(left(file_part(filename, 4), 6)), trim(respondent_id), ref_key(employee_ref),
    trim(los_id), dk_timestamp(nullif(trim(submitted_at), '')), true, row_order
from flat_wide;

insert into answers
select kommunekode, wave, respondent_id, item_id, answer_value(raw_answer)
from (
    unpivot (
        select file_part(filename, 3) as kommunekode, upper(left(file_part(filename, 4), 6)) as wave,
            trim(respondent_id) as respondent_id, columns('^Q[0-9]+$')
        from flat_wide
    ) on columns('^Q[0-9]+$') into name item_id value raw_answer
)
where answer_value(raw_answer) is not null;
-- end section

-- section survey_responses_*.qualtrics.csv
-- Qualtrics: three header rows (ids, question texts, ImportIds: the last two read as data and dropped);
-- Status and Finished as labels or codes; previews, tests, spam and unfinished rows are not responses
create or replace table qualtrics_wide as
select *, row_number() over () as row_order
from read_csv('{files}/survey_responses_*.qualtrics.csv', all_varchar = true, union_by_name = true, filename = true);

delete from qualtrics_wide where ResponseId not like 'R\_%' escape '\';

insert into responses
select file_part(filename, 3), upper(left(file_part(filename, 4), 6)), trim(ResponseId),
    ref_key(ExternalReference), trim(los_id), dk_timestamp(EndDate),
    trim(Status) in ('IP Address', '0', 'Imported', '4', 'Offline', '16', 'EX', '32', 'EX Offline', '48')
        and lower(trim(Finished)) in ('true', '1'),
    row_order
from qualtrics_wide;

insert into answers
select kommunekode, wave, respondent_id, item_id, answer_value(raw_answer)
from (
    unpivot (
        select file_part(filename, 3) as kommunekode, upper(left(file_part(filename, 4), 6)) as wave,
            trim(ResponseId) as respondent_id, columns('^Q[0-9]+$')
        from qualtrics_wide
    ) on columns('^Q[0-9]+$') into name item_id value raw_answer
)
where answer_value(raw_answer) is not null;
-- end section

-- section survey_responses_*.dataset.csv
-- SurveyXact: dataset.csv holds codes, labels.csv (no header) what each code of each variable means
create or replace table surveyxact_wide as
select *{surveyxact_absent_columns}, row_number() over () as row_order
from read_csv('{files}/survey_responses_*.dataset.csv', all_varchar = true, union_by_name = true, filename = true);

create or replace table surveyxact_labels as
select file_part(filename, 3) as kommunekode, upper(left(file_part(filename, 4), 6)) as wave,
    trim(column0) as item_id, trim(column1) as code, column2 as label
from read_csv('{files}/survey_responses_*.labels.csv', all_varchar = true, header = false, filename = true);

insert into responses
select file_part(filename, 3), upper(left(file_part(filename, 4), 6)), trim(respondentid), ref_key(employee_ref),
    trim(los_id), dk_timestamp(nullif(trim(closetime), '')), true, row_order
from surveyxact_wide;

insert into answers
select codes.kommunekode, codes.wave, codes.respondent_id, codes.item_id, answer_value(labels.label)
from (
    unpivot (
        select file_part(filename, 3) as kommunekode, upper(left(file_part(filename, 4), 6)) as wave,
            trim(respondentid) as respondent_id, columns('^Q[0-9]+$')
        from surveyxact_wide
    ) on columns('^Q[0-9]+$') into name item_id value code
) codes
join surveyxact_labels labels on labels.kommunekode = codes.kommunekode and labels.wave = codes.wave
    and labels.item_id = codes.item_id and labels.code = trim(codes.code)
where answer_value(labels.label) is not null;
-- end section

-- section survey_responses_*.forms.csv
-- Microsoft Forms: one column per question, titled with its text (matched to the catalogue, case and spaces ignored)
create or replace table forms_wide as
select *, row_number() over () as row_order
from read_csv('{files}/survey_responses_*.forms.csv', all_varchar = true, union_by_name = true, filename = true);

insert into responses
select file_part(filename, 3), upper(left(file_part(filename, 4), 6)), trim(ID), ref_key(Email), trim(los_id),
    dk_timestamp("Completion time"), true, row_order
from forms_wide;

insert into answers
select cells.kommunekode, cells.wave, cells.respondent_id, items.item_id, answer_value(cells.raw_answer)
from (
    unpivot (
        select file_part(filename, 3) as kommunekode, upper(left(file_part(filename, 4), 6)) as wave,
            trim(ID) as respondent_id, * exclude (filename, ID, "Start time", "Completion time", Email, Name, los_id, row_order)
        from forms_wide
    ) on columns(* exclude (kommunekode, wave, respondent_id)) into name question value raw_answer
) cells
join items on items.kommunekode = cells.kommunekode and items.wave = cells.wave
    and lower(regexp_replace(trim(items.question_text), '\s+', ' ', 'g'))
        = lower(regexp_replace(trim(cells.question), '\s+', ' ', 'g'))
where answer_value(cells.raw_answer) is not null;
-- end section

-- ------------------------------------------------------------------------------------------ periods
create or replace table waves as
select distinct
    kommunekode,
    wave,
    cast(left(wave, 4) || case when right(wave, 2) = 'H1' then '-06-30' else '-12-31' end as date) as period_end_date,
    case when right(wave, 2) = 'H2' then left(wave, 4) || 'H1'
        else cast(cast(left(wave, 4) as integer) - 1 as varchar) || 'H2' end as previous_wave
from responses;

-- the org tree of a period: the extract of its month or else the newest earlier one, units valid that day
create or replace table wave_trees as
with used as (
    select w.kommunekode, w.period_end_date, max(o.snapshot_month) as snapshot_month
    from waves w join (select distinct kommunekode, snapshot_month from org_units) o
        on o.kommunekode = w.kommunekode and o.snapshot_month <= date_trunc('month', w.period_end_date)
    group by all
)
select used.kommunekode, used.period_end_date, u.los_id, u.parent_los_id
from used join org_units u on u.kommunekode = used.kommunekode and u.snapshot_month = used.snapshot_month
where (u.gyldig_fra is null or u.gyldig_fra <= used.period_end_date)
    and (u.gyldig_til is null or u.gyldig_til >= used.period_end_date);

create or replace table wave_closure as
with recursive walk (kommunekode, period_end_date, ancestor, descendant, depth) as (
    select kommunekode, period_end_date, los_id, los_id, 0 from wave_trees
    union all
    select walk.kommunekode, walk.period_end_date, walk.ancestor, child.los_id, walk.depth + 1
    from walk join wave_trees child
        on child.kommunekode = walk.kommunekode and child.period_end_date = walk.period_end_date
        and child.parent_los_id = walk.descendant
    where walk.depth < 50
)
select kommunekode, period_end_date, ancestor, descendant from walk;

-- headcount: the HR extract of the period's month or else the newest earlier one; employed on the day
create or replace table wave_headcount as
with used as (
    select w.kommunekode, w.period_end_date, max(e.snapshot_month) as snapshot_month
    from waves w join (select distinct kommunekode, snapshot_month from employees) e
        on e.kommunekode = w.kommunekode and e.snapshot_month <= date_trunc('month', w.period_end_date)
    group by all
),
employed as (
    select distinct used.kommunekode, used.period_end_date, e.medarbejdernr, e.los_id
    from used join employees e on e.kommunekode = used.kommunekode and e.snapshot_month = used.snapshot_month
    where (e.ansat_fra is null or e.ansat_fra <= used.period_end_date)
        and (e.ansat_til is null or e.ansat_til >= used.period_end_date)
)
select c.kommunekode, c.period_end_date, c.ancestor as los_id, count(distinct employed.medarbejdernr) as headcount
from employed join wave_closure c
    on c.kommunekode = employed.kommunekode and c.period_end_date = employed.period_end_date
    and c.descendant = employed.los_id
group by all;

-- ------------------------------------------------------------------------------------------ digital_maturity
create or replace table respondents as
select * from (
    select r.*, w.period_end_date,
        row_number() over (
            partition by r.kommunekode, r.wave, coalesce(r.ref_key, '#' || r.respondent_id)
            order by r.submitted_at desc nulls last, r.row_order desc
        ) as submission_rank
    from responses r join waves w on w.kommunekode = r.kommunekode and w.wave = r.wave
    where r.is_response
)
where submission_rank = 1;

create or replace table respondent_scores as
with totals as (
    select a.kommunekode, a.wave, a.respondent_id, i.competence_area,
        sum(case when i.reverse_scored then 6 - a.answer else a.answer end) as total, count(*) as answered
    from answers a
    join respondents r on r.kommunekode = a.kommunekode and r.wave = a.wave and r.respondent_id = a.respondent_id
    join items i on i.kommunekode = a.kommunekode and i.wave = a.wave and i.item_id = a.item_id
    group by all
)
select kommunekode, wave, respondent_id, competence_area, total / answered as score from totals
union all
select kommunekode, wave, respondent_id, 'all', sum(total) / sum(answered) from totals group by all;

create or replace table maturity_rows as
with rolled as (
    select r.kommunekode, r.wave, c.ancestor as los_id, s.competence_area,
        count(*) as respondents, avg(s.score) as mean_score,
        avg(case when s.score < 2.5 then 1.0 else 0.0 end) as share_basic,
        avg(case when s.score >= 4.0 then 1.0 else 0.0 end) as share_advanced
    from respondent_scores s
    join respondents r on r.kommunekode = s.kommunekode and r.wave = s.wave and r.respondent_id = s.respondent_id
    join wave_closure c on c.kommunekode = r.kommunekode and c.period_end_date = r.period_end_date
        and c.descendant = r.los_id
    group by all
),
grid as (
    select w.kommunekode, w.wave, w.previous_wave, t.los_id, t.parent_los_id, a.competence_area,
        coalesce(h.headcount, 0) as headcount
    from waves w
    join wave_trees t on t.kommunekode = w.kommunekode and t.period_end_date = w.period_end_date
    cross join (values ('1'), ('2'), ('3'), ('4'), ('5'), ('all')) a(competence_area)
    left join wave_headcount h on h.kommunekode = w.kommunekode and h.period_end_date = w.period_end_date
        and h.los_id = t.los_id
)
select grid.*, coalesce(rolled.respondents, 0) as respondents,
    rolled.mean_score, rolled.share_basic, rolled.share_advanced
from grid left join rolled using (kommunekode, wave, los_id, competence_area);

-- small cells: a row of fewer than min_cell respondents is hidden, and so is, for each published unit
-- whose respondents minus those of its published sub-units form a group of 1..min_cell-1, one sub-unit
-- (the one with a remainder of its own and the fewest respondents; else the smallest, with its subtree);
-- a negative remainder (people counted twice below) hides every unit below.
create or replace table maturity_hidden as
with recursive
nodes as (
    select r.kommunekode, r.wave, r.competence_area, r.los_id, parent.los_id as parent, r.respondents as population,
        r.respondents < min_cell() as is_small
    from maturity_rows r
    left join maturity_rows parent on parent.kommunekode = r.kommunekode and parent.wave = r.wave
        and parent.competence_area = r.competence_area and parent.los_id = r.parent_los_id
),
published_children as (
    select kommunekode, wave, competence_area, parent, sum(population) as children
    from nodes where not is_small and parent is not null group by all
),
published as (
    select nodes.*, nodes.population - coalesce(c.children, 0) as remainder
    from nodes
    left join published_children c on c.kommunekode = nodes.kommunekode and c.wave = nodes.wave
        and c.competence_area = nodes.competence_area and c.parent = nodes.los_id
    where not nodes.is_small
),
chosen as (
    select child.kommunekode, child.wave, child.competence_area, child.los_id, child.remainder <> 0 as alone
    from published unit
    join published child on child.kommunekode = unit.kommunekode and child.wave = unit.wave
        and child.competence_area = unit.competence_area and child.parent = unit.los_id
    where unit.remainder > 0 and unit.remainder < min_cell()
    qualify row_number() over (
        partition by unit.kommunekode, unit.wave, unit.competence_area, unit.los_id
        order by child.remainder = 0, child.population, child.los_id
    ) = 1
),
hidden_subtrees as (
    select kommunekode, wave, competence_area, los_id from chosen where not alone
    union
    select child.kommunekode, child.wave, child.competence_area, child.los_id
    from published unit
    join nodes child on child.kommunekode = unit.kommunekode and child.wave = unit.wave
        and child.competence_area = unit.competence_area and child.parent = unit.los_id
    where unit.remainder < 0
    union
    select child.kommunekode, child.wave, child.competence_area, child.los_id
    from hidden_subtrees hidden
    join nodes child on child.kommunekode = hidden.kommunekode and child.wave = hidden.wave
        and child.competence_area = hidden.competence_area and child.parent = hidden.los_id
)
select kommunekode, wave, competence_area, los_id from nodes where is_small
union
select kommunekode, wave, competence_area, los_id from chosen where alone
union
select kommunekode, wave, competence_area, los_id from hidden_subtrees;

create or replace table digital_maturity as
with published as (
    select m.*, h.los_id is not null as suppressed
    from maturity_rows m
    left join maturity_hidden h using (kommunekode, wave, competence_area, los_id)
)
select
    cur.kommunekode, cur.wave, cur.los_id, cur.competence_area, cur.respondents, cur.headcount,
    cur.respondents / nullif(cur.headcount, 0) as response_rate,
    case when not cur.suppressed then cur.mean_score end as mean_score,
    case when not cur.suppressed then cur.share_basic end as share_basic,
    case when not cur.suppressed then cur.share_advanced end as share_advanced,
    case when not cur.suppressed and not prev.suppressed then prev.mean_score end as prev_mean_score,
    case when not cur.suppressed and not prev.suppressed then cur.mean_score - prev.mean_score end as change,
    cur.suppressed
from published cur
left join published prev on prev.kommunekode = cur.kommunekode and prev.wave = cur.previous_wave
    and prev.los_id = cur.los_id and prev.competence_area = cur.competence_area;
