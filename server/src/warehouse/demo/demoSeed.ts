// The demo warehouse's sample data: accounts, users and events, generated inside the database with a
// fixed random seed so every install shows the same rows. Bump DEMO_SEED_VERSION when this changes.
export const DEMO_SEED_VERSION = 1;

export const DEMO_SEED_SQL = `
SELECT setseed(0.42);

CREATE SCHEMA IF NOT EXISTS _retl;

CREATE TABLE public.accounts (
  id          integer PRIMARY KEY,
  name        text NOT NULL,
  industry    text NOT NULL,
  plan        text NOT NULL,
  mrr         numeric(12,2) NOT NULL,
  created_at  timestamptz NOT NULL
);
COMMENT ON TABLE public.accounts IS 'Customer companies (demo data)';

INSERT INTO public.accounts
SELECT i,
       (ARRAY['Acme','Globex','Initech','Umbrella','Hooli','Vandelay','Stark','Wayne','Wonka','Tyrell'])[1 + (i % 10)]
         || ' ' || (ARRAY['Labs','Corp','GmbH','Ltd','Inc','Group','Systems','Foods'])[1 + ((i / 10) % 8)] || ' ' || i,
       (ARRAY['Retail','Fintech','Health','Media','Logistics','SaaS'])[1 + floor(random() * 6)::int],
       (ARRAY['free','starter','growth','enterprise'])[1 + floor(random() * 4)::int],
       round((random() * 20000)::numeric, 2),
       now() - (random() * interval '900 days')
FROM generate_series(1, 200) AS i;

CREATE TABLE public.users (
  id            integer PRIMARY KEY,
  account_id    integer NOT NULL REFERENCES public.accounts(id),
  email         text NOT NULL UNIQUE,
  full_name     text NOT NULL,
  country       text,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz,
  is_admin      boolean NOT NULL
);
COMMENT ON TABLE public.users IS 'People who use the product (demo data)';

INSERT INTO public.users
SELECT i,
       1 + floor(random() * 200)::int,
       'user' || i || '@example.com',
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Radia','Tim'])[1 + floor(random() * 10)::int]
         || ' ' || (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Perlman','Berners-Lee'])[1 + floor(random() * 10)::int],
       CASE WHEN random() < 0.1 THEN NULL ELSE (ARRAY['DE','US','FR','GB','IN','BR','JP','NL'])[1 + floor(random() * 8)::int] END,
       now() - (random() * interval '700 days'),
       CASE WHEN random() < 0.15 THEN NULL ELSE now() - (random() * interval '90 days') END,
       random() < 0.05
FROM generate_series(1, 2000) AS i;

CREATE TABLE public.events (
  id           bigint PRIMARY KEY,
  user_id      integer NOT NULL REFERENCES public.users(id),
  event        text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  properties   jsonb NOT NULL
);
COMMENT ON TABLE public.events IS 'Product events (demo data)';

INSERT INTO public.events
SELECT i,
       1 + floor(random() * 2000)::int,
       (ARRAY['page_viewed','signed_in','report_created','invite_sent','plan_upgraded'])[1 + floor(random() * 5)::int],
       now() - (random() * interval '60 days'),
       jsonb_build_object('source', (ARRAY['web','ios','android'])[1 + floor(random() * 3)::int], 'ms', floor(random() * 5000)::int)
FROM generate_series(1, 6000) AS i;

CREATE TABLE _retl.demo_seed (version integer NOT NULL);
INSERT INTO _retl.demo_seed VALUES (${DEMO_SEED_VERSION});
`;
