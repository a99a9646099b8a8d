{#-
    Each survey respondent's staff group (personalekategori) in the wave, for
    digital_maturity_by_staff_group. A respondent is *grouped* when their employee_ref links to
    a person (int_training__person_links: an employee number or e-mail of any HR extract) who is
    in the wave's headcount (the HR snapshot of the wave's last month, or the newest earlier one;
    employed on the wave's last day). Their staff group is the personalekategori of that HR row;
    a person with posts in several units takes the post at the survey row's los_id, else the
    largest beskaeftigelsesgrad (ties: the first category by name, so the choice is deterministic).
    Anonymous, unlinked and linked-but-not-employed respondents are kept with a null staff group:
    counted, never grouped. The respondent stays at the survey row's los_id, as in digital_maturity,
    so a unit's grouped and ungrouped respondents add up to its digital_maturity respondents.
-#}

with

respondents as (

    select * from {{ scoped(ref('int_survey__respondents')) }}

),

links as (

    select * from {{ scoped(ref('int_training__person_links')) }}

),

headcount as (

    select * from {{ scoped(ref('int_hr__headcount_per_period')) }}

),

employee_snapshots as (

    select * from {{ scoped(ref('int_hr__employee_snapshots')) }}

),

employed_posts as (

    select
        respondents.kommunekode,
        respondents.wave,
        respondents.respondent_id,
        employee_snapshots.personalekategori,
        row_number() over (
            partition by respondents.kommunekode, respondents.wave, respondents.respondent_id
            order by
                (employee_snapshots.los_id = respondents.los_id) desc,
                employee_snapshots.beskaeftigelsesgrad desc nulls last,
                employee_snapshots.personalekategori asc
        ) as post_rank
    from respondents
    inner join links
        on links.kommunekode = respondents.kommunekode
        and links.link_key = respondents.ref_key
    inner join headcount
        on headcount.kommunekode = respondents.kommunekode
        and headcount.period_end_date = respondents.wave_end_date
        and headcount.person_key = links.person_key
    inner join employee_snapshots
        on employee_snapshots.kommunekode = headcount.kommunekode
        and employee_snapshots.snapshot_month = headcount.hr_snapshot_month
        and employee_snapshots.person_key = headcount.person_key
        and employee_snapshots.los_id = headcount.los_id
    where employee_snapshots.personalekategori is not null

),

final as (

    select
        respondents.kommunekode,
        respondents.wave,
        respondents.wave_end_date,
        respondents.respondent_id,
        respondents.los_id,
        employed_posts.personalekategori
    from respondents
    left join employed_posts
        on employed_posts.kommunekode = respondents.kommunekode
        and employed_posts.wave = respondents.wave
        and employed_posts.respondent_id = respondents.respondent_id
        and employed_posts.post_rank = 1

)

select * from final
