// Messages between the model panel (webview) and the extension. Typed once, used by both sides.
import type { Connection, Credentials, ModelSummary } from './config';
import type { Cell, PreviewError, PreviewPage } from './preview';
import type { CheckResult } from './verify';
import type { FailedRowRecord, SyncRunRecord } from './sync';

export type PanelTab = 'sources' | 'configuration' | 'settings';

export interface PanelModel {
  model: ModelSummary;
  /** The query file's current text. */
  sql: string;
  credentials: Credentials[];
  connections: Connection[];
  /** retl.yaml's time zone for cron schedules (UTC when absent). */
  timeZone?: string;
}

/** Extension → webview. */
export type ToWebview =
  | { type: 'model'; data: PanelModel }
  | { type: 'verify'; checks: CheckResult[]; running: boolean }
  | { type: 'previewRunning'; page: number }
  /** What the warehouse is doing while the run waits (the demo warehouse starting, seeding the first time); no message: it is up. */
  | { type: 'previewStatus'; message?: string }
  | { type: 'preview'; page: PreviewPage }
  /** `paging`: a page of the result shown failed (that page stays); else the run failed (no page shows). */
  | { type: 'previewError'; error: PreviewError; paging?: boolean }
  | { type: 'cellValue'; page: number; row: number; column: number; value: Cell }
  | { type: 'saved' }
  | { type: 'showTab'; tab: PanelTab }
  /** The latest run of each connection of the model (null: never synced), read from the run history. */
  | { type: 'lastRuns'; runs: Record<string, SyncRunRecord | null> }
  /** Opens the mapping editor of a connection with the columns the query returns now. */
  | { type: 'mappingEditor'; connectionId: string; columns: string[]; mapping: Record<string, string> | null; primaryKey?: string }
  | { type: 'mappingSaved'; connectionId: string }
  /** A connection's recent runs and its failed rows, for its activity in the Sources tab. */
  | { type: 'activity'; connectionId: string; activity: ConnectionActivity }
  /** The export of this panel's result to a file (the notification shows it too). */
  | { type: 'exportStatus'; status: ExportStatus };

/** Running: rows written so far. Ended: one line saying how (written, cancelled, failed) for the toolbar. */
export type ExportStatus = { running: true; rows: number } | { running: false; ok: boolean; message: string };

export type ConnectionActivity = { ok: true; runs: SyncRunRecord[]; failures: FailedRowRecord[] } | { ok: false; message: string };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  /** Run the given text (the edited query) or, without it, the saved query file. */
  | { type: 'runQuery'; sql?: string }
  | { type: 'page'; page: number }
  | { type: 'cancel' }
  | { type: 'cell'; page: number; row: number; column: number }
  /** Save the edited configuration; `primaryKey` '' removes the key, absent leaves it as it is. */
  | { type: 'finish'; description: string; sql: string; primaryKey?: string }
  | { type: 'rename'; name: string }
  | { type: 'delete' }
  | { type: 'verify' }
  | { type: 'switchCredentials'; credentialsId: string }
  | { type: 'editCredentials' }
  | { type: 'copy'; text: string; what: string }
  | { type: 'goToLine'; line: number; column: number }
  | { type: 'revealConnection'; connectionId: string }
  | { type: 'syncNow'; connectionId: string }
  | { type: 'editMapping'; connectionId: string }
  | { type: 'saveMapping'; connectionId: string; mapping: Record<string, string> }
  | { type: 'pauseConnection'; connectionId: string; paused: boolean }
  /** Send only the connection's failed rows again. */
  | { type: 'retryFailed'; connectionId: string }
  /** Read the connection's recent runs and failed rows (answered with `activity`). */
  | { type: 'loadActivity'; connectionId: string }
  /** Export every row of the last query that ran here (run again on the warehouse) to a file the user picks. */
  | { type: 'exportResults' }
  /** Stop the export in flight; nothing is written. */
  | { type: 'cancelExport' };
