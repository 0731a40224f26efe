// Export of a model's whole result to a file: what the panel asks the engine and what the engine reports.

export type ExportFormat = 'csv' | 'jsonl';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl'];

/** The format a file name asks for: .jsonl / .ndjson / .json → JSON Lines; anything else CSV. */
export function formatForPath(file: string): ExportFormat {
  return /\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv';
}

export interface ExportParams {
  /** Chosen by the client; progress notifications carry it. */
  exportId: string;
  modelId: string;
  format: ExportFormat;
  /** Absolute path of the file to write. It is written beside under another name and renamed when complete. */
  path: string;
  /** The text to run (the panel's last run, maybe unsaved); defaults to the model's query file. */
  sql?: string;
}

export type ExportFailureKind = 'refused' | 'cancelled' | 'warehouse' | 'io';

export type ExportOutcome =
  | { ok: true; rows: number; bytes: number; ms: number; path: string }
  | { ok: false; kind: ExportFailureKind; message: string };

/** Engine → client while an export runs: rows written so far (at most a few times a second). */
export interface ExportProgress {
  exportId: string;
  rows: number;
}

/** "1 row" / "12,345 rows", the same in the CLI, the notification and the panel. */
export function rowsText(n: number): string {
  return `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`;
}

/** "512 B", "3.2 MB": binary units, as VS Code shows file sizes; the same in the CLI and the extension. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${v.toFixed(1)} ${units[i]}`;
}
