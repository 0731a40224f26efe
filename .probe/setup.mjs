import pg from '../node_modules/pg/lib/index.js';
import { mkdirSync, writeFileSync } from 'node:fs';
const c = async (db) => { const x = new pg.Client({ host: '127.0.0.1', port: 5544, user: 'postgres', password: 'x', database: db }); await x.connect(); return x; };
const a = await c('postgres');
for (const d of ['src', 'dst']) { await a.query(`DROP DATABASE IF EXISTS ${d}`); await a.query(`CREATE DATABASE ${d}`); }
await a.end();
const s = await c('src');
await s.query(`CREATE UNLOGGED TABLE public.items_1m AS SELECT g AS id, md5(g::text) AS name, (g::bigint * 7919 % 1000)::int AS score, timestamptz '2026-01-01' + g * interval '1 second' AS created_at FROM generate_series(1, 1000000) AS g; ALTER TABLE public.items_1m ADD PRIMARY KEY (id); CREATE SCHEMA _retl`); await s.query("VACUUM ANALYZE");
await s.end();
const d = await c('dst');
await d.query(`CREATE TABLE public.items_sync (id integer PRIMARY KEY, name text, score integer, created_at timestamptz); CREATE TABLE public.items_copy (id integer PRIMARY KEY, name text, score integer, created_at timestamptz)`);
await d.end();
mkdirSync('/tmp/pws/models', { recursive: true });
writeFileSync('/tmp/pws/models/items.sql', 'SELECT id, name, score, created_at FROM public.items_1m\n');
writeFileSync('/tmp/pws/retl.yaml', `version: 1
credentials:
  - id: bench
    type: postgres
    host: 127.0.0.1
    port: 5544
    database: src
    user: postgres
    passwordEnv: PGPW
    ssl: disable
  - id: dest
    type: postgres
    host: 127.0.0.1
    port: 5544
    database: dst
    user: postgres
    passwordEnv: PGPW
    ssl: disable
models:
  - id: items
    name: items
    credentials: bench
    query: models/items.sql
    primaryKey: id
destinations:
  - id: table
    type: postgres
    credentials: dest
    table: public.items_sync
  - id: hook
    type: webhook
    url: http://127.0.0.1:18999/hook
connections:
  - id: items_to_table
    model: items
    destination: table
  - id: items_to_hook
    model: items
    destination: hook
`);
console.log('ok');
