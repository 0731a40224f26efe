// Sections 1 and 2: the preview's first page against a plain `pg` client running the same query with
// LIMIT 50, and cursor paging (page 20 against page 2) with OFFSET paging for contrast. Both sides run in
// this process on the same server, interleaved run by run so neither gets a warmer cache.
import { engineModule, ratio, requireFromRoot, stats } from './lib.mjs';

const QUERIES = {
  unordered: 'SELECT id, name, score, created_at FROM public.items_1m',
  orderedByUnindexed: 'SELECT id, name, score, created_at FROM public.items_1m ORDER BY name',
};

export async function previewBench(pg, { runs }) {
  const { PostgresWarehouse } = engineModule('server/src/warehouse/postgres/postgresWarehouse.js');
  const { PreviewService } = engineModule('server/src/preview/previewService.js');
  const { Client } = requireFromRoot('pg');
  const creds = { id: 'bench', type: 'postgres', host: pg.host, port: pg.port, database: pg.database, user: pg.user, ssl: 'disable' };
  const warehouse = new PostgresWarehouse(creds, pg.password);
  const service = new PreviewService();
  const plain = new Client({ host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password });
  await plain.connect();
  const signal = new AbortController().signal;

  const openPreview = async (sql) => {
    const t = performance.now();
    const r = await service.open({ warehouse, dialect: 'postgres', sql }, signal);
    const ms = performance.now() - t;
    if (!r.ok) throw new Error(`preview failed: ${r.error.message}`);
    if (r.page.rows.length !== 50) throw new Error(`page 1 has ${r.page.rows.length} rows`);
    return { ms, sessionId: r.page.sessionId };
  };
  const plainLimit = async (sql) => {
    const t = performance.now();
    const r = await plain.query(`${sql} LIMIT 50`);
    const ms = performance.now() - t;
    if (r.rows.length !== 50) throw new Error(`LIMIT 50 gave ${r.rows.length} rows`);
    return ms;
  };

  const firstPage = {};
  for (const [name, sql] of Object.entries(QUERIES)) {
    // Warm-up of both sides: plans, the parser's wasm, the pool's connection, type names.
    await plainLimit(sql);
    await service.close((await openPreview(sql)).sessionId);
    const previewMs = [];
    const plainMs = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which side goes first, so a warmer cache favours neither.
      if (i % 2) plainMs.push(await plainLimit(sql));
      const p = await openPreview(sql);
      previewMs.push(p.ms);
      // Closing cancels the cursor the preview opened in the background; not part of page 1's time.
      await service.close(p.sessionId);
      if (!(i % 2)) plainMs.push(await plainLimit(sql));
    }
    const preview = stats(previewMs);
    const baseline = stats(plainMs);
    firstPage[name] = { sql, previewMs: preview, plainLimit50Ms: baseline, ratioP50: ratio(preview.p50, baseline.p50), goal: 1.1 };
  }

  // Paging within one session: time each page as a user pressing Next would, page 2 through 20.
  const paging = {};
  for (const [name, sql] of Object.entries(QUERIES)) {
    const page2 = [];
    const page20 = [];
    const page2Immediate = [];
    const sessions = 2 * Math.max(5, Math.round(runs / 5));
    for (let s = 0; s < sessions; s++) {
      const { sessionId } = await openPreview(sql);
      // Odd sessions ask for page 2 at once; even ones after the background cursor is ready, as when a
      // user reads page 1 first. (The bench reaches into the session for that promise; the UI never waits.)
      if (s % 2 === 0) await service.sessions.get(sessionId).cursor.declared;
      for (let page = 2; page <= 20; page++) {
        const t = performance.now();
        const r = await service.page(sessionId, page, signal);
        const ms = performance.now() - t;
        if (!r.ok || r.page.rows.length !== 50) throw new Error(`page ${page} failed: ${r.ok ? r.page.rows.length : r.error.message}`);
        if (page === 2) (s % 2 === 0 ? page2 : page2Immediate).push(ms);
        if (page === 20) page20.push(ms);
      }
      await service.close(sessionId);
    }
    // OFFSET paging, the approach the cursor replaces: every page runs the whole query again.
    const offset2 = [];
    const offset20 = [];
    for (let i = 0; i < Math.max(5, Math.round(runs / 5)); i++) {
      let t = performance.now();
      await plain.query(`${sql} OFFSET 50 LIMIT 50`);
      offset2.push(performance.now() - t);
      t = performance.now();
      await plain.query(`${sql} OFFSET 950 LIMIT 50`);
      offset20.push(performance.now() - t);
    }
    const c2 = stats(page2);
    const c20 = stats(page20);
    const o2 = stats(offset2);
    const o20 = stats(offset20);
    paging[name] = {
      cursorPage2Ms: c2,
      cursorPage20Ms: c20,
      ratioP50: ratio(c20.p50, c2.p50),
      cursorPage2RightAfterPage1Ms: stats(page2Immediate),
      offsetPage2Ms: o2,
      offsetPage20Ms: o20,
      offsetRatioP50: ratio(o20.p50, o2.p50),
      goal: 1.2,
    };
  }

  await service.closeAll();
  await warehouse.close();
  await plain.end();
  return { firstPage, paging };
}
