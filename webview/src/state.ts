// The panel's state and the one place it changes: `reduce(state, event)`, pure, with no DOM. An event is a
// message from the extension (ToWebview) or something the user did in the panel (UiEvent). Every change
// makes a new object for the slice it touches and keeps the others, so a feature can tell by reference
// whether its slice changed. Only `durable(state)` is saved with setState: the rest the host re-sends.
import type { Cell, PreviewError, PreviewPage } from '../../protocol/src/preview';
import { isTruncated } from '../../protocol/src/preview';
import type { CheckResult } from '../../protocol/src/verify';
import type { SyncRunRecord } from '../../protocol/src/sync';
import type { ConnectionActivity, ExportStatus, PanelModel, PanelTab, ToWebview } from '../../protocol/src/webviewMessages';

export const TABS: readonly PanelTab[] = ['sources', 'configuration', 'settings'];

/** The query editor's text while editing (absent: the read-only view). */
export interface Draft {
  description: string;
  sql: string;
  /** '' = none. */
  primaryKey: string;
}

/** The preview section: the page shown, a run in flight (its page number), the last error, a cell's whole value. */
export interface Preview {
  page?: PreviewPage;
  running?: number;
  /** What the warehouse is doing meanwhile, when it says (the demo warehouse's first start). */
  status?: string;
  error?: PreviewError;
  whole?: { label: string; value: string };
}

/** The mapping being edited: column → field ('' = not sent). */
export interface MappingDraft {
  connectionId: string;
  columns: string[];
  fields: Record<string, string>;
  primaryKey?: string;
  json: boolean;
  /** The JSON text does not parse into a mapping: why (the fields keep their last good value). */
  jsonError?: string;
}

export interface PanelState {
  data?: PanelModel;
  tab: PanelTab;
  draft?: Draft;
  /** The page number last shown (durable; the page itself the host re-sends). */
  pageNumber?: number;
  preview: Preview;
  focus: { row: number; column: number };
  checks?: CheckResult[];
  verifying: boolean;
  lastRuns?: Record<string, SyncRunRecord | null>;
  /** The one connection whose runs and failed rows are open in the Sources tab; `data` once read. */
  activity?: { connectionId: string; data?: ConnectionActivity };
  mapping?: MappingDraft;
  renaming: boolean;
  /** This panel's export: running (rows so far) or how the last one ended. Transient: the host re-sends it. */
  export?: ExportStatus;
}

/** What the panel keeps across hide/show: never a run in flight or a pending verification. */
export interface DurableState {
  tab: PanelTab;
  draft?: Draft;
  page?: number;
}

/** Things done in the panel itself; each changes state only through reduce. */
export type UiEvent =
  | { type: 'selectTab'; tab: PanelTab }
  | { type: 'openRename' }
  | { type: 'closeRename' }
  | { type: 'startEdit' }
  | { type: 'cancelEdit' }
  | { type: 'editDraft'; description?: string; sql?: string; primaryKey?: string }
  | { type: 'focusCell'; row: number; column: number }
  | { type: 'mapField'; column: string; field: string }
  | { type: 'mapJson'; fields: Record<string, string> }
  | { type: 'mapJsonError'; message: string }
  | { type: 'toggleMappingJson' }
  | { type: 'closeMapping' }
  | { type: 'openActivity'; connectionId: string }
  | { type: 'closeActivity' };

export type PanelEvent = ToWebview | UiEvent;

const EMPTY_PREVIEW: Preview = {};

/** The state a panel starts with, from what setState kept (anything malformed is ignored). */
export function initialState(saved?: unknown): PanelState {
  const s: PanelState = { tab: 'configuration', preview: EMPTY_PREVIEW, focus: { row: 0, column: 0 }, verifying: false, renaming: false };
  if (!saved || typeof saved !== 'object') return s;
  const d = saved as Record<string, unknown>;
  if (typeof d.tab === 'string' && (TABS as readonly string[]).includes(d.tab)) s.tab = d.tab as PanelTab;
  const draft = d.draft as Record<string, unknown> | undefined;
  if (draft && typeof draft === 'object' && typeof draft.description === 'string' && typeof draft.sql === 'string') {
    s.draft = { description: draft.description, sql: draft.sql, primaryKey: typeof draft.primaryKey === 'string' ? draft.primaryKey : '' };
  }
  if (typeof d.page === 'number' && Number.isSafeInteger(d.page) && d.page >= 1) s.pageNumber = d.page;
  return s;
}

/** The slice saved with setState: tab, draft text, page number. */
export function durable(s: PanelState): DurableState {
  return { tab: s.tab, ...(s.draft ? { draft: s.draft } : {}), ...(s.pageNumber !== undefined ? { page: s.pageNumber } : {}) };
}

export function reduce(s: PanelState, e: PanelEvent): PanelState {
  switch (e.type) {
    // ---- from the extension
    case 'model':
      return { ...s, data: e.data };
    case 'verify':
      return { ...s, checks: e.checks, verifying: e.running };
    case 'previewRunning':
      return { ...s, preview: { ...s.preview, running: e.page, status: undefined, error: undefined } };
    case 'previewStatus':
      return s.preview.running === undefined || s.preview.status === e.message ? s : { ...s, preview: { ...s.preview, status: e.message || undefined } };
    case 'preview':
      return { ...s, preview: { page: e.page }, pageNumber: e.page.page, focus: { row: 0, column: 0 } };
    case 'previewError':
      // A new run that fails clears the rows of the previous one: under its error they would read as its
      // result. A page that fails leaves the page shown, which is still this query's.
      return { ...s, preview: e.paging && s.preview.page ? { page: s.preview.page, error: e.error } : { error: e.error } };
    case 'cellValue': {
      const page = s.preview.page;
      const label = `Row ${(e.page - 1) * (page?.pageSize ?? 50) + e.row + 1}, ${page?.columns[e.column]?.name ?? ''}`;
      return { ...s, preview: { ...s.preview, whole: { label, value: wholeText(e.value) } } };
    }
    case 'saved':
      return s.draft ? { ...s, draft: undefined } : s;
    case 'showTab':
      return s.tab === e.tab ? s : { ...s, tab: e.tab };
    case 'lastRuns':
      return { ...s, lastRuns: e.runs };
    case 'mappingEditor':
      return {
        ...s,
        tab: 'sources',
        mapping: {
          connectionId: e.connectionId,
          columns: e.columns,
          // Without a mapping every column is sent under its own name.
          fields: Object.fromEntries(e.columns.map((c) => [c, e.mapping ? (e.mapping[c] ?? '') : c])),
          ...(e.primaryKey ? { primaryKey: e.primaryKey } : {}),
          json: false,
        },
      };
    case 'mappingSaved':
      return s.mapping?.connectionId === e.connectionId ? { ...s, mapping: undefined } : s;
    case 'activity':
      return s.activity?.connectionId === e.connectionId ? { ...s, activity: { connectionId: e.connectionId, data: e.activity } } : s;
    case 'exportStatus':
      return { ...s, export: e.status };
    // ---- from the panel
    case 'selectTab':
      return s.tab === e.tab ? s : { ...s, tab: e.tab };
    case 'openRename':
      return s.renaming ? s : { ...s, renaming: true };
    case 'closeRename':
      return s.renaming ? { ...s, renaming: false } : s;
    case 'startEdit':
      return s.data ? { ...s, draft: { description: s.data.model.description ?? '', sql: s.data.sql, primaryKey: s.data.model.primaryKey ?? '' } } : s;
    case 'cancelEdit':
      return s.draft ? { ...s, draft: undefined } : s;
    case 'editDraft': {
      if (!s.draft) return s;
      const draft = { description: e.description ?? s.draft.description, sql: e.sql ?? s.draft.sql, primaryKey: e.primaryKey ?? s.draft.primaryKey };
      return draft.description === s.draft.description && draft.sql === s.draft.sql && draft.primaryKey === s.draft.primaryKey ? s : { ...s, draft };
    }
    case 'focusCell':
      return s.focus.row === e.row && s.focus.column === e.column ? s : { ...s, focus: { row: e.row, column: e.column } };
    case 'mapField':
      return s.mapping ? { ...s, mapping: { ...s.mapping, fields: { ...s.mapping.fields, [e.column]: e.field }, jsonError: undefined } } : s;
    case 'mapJson':
      return s.mapping ? { ...s, mapping: { ...s.mapping, fields: Object.fromEntries(s.mapping.columns.map((c) => [c, e.fields[c] ?? ''])), jsonError: undefined } } : s;
    case 'mapJsonError':
      return s.mapping ? { ...s, mapping: { ...s.mapping, jsonError: e.message } } : s;
    case 'toggleMappingJson':
      return s.mapping ? { ...s, mapping: { ...s.mapping, json: !s.mapping.json, jsonError: undefined } } : s;
    case 'closeMapping':
      return s.mapping ? { ...s, mapping: undefined } : s;
    case 'openActivity':
      return s.activity?.connectionId === e.connectionId ? s : { ...s, activity: { connectionId: e.connectionId } };
    case 'closeActivity':
      return s.activity ? { ...s, activity: undefined } : s;
    default:
      // A message of a type this panel does not know (an older or newer host) changes nothing.
      return s;
  }
}

/** Export Results… needs a query that ran OK here (a page shows) and no export of this panel running. */
export function canExport(s: PanelState): boolean {
  return s.preview.page !== undefined && s.export?.running !== true;
}

function wholeText(v: Cell): string {
  if (v === null) return 'NULL';
  return isTruncated(v) ? v.truncated : String(v);
}

/** What is wrong with a mapping, or undefined when it can be saved. */
export function mappingProblem(m: MappingDraft): string | undefined {
  if (m.jsonError) return m.jsonError;
  if (m.primaryKey && !m.fields[m.primaryKey]?.trim()) return `The primary key "${m.primaryKey}" must be sent: the destination matches rows on it.`;
  const fields = Object.values(m.fields).map((f) => f.trim()).filter(Boolean);
  if (fields.length === 0) return 'Send at least one column.';
  const twice = fields.find((f, i) => fields.indexOf(f) !== i);
  return twice ? `The field "${twice}" is mapped from two columns.` : undefined;
}

/** The mapping as saved: the columns sent, with their trimmed field names. */
export function mappingOf(m: MappingDraft): Record<string, string> {
  return Object.fromEntries(Object.entries(m.fields).filter(([, f]) => f.trim()).map(([c, f]) => [c, f.trim()]));
}
