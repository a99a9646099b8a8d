{#-
    Link keys -> people (docs/privacy.md): an employee number or e-mail seen in any HR extract of
    the municipality links to that employee's person_key. Both keys are the privacy room's
    keyed hashes (e-mails lower-cased and trimmed), so no e-mail is needed to link.
    An employee number is one person by construction; an e-mail listed for two people
    (re-used after a leaver) links to the person of the newest extract listing it (ties: the
    greater person_key, so the choice is deterministic).
-#}

with

employees as (

    select * from {{ scoped(ref('stg_hr__employees')) }}

),

candidate_links as (

    select kommunekode, empno_key as link_key, 'medarbejdernr' as link_via, person_key, snapshot_month
    from employees
    where empno_key is not null and person_key is not null

    union all

    select kommunekode, email_key as link_key, 'email' as link_via, person_key, snapshot_month
    from employees
    where email_key is not null and person_key is not null

),

ranked_links as (

    select
        candidate_links.*,
        row_number() over (
            partition by kommunekode, link_key
            order by snapshot_month desc, person_key desc
        ) as link_rank
    from candidate_links

),

final as (

    select
        kommunekode,
        link_key,
        link_via,
        person_key
    from ranked_links
    where link_rank = 1

)

select * from final
