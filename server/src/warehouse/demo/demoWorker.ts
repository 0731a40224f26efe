// The demo warehouse's own thread. PGlite runs a statement synchronously inside wasm and cannot be
// interrupted, so on the engine's thread one slow model would stop the language server, Cancel and
// Ctrl-C with it. Here it blocks only this thread, which the engine terminates to stop it.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';
import { startDemoDatabase } from './demoDatabase';
import type { DemoCommand, DemoFailure, DemoReply, DemoRequest, DemoResult, DemoStep, DemoWorkerData } from './demoMessages';

// Oids PGlite would turn into JavaScript values; the preview wants the warehouse's own text.
const RAW_OIDS = [16, 17, 20, 21, 23, 26, 114, 700, 701, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 3802];
const RAW_PARSERS = Object.fromEntries(RAW_OIDS.map((oid) => [oid, (v: string) => v]));

const port = parentPort!;
const reply = (r: DemoReply) => port.postMessage(r);
const { dataDir } = workerData as DemoWorkerData;

const started = startDemoDatabase(dataDir, (phase) => reply({ type: 'starting', phase }));
started.then(
  () => reply({ type: 'ready' }),
  (err: unknown) => reply({ type: 'startFailed', message: (err as Error).message }),
);

// Requests arrive one at a time (the engine waits for each answer), so no two transactions interleave.
port.on('message', (command: DemoCommand) => void handle(command));

async function handle(command: DemoCommand): Promise<void> {
  const db = await started;
  if (command.type === 'close') {
    await db.close();
    reply({ type: 'closed' });
    port.close();
    return;
  }
  const { id } = command.request;
  try {
    reply({ type: 'result', id, ok: true, results: await run(db, command.request) });
  } catch (err) {
    reply({ type: 'result', id, ok: false, error: failure(err) });
  }
}

async function run(db: PGlite, request: DemoRequest): Promise<DemoResult[]> {
  const end = request.transaction;
  if (!end) return steps(db, request.steps);
  return db.transaction(async (tx) => {
    const results = await steps(tx, request.steps);
    if (end === 'rollback') await tx.rollback();
    return results;
  });
}

async function steps(db: PGlite | Transaction, list: DemoStep[]): Promise<DemoResult[]> {
  const results: DemoResult[] = [];
  for (const [index, step] of list.entries()) {
    try {
      results.push(await one(db, step));
    } catch (err) {
      (err as { step?: number }).step ??= index;
      throw err;
    }
  }
  return results;
}

async function one(db: PGlite | Transaction, step: DemoStep): Promise<DemoResult> {
  if (step.exec) {
    await db.exec(step.sql);
    return { rows: [], fields: [] };
  }
  const r = step.raw ? await db.query<unknown[]>(step.sql, step.params ?? [], { rowMode: 'array', parsers: RAW_PARSERS }) : await db.query(step.sql, step.params ?? []);
  return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) };
}

function failure(err: unknown): DemoFailure {
  const e = err as { message?: string; code?: string; position?: string; step?: number };
  return {
    message: e.message ?? String(err),
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.position !== undefined ? { position: String(e.position) } : {}),
    ...(e.step !== undefined ? { step: e.step } : {}),
  };
}
