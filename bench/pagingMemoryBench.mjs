// Section 3: the engine process (dist/server.js over Node IPC, as the extension starts it) pages through a
// 10-million-row result, 50 rows at a time, the way the panel's Next button asks; its resident memory is
// read from /proc as it goes.
import { benchWorkspace, startEngine } from './benchWorkspace.mjs';
import { engineModule, rssMb, round } from './lib.mjs';

export async function pagingMemoryBench(pg, { rows, samples = 20 }) {
  const { Requests } = engineModule('protocol/src/requests.js');
  const ws = benchWorkspace(pg, { paging: { sql: 'SELECT id, user_id, kind FROM public.events_10m\n', primaryKey: 'id' } });
  const server = await startEngine(ws);
  try {
    // The engine reads retl.yaml right after `initialized`.
    for (let i = 0; i < 100 && !(await server.conn.sendRequest(Requests.workspaceState.method)).models.length; i++) await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    const rssAtStart = rssMb(server.pid);
    const first = await server.conn.sendRequest(Requests.previewOpen.method, { modelId: 'paging', timeoutMs: 3_600_000 });
    if (!first.ok) throw new Error(`preview failed: ${first.error.message}`);
    const sessionId = first.page.sessionId;
    const rssAfterPage1 = rssMb(server.pid);
    const pages = Math.ceil(rows / 50);
    const every = Math.max(1, Math.floor(pages / samples));
    const curve = [{ page: 1, rssMb: rssAfterPage1 }];
    let peak = rssAfterPage1;
    let page = 1;
    let fetched = first.page.rows.length;
    let hasMore = first.page.hasMore;
    while (hasMore) {
      page++;
      const r = await server.conn.sendRequest(Requests.previewPage.method, { sessionId, page });
      if (!r.ok) throw new Error(`page ${page} failed: ${r.error.message}`);
      fetched += r.page.rows.length;
      hasMore = r.page.hasMore;
      if (page % 1000 === 0) peak = Math.max(peak, rssMb(server.pid));
      if (page % every === 0 || !hasMore) curve.push({ page, rssMb: rssMb(server.pid) });
    }
    const rssAtEnd = rssMb(server.pid);
    peak = Math.max(peak, rssAtEnd);
    await server.conn.sendRequest(Requests.previewClose.method, { sessionId });
    return {
      rows: fetched,
      pages: page,
      seconds: round((performance.now() - started) / 1000, 1),
      rssAtStartMb: rssAtStart,
      rssAfterPage1Mb: rssAfterPage1,
      rssPeakMb: peak,
      rssAtEndMb: rssAtEnd,
      growthMb: round(peak - rssAfterPage1, 1),
      goalGrowthMb: 50,
      curve,
    };
  } finally {
    await server.stop();
  }
}
