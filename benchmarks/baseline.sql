-- The limit: plain DuckDB (no Dagster, Great Expectations or dbt) reading the landing files and computing the
-- three marts of the contract (§5): digital_maturity, training_uptake and benefit_realisation.
--
-- benchmarks/baseline.py substitutes {files} with a folder holding the landing files in forms DuckDB reads
-- directly: every CSV transcoded to UTF-8 (delimiters, dates and decimal commas as delivered), SurveyXact
-- ZIPs unpacked to <name>.dataset.csv / <name>.labels.csv, XLSX sheets written as CSV (<name>.<sheet>.xlsx.csv),
-- xAPI JSONL as delivered. Anything a source lacks reads as an empty table: a `-- section <glob>` whose glob
-- matches no file is left out, and {..._absent_columns} add, as nulls, optional columns no file of a kind has.
-- The benchmark times this script and checks, row by row on the contract's columns, that its tables equal the
-- pipeline's marts, so the limit computes the same thing.
-- No pseudonymisation is needed here: a person is their employee number within a municipality (the contract's
-- person_key is an HMAC of exactly that pair), and survey and training references are linked to it through
-- the HR extracts as the contract says (§4).

-- ------------------------------------------------------------------------------------------ helpers
-- an xAPI timestamp without a UTC offset is UTC (xAPI 1.0.3 §4.6)
set TimeZone = 'UTC';
create or replace macro dk_date(text) as coalesce(
    try_strptime(trim(text), '%d-%m-%Y'), try_strptime(trim(text), '%d.%m.%Y'), try_strptime(trim(text), '%Y-%m-%d'),
    try_strptime(trim(text), '%Y-%m-%d %H:%M:%S')  -- an XLSX date cell written as CSV
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
-- the municipality and the period a file's name gives: <source>_<kommunekode>_<period>...
create or replace macro file_kommunekode(path) as regexp_extract(regexp_extract(path, '[^/]+$'), '_(\d{4})[_.]', 1);
create or replace macro file_month(path) as
    cast(regexp_extract(regexp_extract(path, '[^/]+$'), '_(\d{4}-\d{2})[-_.]', 1) || '-01' as date);
create or replace macro file_date(path) as
    cast(regexp_extract(regexp_extract(path, '[^/]+$'), '_(\d{4}-\d{2}-\d{2})[_.]', 1) as date);
create or replace macro min_cell() as {min_cell};

-- ------------------------------------------------------------------------------------------ HR and org
create or replace table org_units as
select
    file_kommunekode(filename) as kommunekode,
    file_month(filename) as snapshot_month,
    trim(los_id) as los_id,
    nullif(trim(parent_los_id), '') as parent_los_id,
    dk_date(gyldig_fra) as gyldig_fra,
    dk_date(nullif(trim(gyldig_til), '')) as gyldig_til
from read_csv('{files}/hr_org_units_*.csv', all_varchar = true, union_by_name = true, filename = true);

create or replace table employees as
select
    file_kommunekode(filename) as kommunekode,
    file_month(filename) as snapshot_month,
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

-- ------------------------------------------------------------------------------------------ training
-- the course catalogue: each course's row of the newest catalogue file that lists it
create or replace table courses (kommunekode varchar, course_id varchar, competence_area varchar, nominal_hours double);
-- every record of both forms: the employee number as given (LMS), the e-mail without case and surrounding spaces,
-- hours as recorded (LMS) or the statement's duration in hours (xAPI; 0 when absent)
create or replace table training_records (
    kommunekode varchar, file_month date, medarbejdernr varchar, email varchar, course_id varchar,
    is_completion boolean, completed_local timestamp, hours double
);

-- section courses_*.csv
insert into courses
select file_kommunekode(filename), trim(course_id), left(trim(competence_code), 1), dk_number(nominal_hours)
from read_csv('{files}/courses_*.csv', all_varchar = true, union_by_name = true, filename = true)
qualify row_number() over (partition by file_kommunekode(filename), trim(course_id) order by filename desc) = 1;
-- end section

-- section training_*.csv
-- LMS completion report: `user_email` and/or `medarbejdernr`; status as text (case and spacing ignored);
-- completed_at in Copenhagen wall-clock time; a completion without it counts in the file's month
insert into training_records
select file_kommunekode(filename), file_month(filename), nullif(trim(medarbejdernr), ''),
    nullif(lower(trim(user_email)), ''), trim(course_id),
    regexp_replace(lower(trim(status)), '[\s-]+', '_', 'g') = 'completed',
    dk_timestamp(nullif(trim(completed_at), '')), dk_number(nullif(trim(hours), ''))
from (
    select *{training_csv_absent_columns}
    from read_csv('{files}/training_*.csv', all_varchar = true, union_by_name = true, filename = true)
);
-- end section

-- section training_*.jsonl
-- xAPI: only the verb `completed` counts; the course is object.id's last segment; the month is the timestamp's
-- in Europe/Copenhagen time; hours from result.duration (weeks, days, hours, minutes, seconds)
insert into training_records
select file_kommunekode(filename), file_month(filename), null,
    nullif(lower(trim(regexp_replace(trim(json ->> '$.actor.mbox'), '^mailto:', '', 'i'))), ''),
    regexp_extract(trim(json ->> '$.object.id'), '([^/]+)$', 1),
    trim(json ->> '$.verb.id') = 'http://adlnet.gov/expapi/verbs/completed',
    timezone('Europe/Copenhagen', cast(trim(json ->> '$.timestamp') as timestamptz)),
    coalesce(try_cast(replace(duration.w, ',', '.') as double), 0) * 168
        + coalesce(try_cast(replace(duration.d, ',', '.') as double), 0) * 24
        + coalesce(try_cast(replace(duration.h, ',', '.') as double), 0)
        + coalesce(try_cast(replace(duration.m, ',', '.') as double), 0) / 60
        + coalesce(try_cast(replace(duration.s, ',', '.') as double), 0) / 3600
from (
    select *, regexp_extract(
        trim(json ->> '$.result.duration'),
        '^P(?:([0-9.,]+)W)?(?:([0-9.,]+)D)?(?:T(?:([0-9.,]+)H)?(?:([0-9.,]+)M)?(?:([0-9.,]+)S)?)?$',
        ['w', 'd', 'h', 'm', 's']
    ) as duration
    from read_ndjson_objects('{files}/training_*.jsonl', filename = true)
);
-- end section

-- a person is linked by an employee number seen in any HR extract of the municipality, else by an e-mail seen
-- there (the person of the newest extract that lists it); the rest are unlinked, counted by the pipeline
create or replace table email_owners as
select kommunekode, email, medarbejdernr
from employees
where email is not null and email <> ''
qualify row_number() over (partition by kommunekode, email order by snapshot_month desc, medarbejdernr) = 1;

-- completions: one per person x course x month, with the hours of its latest record (ties: the larger hours);
-- hours = the record's, else the xAPI duration, else the course's nominal hours (0 = not recorded)
create or replace table completions as
with records as (
    select r.kommunekode, coalesce(date_trunc('month', r.completed_local), r.file_month)::date as month,
        case when known.medarbejdernr is not null then known.medarbejdernr else owner.medarbejdernr end as person,
        r.course_id, c.competence_area, r.completed_local,
        coalesce(nullif(r.hours, 0), c.nominal_hours, 0) as hours
    from training_records r
    left join (select distinct kommunekode, medarbejdernr from employees) known
        on known.kommunekode = r.kommunekode and known.medarbejdernr = r.medarbejdernr
    left join email_owners owner on owner.kommunekode = r.kommunekode and owner.email = r.email
    left join courses c on c.kommunekode = r.kommunekode and c.course_id = r.course_id
    where r.is_completion
)
select * exclude (completed_local)
from records
qualify person is null or row_number() over (
    partition by kommunekode, person, course_id, month order by completed_local desc nulls last, hours desc
) = 1;


-- ------------------------------------------------------------------------------------------ periods
create or replace table waves as
select distinct
    kommunekode,
    wave,
    cast(left(wave, 4) || case when right(wave, 2) = 'H1' then '-06-30' else '-12-31' end as date) as period_end_date,
    case when right(wave, 2) = 'H2' then left(wave, 4) || 'H1'
        else cast(cast(left(wave, 4) as integer) - 1 as varchar) || 'H2' end as previous_wave
from responses;

-- training: each month in which a completion happened (linked or not)
create or replace table training_months as
select distinct kommunekode, month, last_day(month) as period_end_date from completions;

-- every period a mart reports on, by its last day: the waves' and the training months'
create or replace table periods as
select kommunekode, period_end_date from waves
union
select kommunekode, period_end_date from training_months;

-- the org tree of a period: the extract of its month or else the newest earlier one, units valid that day
create or replace table period_trees as
with used as (
    select p.kommunekode, p.period_end_date, max(o.snapshot_month) as snapshot_month
    from periods p join (select distinct kommunekode, snapshot_month from org_units) o
        on o.kommunekode = p.kommunekode and o.snapshot_month <= date_trunc('month', p.period_end_date)
    group by all
)
select used.kommunekode, used.period_end_date, u.los_id, u.parent_los_id
from used join org_units u on u.kommunekode = used.kommunekode and u.snapshot_month = used.snapshot_month
where (u.gyldig_fra is null or u.gyldig_fra <= used.period_end_date)
    and (u.gyldig_til is null or u.gyldig_til >= used.period_end_date);

create or replace table period_closure as
with recursive walk (kommunekode, period_end_date, ancestor, descendant, depth) as (
    select kommunekode, period_end_date, los_id, los_id, 0 from period_trees
    union all
    select walk.kommunekode, walk.period_end_date, walk.ancestor, child.los_id, walk.depth + 1
    from walk join period_trees child
        on child.kommunekode = walk.kommunekode and child.period_end_date = walk.period_end_date
        and child.parent_los_id = walk.descendant
    where walk.depth < 50
)
select kommunekode, period_end_date, ancestor, descendant from walk;

-- the HR snapshot of a period: the extract of its month or else the newest earlier one; every post it lists
create or replace table period_posts as
with used as (
    select p.kommunekode, p.period_end_date, max(e.snapshot_month) as snapshot_month
    from periods p join (select distinct kommunekode, snapshot_month from employees) e
        on e.kommunekode = p.kommunekode and e.snapshot_month <= date_trunc('month', p.period_end_date)
    group by all
)
select distinct used.kommunekode, used.period_end_date, e.medarbejdernr, e.los_id, e.fte,
    (e.ansat_fra is null or e.ansat_fra <= used.period_end_date)
        and (e.ansat_til is null or e.ansat_til >= used.period_end_date) as employed
from used join employees e on e.kommunekode = used.kommunekode and e.snapshot_month = used.snapshot_month;

-- headcount and fte (rolled up): the posts of people employed on the period's last day
create or replace table period_headcount as
select c.kommunekode, c.period_end_date, c.ancestor as los_id,
    count(distinct p.medarbejdernr) as headcount, sum(p.fte) as fte
from period_posts p join period_closure c
    on c.kommunekode = p.kommunekode and c.period_end_date = p.period_end_date and c.descendant = p.los_id
where p.employed
group by all;

-- ------------------------------------------------------------------------------------------ digital_maturity
-- one person answering twice in a wave counts once: the same employee_ref, or, linked through the HR extracts
-- (as training records are), the same person (contract §4); the later submission wins
create or replace table respondents as
select * from (
    select r.*, w.period_end_date,
        row_number() over (
            partition by r.kommunekode, r.wave, case
                when known.medarbejdernr is not null then 'person:' || known.medarbejdernr
                when owner.medarbejdernr is not null then 'person:' || owner.medarbejdernr
                when r.ref_key is not null then 'ref:' || r.ref_key
                else 'anonymous:' || r.respondent_id end
            order by r.submitted_at desc nulls last, r.row_order desc
        ) as submission_rank
    from responses r
    join waves w on w.kommunekode = r.kommunekode and w.wave = r.wave
    left join (select distinct kommunekode, medarbejdernr from employees) known
        on known.kommunekode = r.kommunekode and known.medarbejdernr = r.ref_key
    left join email_owners owner on owner.kommunekode = r.kommunekode and owner.email = r.ref_key
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
    join period_closure c on c.kommunekode = r.kommunekode and c.period_end_date = r.period_end_date
        and c.descendant = r.los_id
    group by all
),
grid as (
    select w.kommunekode, w.wave, w.previous_wave, t.los_id, t.parent_los_id, a.competence_area,
        coalesce(h.headcount, 0) as headcount
    from waves w
    join period_trees t on t.kommunekode = w.kommunekode and t.period_end_date = w.period_end_date
    cross join (values ('1'), ('2'), ('3'), ('4'), ('5'), ('all')) a(competence_area)
    left join period_headcount h on h.kommunekode = w.kommunekode and h.period_end_date = w.period_end_date
        and h.los_id = t.los_id
)
select grid.*, coalesce(rolled.respondents, 0) as respondents,
    rolled.mean_score, rolled.share_basic, rolled.share_advanced
from grid left join rolled using (kommunekode, wave, los_id, competence_area);


-- ------------------------------------------------------------------------------------------ training_uptake
-- a trained person sits at their los_id(s) in the HR snapshot of the completion month, whatever their
-- employment dates; unlinked completions, and people the snapshot does not list, are in no row
create or replace table placed_completions as
select distinct c.kommunekode, c.month, closure.ancestor as los_id, c.person, c.course_id, c.competence_area, c.hours
from completions c
join training_months m on m.kommunekode = c.kommunekode and m.month = c.month
join period_posts p on p.kommunekode = c.kommunekode and p.period_end_date = m.period_end_date
    and p.medarbejdernr = c.person
join period_closure closure on closure.kommunekode = c.kommunekode
    and closure.period_end_date = m.period_end_date and closure.descendant = p.los_id;

create or replace table areas as select * from (values ('1'), ('2'), ('3'), ('4'), ('5'), ('all')) a(competence_area);

create or replace table training_rows as
with grid as (
    select m.kommunekode, m.month, m.period_end_date, t.los_id, t.parent_los_id, a.competence_area,
        coalesce(h.headcount, 0) as headcount, coalesce(h.fte, 0) as fte
    from training_months m
    join period_trees t on t.kommunekode = m.kommunekode and t.period_end_date = m.period_end_date
    cross join areas a
    left join period_headcount h on h.kommunekode = m.kommunekode and h.period_end_date = m.period_end_date
        and h.los_id = t.los_id
),
-- the same person x course counts once in a unit (also with posts in two of its sub-units)
month_totals as (
    select p.kommunekode, p.month, p.los_id, a.competence_area,
        count(*) as completions, count(distinct p.person) as people_trained, sum(p.hours) as training_hours
    from placed_completions p
    join areas a on a.competence_area = 'all' or a.competence_area = p.competence_area
    group by all
),
-- coverage: people of the month's headcount with a completion in the area in the 12 months ending with it
-- (wherever they sat then)
trained_12m as (
    select m.kommunekode, m.month, a.competence_area, c.person
    from training_months m
    join completions c on c.kommunekode = m.kommunekode and c.person is not null
        and c.month between m.month - interval 11 month and m.month
    join areas a on a.competence_area = 'all' or a.competence_area = c.competence_area
    group by all
),
-- the units each person of the month's headcount counts in (once, also with posts in two sub-units)
headcount_units as (
    select distinct m.kommunekode, m.month, p.medarbejdernr as person, closure.ancestor as los_id
    from training_months m
    join period_posts p on p.kommunekode = m.kommunekode and p.period_end_date = m.period_end_date and p.employed
    join period_closure closure on closure.kommunekode = m.kommunekode
        and closure.period_end_date = m.period_end_date and closure.descendant = p.los_id
),
covered as (
    select u.kommunekode, u.month, u.los_id, t.competence_area, count(*) as people_trained_12m
    from trained_12m t
    join headcount_units u on u.kommunekode = t.kommunekode and u.month = t.month and u.person = t.person
    group by all
)
select grid.*,
    coalesce(totals.completions, 0) as completions,
    coalesce(totals.people_trained, 0) as people_trained,
    coalesce(totals.training_hours, 0) as training_hours,
    coalesce(covered.people_trained_12m, 0) as people_trained_12m
from grid
left join month_totals totals using (kommunekode, month, los_id, competence_area)
left join covered using (kommunekode, month, los_id, competence_area);


-- ------------------------------------------------------------------------------------------ small cells
-- One mechanism for both marts (contract §4; the rule the README "Small cells and secondary suppression"
-- states). A row describes a population (maturity: the area's respondents; training: the unit's headcount,
-- the same for every area, so a unit's areas are hidden alike). Per tree: a row of fewer than min_cell is
-- hidden, and so is, for each published unit whose population minus those of its published sub-units forms a
-- group of 1..min_cell-1, one sub-unit (the one with a remainder of its own and the smallest population, ties
-- by los_id; else the smallest, with its subtree); a negative remainder (people counted twice below) hides
-- every unit below.
create or replace table suppression_cells as
select 'digital_maturity' as mart, kommunekode || '/' || wave || '/' || competence_area as tree,
    los_id, parent_los_id, respondents as population
from maturity_rows
union all
select distinct 'training_uptake', kommunekode || '/' || cast(month as varchar), los_id, parent_los_id, headcount
from training_rows;

create or replace table suppression_hidden as
with recursive
nodes as (
    select cell.mart, cell.tree, cell.los_id, parent.los_id as parent, cell.population,
        cell.population < min_cell() as is_small
    from suppression_cells cell
    left join suppression_cells parent on parent.mart = cell.mart and parent.tree = cell.tree
        and parent.los_id = cell.parent_los_id
),
published_children as (
    select mart, tree, parent, sum(population) as children
    from nodes where not is_small and parent is not null group by all
),
published as (
    select nodes.*, nodes.population - coalesce(c.children, 0) as remainder
    from nodes
    left join published_children c on c.mart = nodes.mart and c.tree = nodes.tree and c.parent = nodes.los_id
    where not nodes.is_small
),
chosen as (
    select child.mart, child.tree, child.los_id, child.remainder <> 0 as alone
    from published unit
    join published child on child.mart = unit.mart and child.tree = unit.tree and child.parent = unit.los_id
    where unit.remainder > 0 and unit.remainder < min_cell()
    qualify row_number() over (
        partition by unit.mart, unit.tree, unit.los_id order by child.remainder = 0, child.population, child.los_id
    ) = 1
),
hidden_subtrees as (
    select mart, tree, los_id from chosen where not alone
    union
    select child.mart, child.tree, child.los_id
    from published unit
    join nodes child on child.mart = unit.mart and child.tree = unit.tree and child.parent = unit.los_id
    where unit.remainder < 0
    union
    select child.mart, child.tree, child.los_id
    from hidden_subtrees hidden
    join nodes child on child.mart = hidden.mart and child.tree = hidden.tree and child.parent = hidden.los_id
)
select mart, tree, los_id from nodes where is_small
union
select mart, tree, los_id from chosen where alone
union
select mart, tree, los_id from hidden_subtrees;

-- ------------------------------------------------------------------------------------------ the marts
create or replace table digital_maturity as
with published as (
    select m.*, h.los_id is not null as suppressed
    from maturity_rows m
    left join suppression_hidden h on h.mart = 'digital_maturity'
        and h.tree = m.kommunekode || '/' || m.wave || '/' || m.competence_area and h.los_id = m.los_id
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

-- headcount and fte stay published; the measures of a hidden row are null
create or replace table training_uptake as
with published as (
    select t.*, h.los_id is not null as suppressed
    from training_rows t
    left join suppression_hidden h on h.mart = 'training_uptake'
        and h.tree = t.kommunekode || '/' || cast(t.month as varchar) and h.los_id = t.los_id
)
select
    kommunekode, month, los_id, competence_area, headcount, fte,
    case when not suppressed then completions end as completions,
    case when not suppressed then people_trained end as people_trained,
    case when not suppressed then training_hours end as training_hours,
    case when not suppressed then training_hours / nullif(fte, 0) end as hours_per_fte,
    case when not suppressed then people_trained_12m / nullif(headcount, 0) end as coverage_12m,
    suppressed
from published;

-- ------------------------------------------------------------------------------------------ benefit_realisation
-- A register file is a full snapshot dated by its name: XLSX sheets (normalised to <name>.<sheet>.xlsx.csv) or
-- a CSV triplet (<name>_<sheet>.csv). The register is the newest snapshot with all three parts.
create or replace table benefit_initiatives (
    kommunekode varchar, snapshot_date date, initiative_id varchar, start_dato date, status varchar
);
create or replace table benefit_targets (
    kommunekode varchar, snapshot_date date, benefit_id varchar, initiative_id varchar, gevinsttype varchar,
    baseline double, maal double, maal_dato date
);
create or replace table benefit_measurements (
    kommunekode varchar, snapshot_date date, benefit_id varchar, periode date, vaerdi double, maalt_dato date
);

-- section benefits_*initiativer*.csv
insert into benefit_initiatives
select file_kommunekode(filename), file_date(filename), trim(initiative_id), dk_date(start_dato), lower(trim(status))
from read_csv('{files}/benefits_*initiativer*.csv', all_varchar = true, union_by_name = true, filename = true);
-- end section

-- section benefits_*gevinster*.csv
insert into benefit_targets
select file_kommunekode(filename), file_date(filename), trim(benefit_id), trim(initiative_id), lower(trim(gevinsttype)),
    dk_number(baseline), dk_number(maal), dk_date(maal_dato)
from read_csv('{files}/benefits_*gevinster*.csv', all_varchar = true, union_by_name = true, filename = true);
-- end section

-- section benefits_*maalinger*.csv
insert into benefit_measurements
select file_kommunekode(filename), file_date(filename), trim(benefit_id),
    coalesce(try_strptime(trim(periode), '%Y-%m')::date, date_trunc('month', dk_date(periode))::date),
    dk_number(vaerdi), dk_date(maalt_dato)
from read_csv('{files}/benefits_*maalinger*.csv', all_varchar = true, union_by_name = true, filename = true);
-- end section

create or replace table registers as
select kommunekode, max(snapshot_date) as snapshot_date
from (
    select distinct kommunekode, snapshot_date from benefit_initiatives
    intersect select distinct kommunekode, snapshot_date from benefit_targets
    intersect select distinct kommunekode, snapshot_date from benefit_measurements
)
group by all;

-- a benefit's measurements: two of one period are a correction, the newest maalt_dato wins
create or replace table register_measurements as
select m.kommunekode, m.benefit_id, m.periode, m.vaerdi
from benefit_measurements m join registers using (kommunekode, snapshot_date)
qualify row_number() over (partition by m.kommunekode, m.benefit_id, m.periode order by m.maalt_dato desc) = 1;

-- flows (oekonomi_dkk, tid_timer): the sum up to the month against maal; a level (kvalitet_indeks): the newest
-- value up to the month minus baseline (0 before the first measurement) against maal - baseline
create or replace table benefit_months as
with benefits as (
    select b.kommunekode, b.initiative_id, b.benefit_id, b.gevinsttype = 'kvalitet_indeks' as is_level,
        case when b.gevinsttype = 'kvalitet_indeks' then b.maal - b.baseline else b.maal end as target,
        b.baseline, i.status = 'stoppet' as stopped,
        date_trunc('month', i.start_dato)::date as start_month,
        date_trunc('month', b.maal_dato)::date as target_month,
        greatest(date_trunc('month', b.maal_dato)::date, (
            select max(m.periode) from register_measurements m
            where m.kommunekode = b.kommunekode and m.benefit_id = b.benefit_id
        )) as end_month
    from benefit_targets b
    join registers r on r.kommunekode = b.kommunekode and r.snapshot_date = b.snapshot_date
    join benefit_initiatives i on i.kommunekode = b.kommunekode and i.snapshot_date = b.snapshot_date
        and i.initiative_id = b.initiative_id
),
months as (
    select b.*, cast(month as date) as month
    from benefits b, unnest(generate_series(b.start_month, b.end_month, interval 1 month)) as m(month)
)
select months.*,
    date_diff('month', start_month, month) + 1 as months_elapsed,
    date_diff('month', start_month, target_month) + 1 as months_planned,
    case
        when is_level then coalesce((
            select arg_max(m.vaerdi, m.periode) from register_measurements m
            where m.kommunekode = months.kommunekode and m.benefit_id = months.benefit_id and m.periode <= months.month
        ) - baseline, 0)
        else coalesce((
            select sum(m.vaerdi) from register_measurements m
            where m.kommunekode = months.kommunekode and m.benefit_id = months.benefit_id and m.periode <= months.month
        ), 0)
    end as realised
from months;

-- planned = target x months elapsed / months to maal_dato (both inclusive), capped at the target; both cumulative
-- figures rounded to 6 decimals before the status is judged (as the pipeline documents: a sum of binary
-- floats must not flip a threshold)
create or replace table benefit_realisation as
with measured as (
    select kommunekode, initiative_id, benefit_id, month, stopped, target,
        round(realised, 6) as realised_cumulative,
        round(least(target * months_elapsed / months_planned, target), 6) as planned_cumulative
    from benefit_months
)
select kommunekode, initiative_id, benefit_id, month, realised_cumulative, planned_cumulative,
    realised_cumulative / nullif(target, 0) as realisation_pct,
    case
        when stopped then 'stopped'
        when realised_cumulative >= target then 'realised'
        when realised_cumulative >= 0.9 * planned_cumulative then 'on_track'
        when realised_cumulative >= 0.7 * planned_cumulative then 'at_risk'
        else 'behind'
    end as status
from measured;
