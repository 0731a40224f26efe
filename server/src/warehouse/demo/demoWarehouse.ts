// The embedded demo warehouse: PostgreSQL compiled to wasm (PGlite), on a worker thread of its own
// (demoWorker.ts) so the engine keeps answering while it runs a query. PGlite cannot stop inside a
// statement and ignores statement_timeout, so a timeout or Cancel terminates the worker; the next
// request starts a new one on the same data directory (no seeding then: under a second).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { raceAbort } from '../abort';
import { abortError, timedOutError, WarehouseError } from '../warehouse';
import type { DemoCommand, DemoFailure, DemoReply, DemoRequest, DemoResult, DemoStartPhase, DemoWorkerData } from './demoMessages';

/** What a waiting user is told while the demo warehouse starts; undefined once it answers. */
export function demoStartText(phase: DemoStartPhase | undefined): string | undefined {
  switch (phase) {
    case 'creating':
      return 'Starting the demo warehouse (first time: creating the database, step 1 of 2)…';
    case 'seeding':
      return 'Starting the demo warehouse (first time: creating the sample data, step 2 of 2)…';
    case 'opening':
      return 'Starting the demo warehouse…';
    default:
      return undefined;
  }
}

type StartListener = (phase: DemoStartPhase | undefined) => void;
const startListeners = new Set<StartListener>();

/**
 * Hears every demo warehouse of this process start: each phase, then undefined when it is ready or
 * failed. A listener added while one is starting hears the current phase at once.
 */
export function onDemoStart(listener: StartListener): { dispose(): void } {
  startListeners.add(listener);
  for (const host of hosts.values()) if (host.startPhase) listener(host.startPhase);
  return { dispose: () => startListeners.delete(listener) };
}

/** Built next to this module (out/) and next to the engine bundle (dist/) under the same name. */
const WORKER_FILE = path.join(__dirname, 'demoWorker.js');

/** A failure the demo database reported, with its SQLSTATE and position. */
export class DemoQueryError extends Error {
  constructor(readonly failure: DemoFailure) {
    super(failure.message);
  }
}

export interface RunOptions {
  transaction?: DemoRequest['transaction'];
  /** Stops the query (by restarting the worker) when it runs longer; 0: no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The session this request belongs to (see `session`): its BEGIN, settings and temporary tables live
   * in one worker only, so a request never goes to a worker started after that one stopped.
   */
  session?: DemoSession;
}

/** The worker a session's first request ran on. */
export interface DemoSession {
  running?: Running;
}

interface Running {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, { resolve(results: DemoResult[]): void; reject(err: Error): void }>;
}

export class DemoHost {
  private running: Running | undefined;
  private nextId = 1;
  /** Requests and sessions take turns: a sync's BEGIN … COMMIT must not meet a preview's statements. */
  private turn: Promise<unknown> = Promise.resolve();
  /** How many times a worker was started (a test and the bench read it). */
  starts = 0;
  /** The phase of the worker starting now, if one is. */
  startPhase: DemoStartPhase | undefined;
  private starting: Running | undefined;

  constructor(readonly dataDir: string) {}

  /** One request, when its turn comes. */
  run(steps: DemoRequest['steps'], options: RunOptions = {}): Promise<DemoResult[]> {
    return this.exclusive(options.signal, () => this.send(steps, options));
  }

  /** `fn` alone on the database; it sends with `send`. Waiting for the turn ends when `signal` aborts. */
  exclusive<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    let started = false;
    const mine = this.turn.then(() => {
      if (signal?.aborted) throw abortError();
      started = true;
      return fn();
    });
    this.turn = mine.catch(() => undefined);
    if (!signal) return mine;
    // Cancelled while waiting for the turn: the caller is told at once and the turn is skipped. Once `fn`
    // runs, it answers for itself (a session still cleaning up must not be reported as over).
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!started) reject(abortError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      mine.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * `fn` alone on the database, as one session: its requests (sent with `send`) all go to one worker.
   * A worker that stopped meanwhile (a timeout, Cancel, close() at shutdown) fails the session's later
   * requests: on a new worker they would run outside the session's transaction, autocommitted. At the
   * end the session's transaction, settings and temporary tables are discarded, as on a pooled
   * PostgreSQL connection: left open, the next preview's page would commit the session's writes.
   */
  session<T>(signal: AbortSignal | undefined, fn: (send: (steps: DemoRequest['steps'], options?: RunOptions) => Promise<DemoResult[]>) => Promise<T>): Promise<T> {
    return this.exclusive(signal, async () => {
      const session: DemoSession = {};
      try {
        return await fn((steps, options = {}) => this.send(steps, { ...options, session }));
      } finally {
        if (session.running && session.running === this.running) {
          await this.send([{ sql: 'ROLLBACK' }, { sql: 'DISCARD ALL' }], { session }).catch(() => undefined);
        }
      }
    });
  }

  /** Sends one request now: only inside `exclusive` (or through `run`). */
  async send(steps: DemoRequest['steps'], options: RunOptions = {}): Promise<DemoResult[]> {
    if (options.signal?.aborted) throw abortError();
    if (options.session?.running && options.session.running !== this.running) {
      throw new WarehouseError('The demo warehouse was restarted during this session; its transaction and temporary tables are gone.', 'other');
    }
    const running = this.start();
    if (options.session) options.session.running = running;
    // A start (seeding, or recovery after a stopped query) is left to finish for the next request.
    await (options.signal ? raceAbort(running.ready, options.signal, () => undefined) : running.ready);
    if (options.signal?.aborted) throw abortError();
    const id = this.nextId++;
    return new Promise<DemoResult[]>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.stop(running, abortError());
      const done = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      running.pending.set(id, {
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      });
      // 0 or no timeout: none (a sync's model read may take as long as it takes).
      if (options.timeoutMs) timer = setTimeout(() => this.stop(running, timedOutError(options.timeoutMs!)), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const request: DemoRequest = { id, steps, ...(options.transaction ? { transaction: options.transaction } : {}) };
      running.worker.postMessage({ type: 'run', request } satisfies DemoCommand);
    });
  }

  /** Starts the worker unless one runs. */
  private start(): Running {
    if (this.running) return this.running;
    this.starts++;
    const worker = new Worker(WORKER_FILE, { workerData: { dataDir: this.dataDir } satisfies DemoWorkerData });
    const pending: Running['pending'] = new Map();
    let ready!: () => void;
    let failed!: (err: Error) => void;
    const running: Running = { worker, pending, ready: new Promise<void>((res, rej) => ((ready = res), (failed = rej))) };
    running.ready.catch(() => undefined);
    // Only the newest worker speaks: one stopped while starting must not clear its successor's phase.
    const phase = (p: DemoStartPhase | undefined) => {
      if (this.starting !== running || this.startPhase === p) return;
      this.startPhase = p;
      for (const l of startListeners) l(p);
    };
    this.starting = running;
    running.ready.then(() => phase(undefined), () => phase(undefined));
    worker.on('message', (m: DemoReply) => {
      if (m.type === 'starting') phase(m.phase);
      else if (m.type === 'ready') ready();
      else if (m.type === 'startFailed') {
        failed(new WarehouseError(`The demo warehouse could not start: ${m.message}`, 'other'));
        this.stop(running);
      } else if (m.type === 'result') {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.ok) p?.resolve(m.results);
        else p?.reject(new DemoQueryError(m.error));
      }
    });
    const gone = (why: string) => {
      const err = new WarehouseError(`The demo warehouse stopped: ${why}`, 'other');
      failed(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      if (this.running === running) this.running = undefined;
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`its thread exited (code ${code}).`));
    this.running = running;
    return running;
  }

  /** Ends the worker at once; the request that waited on it fails with `why`. */
  private stop(running: Running, why?: WarehouseError): void {
    if (this.running === running) this.running = undefined;
    for (const p of running.pending.values()) p.reject(why ?? new WarehouseError('The demo warehouse was restarted.', 'other'));
    running.pending.clear();
    void running.worker.terminate();
  }

  /** Closes the database cleanly (a later request starts it again). */
  async close(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    // A query still running would make a clean close wait for it: end the thread instead.
    if (running.pending.size > 0) return this.stop(running, abortError());
    const exited = new Promise<void>((resolve) => running.worker.once('exit', () => resolve()));
    try {
      await running.ready;
      running.worker.postMessage({ type: 'close' } satisfies DemoCommand);
      const timer = setTimeout(() => void running.worker.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
    } catch {
      await running.worker.terminate();
    }
  }
}

const hosts = new Map<string, DemoHost>();

/** The demo warehouse of a data directory: one per process, started on first use. */
export function openDemoWarehouse(dataDir: string): DemoHost {
  let host = hosts.get(dataDir);
  if (!host) {
    host = new DemoHost(dataDir);
    hosts.set(dataDir, host);
  }
  return host;
}

export async function closeDemoWarehouses(): Promise<void> {
  const all = [...hosts.values()];
  hosts.clear();
  await Promise.all(all.map((h) => h.close()));
}
