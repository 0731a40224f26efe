// Connections with an interval schedule (`15m`, `1h`, `1d`) run when they are due: in the engine while
// VS Code is open, and from `retl schedule` in a terminal, cron or a container. "Due" is read from the run
// history in the warehouse, so restarting VS Code does not run everything again, and two places that
// schedule the same connection are kept apart by the sync's lock.
import type { Connection } from '../../../protocol/src/config';
import type { SyncOutcome } from '../../../protocol/src/sync';
import type { Engine } from '../engine';
import { syncHistory } from './syncConnection';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `15m` → 900000; `manual` or no schedule → undefined. */
export function scheduleIntervalMs(schedule: string | undefined): number | undefined {
  const m = /^([1-9][0-9]*)([mhd])$/.exec(schedule ?? '');
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

export interface ScheduledRun {
  connectionId: string;
  outcome: SyncOutcome;
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

/** Runs every connection that is due, one after another; returns what ran. */
export async function runDueConnections(
  engine: Engine,
  run: (connectionId: string) => Promise<SyncOutcome>,
  signal: AbortSignal,
  options: DueOptions = {},
): Promise<ScheduledRun[]> {
  const now = options.now ?? Date.now;
  const known = options.known ?? new Map<string, number>();
  const readLast: LastRunReader =
    options.readLast ??
    (async (id, s) => {
      const [latest] = await syncHistory(engine, id, s, 1);
      return latest ? Date.parse(latest.startedAt) : undefined;
    });
  const connections: Connection[] = engine.store.config?.connections ?? [];
  const ran: ScheduledRun[] = [];
  for (const c of connections) {
    const interval = scheduleIntervalMs(c.schedule);
    if (interval === undefined || !c.destination || signal.aborted) continue;
    const remembered = known.get(c.id);
    if (remembered !== undefined && now() - remembered < interval) continue;
    let last: number | undefined;
    try {
      last = await readLast(c.id, signal);
    } catch (err) {
      ran.push({ connectionId: c.id, outcome: { ok: false, message: `Cannot read its run history: ${(err as Error).message}` } });
      continue;
    }
    if (last !== undefined) known.set(c.id, last);
    if (last !== undefined && now() - last < interval) continue;
    known.set(c.id, now());
    const outcome = await run(c.id);
    // A run refused before it began (a warehouse not reachable) left no history: the next tick tries again.
    if (!outcome.ok) known.delete(c.id);
    ran.push({ connectionId: c.id, outcome });
  }
  return ran;
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
    private readonly onRun: (r: ScheduledRun) => void,
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
      .then((runs) => runs.forEach((r) => this.onRun(r)))
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
