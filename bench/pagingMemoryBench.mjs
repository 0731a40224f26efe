// Section 3: the engine process (dist/server.js over Node IPC, as the extension starts it) pages through a
// 10-million-row result, 50 rows at a time, the way the panel's Next button asks; its resident memory is
// read from /proc as it goes, and its V8 heap through a probe loaded into it with --require (the engine has
// no request that reports its memory, and RSS alone cannot tell live objects from the heap's headroom).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchWorkspace, startEngine } from './benchWorkspace.mjs';
import { engineModule, rssMb, round } from './lib.mjs';

// Answers SIGUSR2 (unused by Node and by the engine) with process.memoryUsage() in a file; asked with
// "gc", after a full collection first, so heapUsed is what the engine keeps alive.
const PROBE = `
const fs = require('node:fs');
const file = process.env.RETL_BENCH_PROBE;
let gc;
process.on('SIGUSR2', () => {
  const ask = fs.readFileSync(file + '.ask', 'utf8').split(' ');
  if (ask[1] === 'gc') {
    if (!gc) { require('node:v8').setFlagsFromString('--expose-gc'); gc = require('node:vm').runInNewContext('gc'); }
    gc();
  }
  const spaces = Object.fromEntries(require('node:v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  fs.writeFileSync(file + '.tmp', JSON.stringify({ seq: ask[0], ...process.memoryUsage(), newSpace: spaces.new_space, oldSpace: spaces.old_space }));
  fs.renameSync(file + '.tmp', file);
});
`;

const mb = (bytes) => round(bytes / 2 ** 20, 1);

function probeOf(dir, pid) {
  const file = join(dir, 'memory-probe.json');
  let seq = 0;
  return {
    file,
    /** RSS, heapUsed, heapTotal and external of the engine, in MB; `gc`: after a full collection. */
    async sample(gc = false) {
      const mine = String(++seq);
      writeFileSync(`${file}.ask`, `${mine} ${gc ? 'gc' : 'sample'}`);
      process.kill(pid, 'SIGUSR2');
      for (let i = 0; i < 2000; i++) {
        if (existsSync(file)) {
          const m = JSON.parse(readFileSync(file, 'utf8'));
          if (m.seq === mine) {
            return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), newSpaceMb: mb(m.newSpace), oldSpaceMb: mb(m.oldSpace), externalMb: mb(m.external) };
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error('the memory probe did not answer');
    },
  };
}

export async function pagingMemoryBench(pg, { rows, samples = 20 }) {
  const { Requests } = engineModule('protocol/src/requests.js');
  const ws = benchWorkspace(pg, { paging: { sql: 'SELECT id, user_id, kind FROM public.events_10m\n', primaryKey: 'id' } });
  const probeFile = join(ws.dir, 'memory-probe.cjs');
  writeFileSync(probeFile, PROBE);
  ws.env.RETL_BENCH_PROBE = join(ws.dir, 'memory-probe.json');
  rmSync(ws.env.RETL_BENCH_PROBE, { force: true });
  const server = await startEngine(ws, { execArgv: ['--require', probeFile, ...(process.env.BENCH_ENGINE_ARGS?.split(' ').filter(Boolean) ?? [])] });
  const probe = probeOf(ws.dir, server.pid);
  try {
    // The engine reads retl.yaml right after `initialized`.
    for (let i = 0; i < 100 && !(await server.conn.sendRequest(Requests.workspaceState.method)).models.length; i++) await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    const rssAtStart = rssMb(server.pid);
    const first = await server.conn.sendRequest(Requests.previewOpen.method, { modelId: 'paging', timeoutMs: 3_600_000 });
    if (!first.ok) throw new Error(`preview failed: ${first.error.message}`);
    const sessionId = first.page.sessionId;
    const rssAfterPage1 = rssMb(server.pid);
    const page1 = await probe.sample();
    const pages = Math.ceil(rows / 50);
    const every = Math.max(1, Math.floor(pages / samples));
    const curve = [{ page: 1, ...page1 }];
    let peak = rssAfterPage1;
    let heapPeak = page1.heapUsedMb;
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
      if (page % every === 0 || !hasMore) {
        const m = await probe.sample();
        peak = Math.max(peak, m.rssMb);
        heapPeak = Math.max(heapPeak, m.heapUsedMb);
        curve.push({ page, ...m });
      }
    }
    const rssAtEnd = rssMb(server.pid);
    peak = Math.max(peak, rssAtEnd);
    // What the session keeps alive at the end (its keys, its cached pages), without the garbage.
    const liveAtEnd = await probe.sample(true);
    await server.conn.sendRequest(Requests.previewClose.method, { sessionId });
    const liveAfterClose = await probe.sample(true);
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
      heapUsedAfterPage1Mb: page1.heapUsedMb,
      heapUsedPeakMb: heapPeak,
      liveHeapAtEndMb: liveAtEnd.heapUsedMb,
      liveHeapAfterCloseMb: liveAfterClose.heapUsedMb,
      rssAfterGcAtEndMb: liveAtEnd.rssMb,
      curve,
    };
  } finally {
    await server.stop();
  }
}
