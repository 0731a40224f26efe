\timing on
CREATE TEMP TABLE o AS SELECT row_number() over () seq, id::text AS key, hashtextextended(name,0)::text hash, json_build_object('created_at', created_at, 'id', id, 'name', name, 'score', score)::text AS payload FROM items_1m;
CREATE TABLE s1 (key text PRIMARY KEY, hash text NOT NULL, payload text);
CREATE TABLE s2 (key text COLLATE "C" PRIMARY KEY, hash text NOT NULL, payload text);
INSERT INTO s1 SELECT key, hash, payload FROM o;
INSERT INTO s2 SELECT key, hash, payload FROM o;
CREATE TABLE s3 (key text PRIMARY KEY, hash text NOT NULL);
INSERT INTO s3 SELECT key, hash FROM o;
DROP TABLE s1, s2, s3;
