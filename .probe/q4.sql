SET TimeZone = 'UTC';
\timing on
CREATE TEMP TABLE retl_run_rows (k text, hash text, v1 timestamptz, v2 integer, v3 text, v4 integer);
INSERT INTO retl_run_rows SELECT k, 'r' || hashtextextended(ROW(v1, v2, v3, v4)::text, 5)::text, v1, v2, v3, v4 FROM (SELECT q.id::text AS k, q.created_at v1, q.id v2, q.name v3, q.score v4 FROM items_1m q) m;
CREATE UNIQUE INDEX ON retl_run_rows (k COLLATE "C");
CREATE TEMP TABLE retl_run_dups (k text, n bigint);
EXPLAIN ANALYZE SELECT row_number() OVER () AS seq, op, key, hash, payload, same FROM (
       SELECT CASE WHEN s.key IS NULL THEN 'insert' ELSE 'update' END AS op, r.k AS key, r.hash, json_build_object('created_at', r.v1, 'id', r.v2, 'name', r.v3, 'score', r.v4)::text AS payload,
              coalesce(s.hash = r.hash AND s.payload IS NOT NULL, false) AS same
       FROM retl_run_rows r LEFT JOIN _retl.snap_items_to_table s ON s.key = r.k
       WHERE r.k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM retl_run_dups d WHERE d.k = r.k) AND (s.key IS NULL OR s.hash IS DISTINCT FROM CASE WHEN length(s.hash) = 32 THEN 'x' WHEN left(s.hash, 1) <> 'r' THEN 'y' ELSE r.hash END)) w;
ANALYZE retl_run_rows;
EXPLAIN ANALYZE SELECT row_number() OVER () AS seq, op, key, hash, payload, same FROM (
       SELECT CASE WHEN s.key IS NULL THEN 'insert' ELSE 'update' END AS op, r.k AS key, r.hash, json_build_object('created_at', r.v1, 'id', r.v2, 'name', r.v3, 'score', r.v4)::text AS payload,
              coalesce(s.hash = r.hash AND s.payload IS NOT NULL, false) AS same
       FROM retl_run_rows r LEFT JOIN _retl.snap_items_to_table s ON s.key = r.k
       WHERE r.k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM retl_run_dups d WHERE d.k = r.k) AND (s.key IS NULL OR s.hash IS DISTINCT FROM CASE WHEN length(s.hash) = 32 THEN 'x' WHEN left(s.hash, 1) <> 'r' THEN 'y' ELSE r.hash END)) w;
