// The scheduler's choice of what is due, with a fake clock and a FAKE run history (a map in the test):
// the history is read when a connection may be due, not on every tick.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SyncOutcome } from '../../protocol/src/sync';
import { ConfigStore } from '../../server/src/config/configStore';
import { Engine } from '../../server/src/engine';
import { runDueConnections } from '../../server/src/sync/scheduler';
import { NO_STORED_SECRETS } from '../../server/src/warehouse/registry';
import { useTempDir } from '../helpers/tempDir';

const MIN = 60_000;

describe('scheduler: what is due', () => {
  const tmp = useTempDir('retl-sched-');

  async function engineWith(): Promise<Engine> {
    writeFileSync(path.join(tmp(), 'm.sql'), 'SELECT 1 AS id');
    writeFileSync(
      path.join(tmp(), 'retl.yaml'),
      `version: 1
credentials:
  - id: demo
    type: demo
models:
  - id: m
    name: M
    credentials: demo
    query: m.sql
    primaryKey: id
destinations:
  - id: hook
    type: webhook
    url: http://127.0.0.1:9/hook
connections:
  - id: hourly
    model: m
    destination: hook
    schedule: 1h
  - id: by_hand
    model: m
    destination: hook
`,
    );
    const store = new ConfigStore(path.join(tmp(), 'retl.yaml'));
    assert.deepEqual((await store.load()).problems, []);
    return new Engine(store, NO_STORED_SECRETS, path.join(tmp(), '.retl', 'demo'));
  }

  it('reads the history once, then again only when the known start says the interval has passed', async () => {
    const engine = await engineWith();
    let clock = 1_000 * MIN;
    const history = new Map<string, number>(); // the fake run history: last start per connection (none: refused runs leave none)
    let reads = 0;
    const ran: string[] = [];
    const known = new Map<string, number>();
    const tick = () =>
      runDueConnections(
        engine,
        async (id): Promise<SyncOutcome> => {
          ran.push(`${id}@${clock / MIN}`);
          return { ok: false, message: 'not run (fake)' };
        },
        new AbortController().signal,
        { now: () => clock, known, readLast: async (id) => (reads++, history.get(id)) },
      );
    await tick();
    assert.deepEqual([reads, ran], [1, ['hourly@1000']], 'never ran: read once, due, run; the manual one is never checked');
    // A refused run (as the fake's) leaves no start to count from: the next tick reads and tries again.
    clock += MIN;
    await tick();
    assert.deepEqual([reads, ran.length], [2, 2]);
    await engine.dispose();
  });

  it('a connection that ran is not read again within its interval, and a run from elsewhere is seen when due', async () => {
    const engine = await engineWith();
    let clock = 1_000 * MIN;
    const history = new Map<string, number>();
    let reads = 0;
    const ran: number[] = [];
    const known = new Map<string, number>();
    const tick = () =>
      runDueConnections(
        engine,
        async (id) => {
          ran.push(clock / MIN);
          history.set(id, clock);
          return { ok: true, result: { connection: id, run: ran.length, full: false, added: 0, changed: 0, removed: 0, failed: 0, invalid: 0, unsent: 0, durationMs: 1 } };
        },
        new AbortController().signal,
        { now: () => clock, known, readLast: async (id) => (reads++, history.get(id)) },
      );
    await tick(); // 1000: runs
    for (let m = 1; m < 60; m += 10) {
      clock = (1_000 + m) * MIN;
      await tick();
    }
    assert.deepEqual([reads, ran], [1, [1000]], 'within the hour: no history read, no run');
    history.set('hourly', 1_030 * MIN); // `retl schedule` elsewhere ran it at 1030
    clock = 1_060 * MIN;
    await tick();
    assert.deepEqual([reads, ran], [2, [1000]], 'due by what it knew; the history says it ran at 1030: not due');
    clock = 1_075 * MIN;
    await tick();
    assert.deepEqual([reads, ran], [2, [1000]], 'known start 1030 now: no read until 1090');
    clock = 1_090 * MIN;
    await tick();
    assert.deepEqual([reads, ran], [3, [1000, 1090]]);
    await engine.dispose();
  });
});
