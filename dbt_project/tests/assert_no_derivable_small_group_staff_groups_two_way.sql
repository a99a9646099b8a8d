-- No group of 1..min_cell-1 respondents can be derived by differencing the published rows of
-- digital_maturity_by_staff_group and the published unit totals of digital_maturity, along the
-- org tree and across the staff groups at once (macros/two_way_suppression.sql; computed in
-- batches of municipalities by int_privacy__staff_group_disclosures). Fails with each relation
-- that gives a small group away.
select * from {{ ref('int_privacy__staff_group_disclosures') }}
