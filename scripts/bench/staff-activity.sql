-- Staff activity on top of a generated year (npm run bench:generate-year), for the staff
-- performance pages (/partner/statistics/staff, /admin/performance): the generated events name
-- no staff member and there are no collection cases. Run once with psql on the bench database:
--   psql postgres://…/<bench db> -f scripts/bench/staff-activity.sql
-- Institution events are spread over the institution's staff; every active loan with an unpaid
-- instalment past due gets a collection case (3 days after its oldest overdue due date) assigned
-- to a staff member, three contact attempts and a promise to pay; closed complaints get an
-- operator assignee and a resolution time.
begin;
with staff as (
  select id, institution_id, row_number() over (partition by institution_id order by id) - 1 as n, count(*) over (partition by institution_id) as k
  from accounts where kind = 'institution'
)
update application_events e set actor_id = s.id
from applications ap, staff s
where e.application_id = ap.id and e.actor_kind = 'institution' and e.actor_id is null
  and s.institution_id = ap.institution_id and s.n = e.id % s.k;

with staff as (
  select id, institution_id, row_number() over (partition by institution_id order by id) - 1 as n, count(*) over (partition by institution_id) as k
  from accounts where kind = 'institution'
), late as (
  select l.id as loan_id, l.institution_id, min(li.due_date) as oldest
  from loans l join loan_instalments li on li.loan_id = l.id
  where l.status = 'active' and li.status <> 'paid' and li.due_date < current_date
  group by l.id, l.institution_id
)
insert into collection_cases (id, loan_id, institution_id, stage, status, assignee_id, opened_at)
select 'case_bench_' || late.loan_id, late.loan_id, late.institution_id, 'collection', 'open', s.id, (late.oldest + 3)::timestamp at time zone 'Asia/Shanghai'
from late join staff s on s.institution_id = late.institution_id and s.n = abs(hashtext(late.loan_id)) % s.k;

insert into contact_attempts (case_id, loan_id, channel, target, result, staff_id, day, attempted_at)
select cc.id, cc.loan_id, 'call', 'borrower', (array['no_answer', 'reached', 'promised'])[g], cc.assignee_id,
  (cc.opened_at + (g || ' days')::interval)::date, cc.opened_at + (g || ' days')::interval + interval '10 hours'
from collection_cases cc, generate_series(1, 3) g
where cc.id like 'case_bench_%' and cc.opened_at + (g || ' days')::interval < now();

insert into promises_to_pay (case_id, loan_id, promised_date, amount_fen, status, created_by, created_at)
select cc.id, cc.loan_id, (cc.opened_at + interval '10 days')::date, 100000, case when abs(hashtext(cc.id)) % 3 = 0 then 'kept' else 'pending' end, cc.assignee_id, cc.opened_at + interval '3 days 11 hours'
from collection_cases cc where cc.id like 'case_bench_%' and cc.opened_at + interval '3 days' < now();

with ops as (select id, row_number() over (order by id) - 1 as n, count(*) over () as k from accounts where kind = 'operator')
update complaints c set assignee_id = o.id, resolved_at = coalesce(c.resolved_at, c.created_at + interval '2 days')
from ops o where c.status = 'closed' and c.assignee_id is null and o.n = abs(hashtext(c.id)) % o.k;
analyze application_events; analyze collection_cases; analyze contact_attempts; analyze promises_to_pay; analyze complaints;
commit;
