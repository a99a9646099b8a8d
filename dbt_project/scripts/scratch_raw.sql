-- A small, hand-made raw layer for developing and checking the dbt project without the
-- Python loader: the raw.* tables with exactly the columns of docs/internals.md §5.
-- Usage (from the repo root):
--   .venv/bin/python -c "import duckdb; duckdb.connect('/tmp/dbtscratch/wh.duckdb').execute(open('dbt_project/scripts/scratch_raw.sql').read())"
--   DIGILEAD_WAREHOUSE=/tmp/dbtscratch/wh.duckdb .venv/bin/dbt build --project-dir dbt_project --profiles-dir dbt_project
--
-- Municipality 0751, org extracts 2024-06, 2024-12, 2025-06; HR extracts 2024-11, 2025-05, 2025-07;
-- survey waves 2023H2 (no org tree yet), 2024H1 (org tree, no HR extract yet), 2024H2, 2025H1.
-- Between 2024-12 and 2025-06 unit DIG moves from MSO to the root and is renamed; unit BU-S2
-- closes on 2025-05-31 (still listed in the 2025-06 extract) and BU-S3 opens on 2025-08-01.

create schema if not exists raw;

drop table if exists raw.hr_org_units;
create table raw.hr_org_units (
    kommunekode varchar, snapshot_month date, los_id varchar, parent_los_id varchar,
    enhedsnavn varchar, enhedstype varchar, sektor varchar, gyldig_fra date, gyldig_til date,
    _file_fingerprint varchar, _row_number integer, _loaded_at timestamp
);

insert into raw.hr_org_units
with units(los_id, parent_los_id, enhedsnavn, enhedstype, sektor, gyldig_fra, gyldig_til) as (
    values
    ('K',      null,  'Aarhus Kommune',            'Kommune',      'Administration', date '2007-01-01', null::date),
    ('MSO',    'K',   'Sundhed og Omsorg',          'Magistrat',    'Ældre',          date '2007-01-01', null),
    ('BU',     'K',   'Børn og Unge',               'Magistrat',    'Skole',          date '2007-01-01', null),
    ('MSO-P1', 'MSO', 'Plejecenter Vest',           'Institution',  'Ældre',          date '2010-01-01', null),
    ('MSO-P2', 'MSO', 'Plejecenter Øst',            'Institution',  'Ældre',          date '2010-01-01', null),
    ('BU-S1',  'BU',  'Skole Nord',                 'Institution',  'Skole',          date '2010-01-01', null),
    ('BU-S2',  'BU',  'Skole Syd',                  'Institution',  'Skole',          date '2010-01-01', null),
    ('DIG',    'MSO', 'Digitalisering',             'Afdeling',     'Administration', date '2015-01-01', null)
)
select '0751', m.snapshot_month, u.*, 'org-' || strftime(m.snapshot_month, '%Y-%m'), row_number() over (partition by m.snapshot_month) + 1, timestamp '2025-07-01 12:00'
from units u cross join (values (date '2024-06-01'), (date '2024-12-01')) m(snapshot_month);

insert into raw.hr_org_units values
    ('0751', date '2025-06-01', 'K',      null,  'Aarhus Kommune',       'Kommune',     'Administration', date '2007-01-01', null,              'org-2025-06', 2, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'MSO',    'K',   'Sundhed og Omsorg',    'Magistrat',   'Ældre',          date '2007-01-01', null,              'org-2025-06', 3, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'BU',     'K',   'Børn og Unge',         'Magistrat',   'Skole',          date '2007-01-01', null,              'org-2025-06', 4, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'MSO-P1', 'MSO', 'Plejecenter Vest',     'Institution', 'Ældre',          date '2010-01-01', null,              'org-2025-06', 5, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'MSO-P2', 'MSO', 'Plejecenter Øst',      'Institution', 'Ældre',          date '2010-01-01', null,              'org-2025-06', 6, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'BU-S1',  'BU',  'Skole Nord',           'Institution', 'Skole',          date '2010-01-01', null,              'org-2025-06', 7, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'BU-S2',  'BU',  'Skole Syd',            'Institution', 'Skole',          date '2010-01-01', date '2025-05-31', 'org-2025-06', 8, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'BU-S3',  'BU',  'Skole Øst',            'Institution', 'Skole',          date '2025-08-01', null,              'org-2025-06', 9, timestamp '2025-07-02 12:00'),
    ('0751', date '2025-06-01', 'DIG',    'K',   'Digitalisering og IT', 'Afdeling',    'Administration', date '2015-01-01', null,              'org-2025-06', 10, timestamp '2025-07-02 12:00');

-- employees: 60 people; unit by person number; BU-S2 staff move to BU-S1 in the 2025 extracts
drop table if exists raw.hr_employees;
create table raw.hr_employees (
    kommunekode varchar, snapshot_month date, person_key varchar, empno_key varchar, email_key varchar,
    los_id varchar, stillingsbetegnelse varchar, personalekategori varchar, beskaeftigelsesgrad double,
    ansat_fra date, ansat_til date,
    _file_fingerprint varchar, _row_number integer, _loaded_at timestamp
);

insert into raw.hr_employees
with people as (
    select
        i,
        'pk' || lpad(i::varchar, 3, '0') as person_key,
        'empno' || lpad(i::varchar, 3, '0') as empno_key,
        'email' || lpad(i::varchar, 3, '0') as email_key,
        ['MSO-P1', 'MSO-P2', 'BU-S1', 'BU-S2', 'DIG', 'MSO', 'BU', 'K'][1 + i % 8] as base_unit,
        case when i % 3 = 0 then 0.8 else 1.0 end as fte,
        case when i between 55 and 57 then date '2025-06-30'       -- starts on the wave's last day
             when i between 58 and 59 then date '2025-07-01'       -- starts the day after
             else date '2015-01-01' + (i * 37)::integer end as ansat_fra,
        case when i between 1 and 3 then date '2025-06-30'         -- leaves on the wave's last day: counts
             when i between 4 and 5 then date '2025-06-29'         -- leaves the day before: does not
             when i = 6 then date '2024-12-15'
             else null end as ansat_til
    from range(1, 61) t(i)
),
extracts(snapshot_month, loaded_at) as (
    values (date '2024-11-01', timestamp '2025-07-01 12:00'),
           (date '2025-05-01', timestamp '2025-07-01 12:00'),
           (date '2025-07-01', timestamp '2025-07-02 12:00')
)
select
    '0751', e.snapshot_month, p.person_key, p.empno_key, p.email_key,
    case when p.base_unit = 'BU-S2' and e.snapshot_month >= date '2025-05-01' then 'BU-S1' else p.base_unit end,
    case when p.base_unit like 'BU%' then 'Lærer' when p.base_unit like 'MSO%' then 'SOSU-assistent' else 'Specialkonsulent' end,
    case when p.base_unit like 'BU%' then 'Undervisning' when p.base_unit like 'MSO%' then 'Social og sundhed' else 'Administration' end,
    p.fte, p.ansat_fra, p.ansat_til,
    'hr-' || strftime(e.snapshot_month, '%Y-%m'), p.i + 1, e.loaded_at
from people p cross join extracts e
-- people who start in the future are only listed from the extract of their start month on
where p.ansat_fra < e.snapshot_month + interval '2 months';

-- item catalogue: 10 items, two per area, one reverse-scored item in areas 1 and 4
drop table if exists raw.survey_items;
create table raw.survey_items (
    kommunekode varchar, wave varchar, item_id varchar, question_text varchar,
    competence_code varchar, reverse_scored boolean,
    _file_fingerprint varchar, _row_number integer, _loaded_at timestamp
);
insert into raw.survey_items
with items(item_id, question_text, competence_code, reverse_scored) as (
    values
    ('Q01', 'Jeg kan finde den information, jeg har brug for, på nettet', '1.1', false),
    ('Q02', 'Jeg har svært ved at vurdere, om en kilde er troværdig',        '1.2', true),
    ('Q03', 'Jeg samarbejder om dokumenter i Teams',                          '2.4', false),
    ('Q04', 'Jeg deler filer sikkert med kolleger',                           '2.2', false),
    ('Q05', 'Jeg kan lave en enkel præsentation',                             '3.1', false),
    ('Q06', 'Jeg kender reglerne for ophavsret',                              '3.3', false),
    ('Q07', 'Jeg genkender phishing-mails',                                   '4.1', false),
    ('Q08', 'Jeg er usikker på, hvordan persondata må behandles',             '4.2', true),
    ('Q09', 'Jeg kan løse enkle tekniske problemer selv',                     '5.1', false),
    ('Q10', 'Jeg ved, hvilke digitale kompetencer jeg mangler',               '5.4', false)
)
select '0751', w.wave, items.*, 'items-' || w.wave, row_number() over (partition by w.wave) + 1, timestamp '2025-07-01 12:00'
from items cross join (values ('2023H2'), ('2024H1'), ('2024H2'), ('2025H1')) w(wave);

-- responses: per wave, people 1..50 minus a wave-dependent gap; plus anonymous, unlinked,
-- duplicates, an unknown unit and excluded (preview/spam) rows
drop table if exists raw.survey_responses;
create table raw.survey_responses (
    kommunekode varchar, wave varchar, dialect varchar, respondent_id varchar, ref_key varchar,
    los_id varchar, submitted_at timestamp, is_response boolean, exclusion_reason varchar,
    _file_fingerprint varchar, _row_number integer, _loaded_at timestamp
);
insert into raw.survey_responses
with waves(wave, wave_start, dialect) as (
    values ('2023H2', timestamp '2023-11-01 09:00', 'flat'),
           ('2024H1', timestamp '2024-05-01 09:00', 'forms'),
           ('2024H2', timestamp '2024-11-01 09:00', 'qualtrics'),
           ('2025H1', timestamp '2025-05-01 09:00', 'surveyxact')
),
people as (
    select i, ['MSO-P1', 'MSO-P2', 'BU-S1', 'BU-S2', 'DIG', 'MSO', 'BU', 'K'][1 + i % 8] as unit
    from range(1, 51) t(i)
),
regular as (
    select w.wave, w.dialect, 'R' || lpad(p.i::varchar, 4, '0') as respondent_id,
        case when p.i % 10 = 0 then 'email' || lpad(p.i::varchar, 3, '0') else 'empno' || lpad(p.i::varchar, 3, '0') end as ref_key,
        case when w.wave = '2025H1' and p.unit = 'BU-S2' then 'BU-S1' else p.unit end as los_id,
        w.wave_start + to_days(p.i % 20) as submitted_at, true as is_response, null as exclusion_reason
    from waves w cross join people p
    where (hash(w.wave || p.i::varchar) % 5) <> 0
),
extra(respondent_id, ref_key, los_id, day_offset, is_response, exclusion_reason) as (
    values
    ('A0001', null,          'MSO-P1', 3, true,  null),             -- anonymous
    ('A0002', null,          'MSO-P1', 4, true,  null),             -- anonymous
    ('U0001', 'empno999',    'BU-S1',  5, true,  null),             -- not in any HR extract
    ('X0001', null,          'NOPE',   6, true,  null),             -- unit not in the tree
    ('D0001', 'empno011',    'MSO-P1', 40, true, null),             -- second answer of person 11: wins
    ('P0001', null,          'K',      0, false, 'Survey Preview'),
    ('P0002', null,          'K',      0, false, 'Spam')
)
select '0751', wave, dialect, respondent_id, ref_key, los_id, submitted_at, is_response, exclusion_reason,
       'resp-' || wave, row_number() over (partition by wave) + 1, timestamp '2025-07-01 12:00'
from (
    select * from regular
    union all
    select w.wave, w.dialect, e.respondent_id, e.ref_key, e.los_id, w.wave_start + to_days(e.day_offset), e.is_response, e.exclusion_reason
    from waves w cross join extra e
) r
order by wave, respondent_id;

-- answers: every item for every response row; a deterministic pseudo-random 1..5, about 1 in 12 missing,
-- better scores in later waves and in DIG
drop table if exists raw.survey_answers;
create table raw.survey_answers (
    kommunekode varchar, wave varchar, respondent_id varchar, item_id varchar, answer tinyint,
    _file_fingerprint varchar, _row_number integer, _loaded_at timestamp
);
insert into raw.survey_answers
select
    '0751', r.wave, r.respondent_id, i.item_id,
    case
        when hash(r.respondent_id || i.item_id || r.wave || 'm') % 12 = 0 then null
        else least(5, greatest(1,
            1 + (hash(r.respondent_id || i.item_id || r.wave) % 4)::integer
            + case when r.wave >= '2025' and hash(r.respondent_id || 'up') % 2 = 0 then 1 else 0 end
            + case when r.los_id = 'DIG' then 1 else 0 end))
    end::tinyint,
    'resp-' || r.wave, r._row_number, timestamp '2025-07-01 12:00'
from raw.survey_responses r
cross join (select distinct item_id from raw.survey_items) i
where r.is_response;
