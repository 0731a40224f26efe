// Export of a model's whole result: the same read-only check and warehouse rules as a preview, one
// cursor read to the end in batches, each encoded and written before the next is fetched.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ExportFormat } from '../../../protocol/src/export';
import type { PreviewError } from '../../../protocol/src/preview';
import type { Engine } from '../engine';
import { previewError } from '../preview/previewService';
import { positionAt } from '../sql/sqlLexer';
import { checkReadOnlyStatement, dialectOf } from '../sql/statementCheck';
import { encoderFor, type RowEncoder } from './exportFormats';
import { ExportFileError, type ExportTarget } from './exportTarget';
import type { TextRow } from '../warehouse/warehouse';

export interface ExportRequest {
  modelId: string;
  format: ExportFormat;
  /** The text to run; defaults to the model's query file. */
  sql?: string;
  /** Per statement (each fetch); defaults to the preview timeout. */
  timeoutMs?: number;
}

export interface ExportResult {
  rows: number;
  bytes: number;
  ms: number;
}

/** Text encoded at once: a batch of wide rows as one string could pass V8's limit (~512 M characters). */
export const SLICE_CHARS = 4 * 1024 * 1024;

/** `batch` in runs of rows of about SLICE_CHARS of text each (a row alone when it is wider). */
export function* textSlices(batch: TextRow[]): Generator<TextRow[]> {
  let start = 0;
  let chars = 0;
  for (let i = 0; i < batch.length; i++) {
    for (const v of batch[i]!) chars += 4 + (v?.length ?? 0);
    if (chars >= SLICE_CHARS) {
      yield batch.slice(start, i + 1);
      start = i + 1;
      chars = 0;
    }
  }
  if (start < batch.length) yield start === 0 ? batch : batch.slice(start);
}

/** How often progress is reported while rows are written. */
const PROGRESS_EVERY_MS = 250;

/** The query did not run or stopped: what the user sees, positioned in the model's file where known. */
export class ExportError extends Error {
  constructor(
    readonly error: PreviewError,
    /** Rows written before it stopped. */
    readonly rows: number,
  ) {
    super(error.message);
  }
}

/**
 * Refuses a file that holds the workspace itself: an export named like a model's query file (a slip
 * of the save dialog, or `-o models/x.sql`) would replace the model's SQL with its rows. Compared by
 * real path (a link to the folder, /proc/self/cwd) and, where the file exists, by device and inode (a
 * hard link).
 */
export async function checkExportPath(engine: Engine, file: string): Promise<void> {
  const real = async (p: string) => path.join(await fs.realpath(path.dirname(p)).catch(() => path.dirname(p)), path.basename(p));
  const identity = async (p: string) => {
    const st = await fs.stat(p).catch(() => undefined);
    return st ? `${st.dev}:${st.ino}` : undefined;
  };
  const target = await real(path.resolve(file));
  const targetId = await identity(target);
  const protectedFiles: [file: string, what: string][] = [
    [engine.store.configPath, "the workspace's retl.yaml"],
    ...(engine.store.config?.models ?? []).map((m): [string, string] => [engine.store.resolve(m.query), `the query file of model "${m.id}"`]),
  ];
  for (const [own, what] of protectedFiles) {
    const same = (await real(own)) === target || (targetId !== undefined && (await identity(own)) === targetId);
    if (same) throw new ExportFileError(`${file} is ${what}; choose another file.`);
  }
}

export async function exportModel(engine: Engine, req: ExportRequest, target: ExportTarget, signal: AbortSignal, onProgress: (rows: number) => void = () => undefined): Promise<ExportResult> {
  const started = performance.now();
  const model = engine.model(req.modelId);
  const creds = engine.credentials(model.credentials);
  const sql = req.sql ?? (await engine.modelSql(model));
  const check = await checkReadOnlyStatement(sql, dialectOf(creds.type));
  if (!check.ok) {
    throw new ExportError({ kind: check.kind, message: check.message, ...(check.offset !== undefined ? { position: positionAt(sql, check.offset) } : {}) }, 0);
  }
  const warehouse = await engine.warehouses.get(creds);
  let encoder: RowEncoder | undefined;
  let rows = 0;
  let reported = performance.now();
  // A failure of our own writing (a full disk, a closed pipe) is reported as it is, not as the warehouse's.
  let writeFailure: { error: unknown } | undefined;
  const write = async (text: string) => {
    try {
      await target.write(text, signal);
    } catch (err) {
      writeFailure ??= { error: err };
      throw err;
    }
  };
  try {
    await warehouse.readAll(check.statement, { timeoutMs: req.timeoutMs ?? engine.settings.timeoutMs, signal }, {
      columns: async (columns) => {
        encoder = encoderFor(req.format, columns);
        await write(encoder.start());
      },
      rows: async (batch) => {
        for (const part of textSlices(batch)) await write(encoder!.rows(part));
        rows += batch.length;
        const now = performance.now();
        if (now - reported >= PROGRESS_EVERY_MS) {
          reported = now;
          onProgress(rows);
        }
      },
    });
  } catch (err) {
    if (signal.aborted) throw new ExportError({ kind: 'cancelled', message: 'Cancelled.' }, rows);
    if (writeFailure) throw writeFailure.error;
    throw new ExportError(previewError(err, sql, check.offset), rows);
  }
  if (signal.aborted) throw new ExportError({ kind: 'cancelled', message: 'Cancelled.' }, rows);
  onProgress(rows);
  return { rows, bytes: target.bytes, ms: Math.round(performance.now() - started) };
}
