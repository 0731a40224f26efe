\timing on
CREATE TEMP TABLE a (k text, hash text, payload text);
INSERT INTO a SELECT k, hashtextextended(payload, 0)::text, payload FROM (SELECT q.id::text AS k, json_build_object('created_at', q.created_at, 'id', q.id, 'name', q.name, 'score', q.score)::text AS payload FROM (SELECT id, name, score, created_at FROM items_1m) q OFFSET 0) m;
CREATE TEMP TABLE b (k text, hash bigint, id integer, name text, score integer, created_at timestamptz);
INSERT INTO b SELECT q.id::text, hashtextextended(row(q.created_at, q.id, q.name, q.score)::text, 0), q.id, q.name, q.score, q.created_at FROM (SELECT id, name, score, created_at FROM items_1m) q;
CREATE TEMP TABLE c (k text, hash bigint);
INSERT INTO c SELECT q.id::text, hashtextextended(row(q.created_at, q.id, q.name, q.score)::text, 0) FROM (SELECT id, name, score, created_at FROM items_1m) q;
SELECT count(*) FROM (SELECT id, name, score, created_at FROM items_1m) q;
CREATE TEMP TABLE d AS SELECT q.id::text as k, q.* FROM (SELECT id, name, score, created_at FROM items_1m) q;
