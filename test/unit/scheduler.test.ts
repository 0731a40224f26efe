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

  async function engineWith(more = ''): Promise<Engine> {
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
${more}`,
    );
    const store = new ConfigStore(path.join(tmp(), 'retl.yaml'));
    assert.deepEqual((await store.load()).problems, []);
    return new Engine(store, NO_STORED_SECRETS, path.join(tmp(), '.retl', 'demo'));
  }

  /** A scheduler's ticks on a fake clock and a fake history; `run` answers for the sync. */
  function ticks(engine: Engine, run: (id: string, clock: number) => SyncOutcome) {
    const state = { clock: 1_000 * MIN, reads: 0, history: new Map<string, number>() };
    const known = new Map<string, number>();
    const tick = () =>
      runDueConnections(engine, async (id) => run(id, state.clock), new AbortController().signal, {
        now: () => state.clock,
        known,
        readLast: async (id) => (state.reads++, state.history.get(id)),
      });
    return { state, tick };
  }

  it('reads the history once, then again only when the known start says the interval has passed', async () => {
    const engine = await engineWith();
    const ran: string[] = [];
    // A refused run leaves no history (the fake history stays empty).
    const { state, tick } = ticks(engine, (id, clock) => (ran.push(`${id}@${clock / MIN}`), { ok: false, message: 'not run (fake)' }));
    await tick();
    assert.deepEqual([state.reads, ran], [1, ['hourly@1000']], 'never ran: read once, due, run; the manual one is never checked');
    // A refused run leaves no start to count from: the next tick reads and tries again.
    state.clock += MIN;
    await tick();
    assert.deepEqual([state.reads, ran.length], [2, 2]);
    await engine.dispose();
  });

  it('a connection that ran is not read again within its interval, and a run from elsewhere is seen when due', async () => {
    const engine = await engineWith();
    const ran: number[] = [];
    const { state, tick } = ticks(engine, (id, clock) => {
      ran.push(clock / MIN);
      state.history.set(id, clock);
      return { ok: true, result: { connection: id, run: ran.length, full: false, added: 0, changed: 0, removed: 0, failed: 0, invalid: 0, unchanged: 0, unsent: 0, durationMs: 1 } };
    });
    await tick(); // 1000: runs
    for (let m = 1; m < 60; m += 10) {
      state.clock = (1_000 + m) * MIN;
      await tick();
    }
    assert.deepEqual([state.reads, ran], [1, [1000]], 'within the hour: no history read, no run');
    state.history.set('hourly', 1_030 * MIN); // `retl schedule` elsewhere ran it at 1030
    state.clock = 1_060 * MIN;
    await tick();
    assert.deepEqual([state.reads, ran], [2, [1000]], 'due by what it knew; the history says it ran at 1030: not due');
    state.clock = 1_075 * MIN;
    await tick();
    assert.deepEqual([state.reads, ran], [2, [1000]], 'known start 1030 now: no read until 1090');
    state.clock = 1_090 * MIN;
    await tick();
    assert.deepEqual([state.reads, ran], [3, [1000, 1090]]);
    await engine.dispose();
  });

  it('a paused connection is skipped and said to be; a cron schedule runs at its time in its zone, a missed one once', async () => {
    const engine = await engineWith(`  - id: resting
    model: m
    destination: hook
    schedule: 15m
    paused: true
  - id: morning
    model: m
    destination: hook
    schedule: "0 9 * * *"
    timeZone: Europe/Berlin
`);
    const ran: string[] = [];
    const { state, tick } = ticks(engine, (id, clock) => {
      ran.push(`${id}@${new Date(clock).toISOString()}`);
      state.history.set(id, clock);
      return { ok: true, result: { connection: id, run: ran.length, full: false, added: 0, changed: 0, removed: 0, failed: 0, invalid: 0, unchanged: 0, unsent: 0, durationMs: 1 } };
    });
    const checkAt = async (iso: string) => {
      state.clock = Date.parse(iso);
      return (await tick()).map((c) => ('outcome' in c ? `${c.connectionId} ran` : `${c.connectionId} ${c.skipped}`) + (c.nextRun === undefined ? '' : ` next ${new Date(c.nextRun).toISOString()}`));
    };
    state.history.set('morning', Date.parse('2026-03-27T08:00:05Z')); // ran Friday at 09:00 Berlin (winter time)
    state.history.set('hourly', Date.parse('2026-03-28T07:30:00Z'));
    assert.deepEqual(await checkAt('2026-03-28T07:59:00Z'), [
      'hourly not due next 2026-03-28T08:30:00.000Z',
      'resting paused',
      'morning not due next 2026-03-28T08:00:00.000Z',
    ]);
    assert.deepEqual(await checkAt('2026-03-28T08:00:30Z'), [
      'hourly not due next 2026-03-28T08:30:00.000Z',
      'resting paused',
      'morning ran next 2026-03-29T07:00:00.000Z',
    ], 'Saturday 09:00 in Berlin; Sunday\'s 09:00 is 07:00 UTC, after the clocks went forward');
    // Nothing checked from Saturday to Tuesday: one run, not one per missed morning.
    ran.length = 0;
    await checkAt('2026-03-31T12:00:00Z');
    assert.deepEqual(ran.filter((r) => r.startsWith('morning')), ['morning@2026-03-31T12:00:00.000Z']);
    assert.ok(!ran.some((r) => r.startsWith('resting')), 'paused: never run on a schedule');
    assert.deepEqual((await checkAt('2026-03-31T12:01:00Z')).filter((c) => c.startsWith('morning')), ['morning not due next 2026-04-01T07:00:00.000Z']);
    await engine.dispose();
  });
});
