// What the engine and the demo warehouse's worker thread say to each other (demoWarehouse.ts, demoWorker.ts).

/** One statement. `raw`: rows as arrays of the server's text (what the preview shows); else objects. */
export interface DemoStep {
  sql: string;
  params?: unknown[];
  /** Several statements in one text, no result (PGlite's exec). */
  exec?: boolean;
  raw?: boolean;
}

export interface DemoResult {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
}

export interface DemoRequest {
  id: number;
  steps: DemoStep[];
  /** Run the steps in one transaction, committed or (with 'rollback') rolled back at the end. */
  transaction?: 'commit' | 'rollback';
}

export interface DemoFailure {
  message: string;
  code?: string;
  /** 1-based character position in the failed step's text, as PostgreSQL reports it. */
  position?: string;
  /** Index of the step that failed. */
  step?: number;
}

/**
 * How far a starting worker is. The first start creates the database files and the sample data (seconds,
 * the first time only); later starts open what is there.
 */
export type DemoStartPhase = 'opening' | 'creating' | 'seeding';

export type DemoReply =
  | { type: 'ready' }
  | { type: 'starting'; phase: DemoStartPhase }
  | { type: 'startFailed'; message: string }
  | { type: 'result'; id: number; ok: true; results: DemoResult[] }
  | { type: 'result'; id: number; ok: false; error: DemoFailure }
  | { type: 'closed' };

export type DemoCommand = { type: 'run'; request: DemoRequest } | { type: 'close' };

export interface DemoWorkerData {
  dataDir: string;
}
