// Connections with a schedule (an interval such as `15m`, or a cron expression, syncSchedule.ts) run when
// they are due: in the engine while VS Code is open, and from `retl schedule` in a terminal, cron or a
// container. "Due" is read from the run history in the warehouse, so restarting VS Code does not run
// everything again, and two places that schedule the same connection are kept apart by the sync's lock.
// A paused connection is skipped, and said to be.
import type { Connection } from '../../../protocol/src/config';
import type { SyncOutcome } from '../../../protocol/src/sync';
import type { Engine } from '../engine';
import { syncHistory } from './syncConnection';
import { isDue, nextRunAt, parseSchedule, timeZoneOf, type Schedule } from './syncSchedule';

export interface ScheduledRun {
  connectionId: string;
  outcome: SyncOutcome;
  /** When it is due again (ms since the epoch), counted from this run's start. */
  nextRun?: number;
}

/** A scheduled connection that did not run at this check, and why; when it is next due, if known. */
export interface SkippedRun {
  connectionId: string;
  skipped: 'paused' | 'not due';
  nextRun?: number;
}

export type ScheduleCheck = ScheduledRun | SkippedRun;

export function ran(check: ScheduleCheck): check is ScheduledRun {
  return 'outcome' in check;
}

/** When the connection's last run started (ms since the epoch), from the run history; undefined before the first. */
export type LastRunReader = (connectionId: string, signal: AbortSignal) => Promise<number | undefined>;

export interface DueOptions {
  now?: () => number;
  /**
   * Start times known from earlier checks, kept by a scheduler between ticks: the history is read only
   * when the known time says a connection may be due (a run from elsewhere may have come since), not on
   * every tick. Reading it costs a session on the warehouse, and on Snowflake a running warehouse.
   */
  known?: Map<string, number>;
  readLast?: LastRunReader;
}

/** The connection's schedule, or undefined when it has none to keep (manual, no destination, unreadable). */
function scheduleOf(engine: Engine, c: Connection): Schedule | undefined {
  if (!c.destination) return undefined;
  try {
    const schedule = parseSchedule(c.schedule, timeZoneOf(engine.store.config, c));
    return schedule.kind === 'manual' ? undefined : schedule;
  } catch {
    return undefined; // retl.yaml's checks report it
  }
}

/** Runs every connection that is due, one after another; returns what ran and what was skipped. */
export async function runDueConnections(
  engine: Engine,
  run: (connectionId: string) => Promise<SyncOutcome>,
  signal: AbortSignal,
  options: DueOptions = {},
): Promise<ScheduleCheck[]> {
  const now = options.now ?? Date.now;
  const known = options.known ?? new Map<string, number>();
  const readLast: LastRunReader =
    options.readLast ??
    (async (id, s) => {
      const [latest] = await syncHistory(engine, id, s, 1);
      return latest ? Date.parse(latest.startedAt) : undefined;
    });
  const connections: Connection[] = engine.store.config?.connections ?? [];
  const checks: ScheduleCheck[] = [];
  for (const c of connections) {
    const schedule = scheduleOf(engine, c);
    if (!schedule || signal.aborted) continue;
    if (c.paused) {
      checks.push({ connectionId: c.id, skipped: 'paused' });
      continue;
    }
    const remembered = known.get(c.id);
    if (remembered !== undefined && !isDue(schedule, remembered, now())) {
      checks.push({ connectionId: c.id, skipped: 'not due', nextRun: nextRunAt(schedule, remembered, now()) });
      continue;
    }
    let last: number | undefined;
    try {
      last = await readLast(c.id, signal);
    } catch (err) {
      checks.push({ connectionId: c.id, outcome: { ok: false, message: `Cannot read its run history: ${(err as Error).message}` } });
      continue;
    }
    if (last !== undefined) known.set(c.id, last);
    if (!isDue(schedule, last, now())) {
      checks.push({ connectionId: c.id, skipped: 'not due', nextRun: nextRunAt(schedule, last, now()) });
      continue;
    }
    const started = now();
    known.set(c.id, started);
    const outcome = await run(c.id);
    // A run refused before it began (a warehouse not reachable) left no history: the next tick tries again.
    if (!outcome.ok) known.delete(c.id);
    checks.push({ connectionId: c.id, outcome, ...(outcome.ok ? { nextRun: nextRunAt(schedule, started, now()) } : {}) });
  }
  return checks;
}

/** Checks every `tickMs` which connections are due; one check at a time. */
export class SyncScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly controller = new AbortController();
  private readonly known = new Map<string, number>();

  constructor(
    private readonly engine: Engine,
    /** `signal` aborts when the scheduler is disposed (the engine shutting down): the run stops cleanly. */
    private readonly run: (connectionId: string, signal: AbortSignal) => Promise<SyncOutcome>,
    private readonly onCheck: (checks: ScheduleCheck[]) => void,
  ) {}

  start(tickMs = 60_000): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
    void this.tick();
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = runDueConnections(this.engine, async (id) => this.run(id, this.controller.signal), this.controller.signal, { known: this.known })
      .then((checks) => this.onCheck(checks))
      .catch(() => undefined)
      .finally(() => (this.running = undefined));
    await this.running;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops checking and cancels a running sync; resolves once that run has written its history. */
  async dispose(): Promise<void> {
    this.stop();
    this.controller.abort();
    await this.running;
  }
}
