import pg from '../node_modules/pg/lib/index.js';
import { createRequire } from 'node:module';
import { pipeline } from 'node:stream/promises';
const require = createRequire(import.meta.url);
const { from, to } = require('../node_modules/pg-copy-streams');
const c = async (db) => { const x = new pg.Client({ host: '127.0.0.1', port: 5544, user: 'postgres', password: 'x', database: db }); await x.connect(); return x; };
const s = await c('src'), d = await c('dst');
for (let i = 0; i < 3; i++) {
await d.query('TRUNCATE items_copy');
const t = performance.now();
await pipeline(s.query(to('COPY (SELECT id, name, score, created_at FROM public.items_1m) TO STDOUT')), d.query(from('COPY public.items_copy (id, name, score, created_at) FROM STDIN')));
console.log('copy ms', Math.round(performance.now() - t));
}
await s.end(); await d.end();
