// Section 7: what the engine costs under hostile input. (a) Peak resident memory of the engine process
// (dist/server.js over Node IPC) while it pages big cells: 300 rows of 4 MB to page 6 and "show all" on
// one of them, and one page of 51 cells of 10 MB. (b) How long the demo warehouse takes to answer again
// after a stopped query made the engine terminate its thread (a restart on the same data directory).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchWorkspace, startEngine } from './benchWorkspace.mjs';
import { engineModule, rssMb, stats } from './lib.mjs';

const FOUR_MB = 4 * 1024 * 1024;
const TEN_MB = 10 * 1024 * 1024;

export async function robustnessBench(pg, { restarts = 5 } = {}) {
  return { bigCells: await bigCellsBench(pg), demoRestart: process.env.SKIP_DEMO ? null : await demoRestartBench(restarts) };
}

async function bigCellsBench(pg) {
  const { Requests } = engineModule('protocol/src/requests.js');
  const ws = benchWorkspace(pg, {
    paged: { sql: `SELECT i AS id, repeat(chr(65 + i % 26), ${FOUR_MB}) AS big FROM generate_series(1, 300) i ORDER BY i\n`, primaryKey: 'id' },
    wide: { sql: `SELECT i AS id, repeat('x', ${TEN_MB}) AS big FROM generate_series(1, 51) i\n`, primaryKey: 'id' },
  });
  const measure = async (fn) => {
    const server = await startEngine(ws);
    try {
      for (let i = 0; i < 100 && !(await server.conn.sendRequest(Requests.workspaceState.method)).models.length; i++) await new Promise((r) => setTimeout(r, 100));
      const atStart = rssMb(server.pid);
      let peak = atStart;
      const timer = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 10);
      try {
        await fn(server.conn);
      } finally {
        clearInterval(timer);
      }
      // After a collection the cache is what remains.
      return { rssAtStartMb: atStart, rssPeakMb: Math.max(peak, rssMb(server.pid)), rssAtEndMb: rssMb(server.pid) };
    } finally {
      await server.stop();
    }
  };
  const ok = (r) => {
    if (!r.ok) throw new Error(`preview failed: ${r.error.message}`);
    return r.page;
  };
  const paged = await measure(async (conn) => {
    const first = ok(await conn.sendRequest(Requests.previewOpen.method, { modelId: 'paged', timeoutMs: 600_000 }));
    for (let page = 2; page <= 6; page++) ok(await conn.sendRequest(Requests.previewPage.method, { sessionId: first.sessionId, page }));
    const whole = await conn.sendRequest(Requests.previewCell.method, { sessionId: first.sessionId, page: 2, row: 0, column: 1 });
    if (typeof whole !== 'string' || whole.length !== FOUR_MB) throw new Error('"show all" did not return the whole value');
  });
  const wide = await measure(async (conn) => {
    ok(await conn.sendRequest(Requests.previewOpen.method, { modelId: 'wide', timeoutMs: 600_000 }));
  });
  rmSync(ws.dir, { recursive: true, force: true });
  return {
    paged: { what: '300 rows × 4 MB, pages 1–6, then "show all" on one cell', ...paged },
    wide: { what: '51 rows × 10 MB, page 1', ...wide },
  };
}

async function demoRestartBench(restarts) {
  const { openDemoWarehouse, closeDemoWarehouses } = engineModule('server/src/warehouse/demo/demoWarehouse.js');
  const dir = mkdtempSync(join(tmpdir(), 'retl-bench-demo-'));
  try {
    const host = openDemoWarehouse(join(dir, 'data'));
    let t = performance.now();
    await host.run([{ sql: 'SELECT 1' }]);
    const firstStartMs = performance.now() - t;
    await host.close();
    t = performance.now();
    await host.run([{ sql: 'SELECT 1' }]);
    const cleanStartMs = performance.now() - t;
    const samples = [];
    for (let i = 0; i < restarts; i++) {
      await host.run([{ sql: 'SELECT pg_sleep(1000)' }], { timeoutMs: 200 }).catch(() => undefined);
      t = performance.now();
      await host.run([{ sql: 'SELECT count(*) FROM public.events' }]);
      samples.push(performance.now() - t);
    }
    await closeDemoWarehouses();
    return { firstStartWithSeedingMs: Math.round(firstStartMs), startAfterCleanCloseMs: Math.round(cleanStartMs), restartAfterStoppedQueryMs: stats(samples) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
