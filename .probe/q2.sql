\timing on
CREATE TEMP TABLE p AS SELECT json_build_object('created_at', created_at, 'id', id, 'name', name, 'score', score)::text AS payload FROM items_1m;
CREATE TEMP TABLE arr AS SELECT (seq/5000) AS b, '[' || string_agg(payload, ',') || ']' AS j FROM (SELECT row_number() over () seq, payload FROM p) x GROUP BY 1;
CREATE TEMP TABLE t1 (id integer PRIMARY KEY, name text, score integer, created_at timestamptz);
INSERT INTO t1 SELECT r.* FROM arr, json_populate_recordset(NULL::t1, arr.j::json) r;
CREATE TEMP TABLE t2 (id integer PRIMARY KEY, name text, score integer, created_at timestamptz);
INSERT INTO t2 SELECT r.* FROM arr, jsonb_populate_recordset(NULL::t2, arr.j::jsonb) r;
CREATE TEMP TABLE t3 (id integer PRIMARY KEY, name text, score integer, created_at timestamptz);
INSERT INTO t3 SELECT r.* FROM arr, json_to_recordset(arr.j::json) r(id integer, name text, score integer, created_at timestamptz);
