// Sync Now, Full Sync, Retry Failed Rows, Pause / Resume, Preview Sync and Show History for a connection: from its node in the Models view or
// from the palette (then a pick list of the connections). The engine does the work; this shows progress,
// offers Cancel, and reports what was sent (or, for a preview, what would be).
import * as vscode from 'vscode';
import { planSentence, runPace, waitingSentence, type SyncResult, type SyncRunRecord } from '../../protocol/src/sync';
import type { EngineClient } from './engineClient';

/** A connection node of the Models view carries its id. */
function connectionIdOf(arg: unknown): string | undefined {
  const node = arg as { kind?: string; connectionId?: string } | undefined;
  return node?.kind === 'connection' ? node.connectionId : typeof arg === 'string' ? arg : undefined;
}

async function pickConnection(engine: EngineClient, arg: unknown, title: string): Promise<string | undefined> {
  const given = connectionIdOf(arg);
  if (given) return given;
  const state = await engine.state();
  if (state.connections.length === 0) {
    void vscode.window.showInformationMessage('No connection yet: add one under "connections" in retl.yaml.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    state.connections.map((c) => ({ label: c.id, description: `${c.model} → ${c.destination ?? 'no destination'}` })),
    { title, placeHolder: 'Connection' },
  );
  return picked?.label;
}

export function summary(r: SyncResult): string {
  const parts = [`${r.added} added`, `${r.changed} changed`, `${r.removed} removed`];
  if (r.failed) parts.push(`${r.failed} refused by the destination`);
  if (r.invalid) parts.push(`${r.invalid} rows with a NULL or duplicate key`);
  return `${parts.join(', ')} in ${(r.durationMs / 1000).toFixed(1)} s`;
}

export type SyncMode = 'changes' | 'full' | 'failedOnly';

const SYNC_TITLES: Record<SyncMode, [title: string, running: string]> = {
  changes: ['Sync Now', 'Syncing'],
  full: ['Full Sync', 'Full sync of'],
  failedOnly: ['Retry Failed Rows', 'Retrying the failed rows of'],
};

export async function syncNow(engine: EngineClient, arg: unknown, mode: SyncMode): Promise<void> {
  const [title, running] = SYNC_TITLES[mode];
  const connectionId = await pickConnection(engine, arg, title);
  if (!connectionId) return;
  if (mode === 'full') {
    const go = await vscode.window.showWarningMessage(
      `Send every row of "${connectionId}" again, not only the changes?`,
      { modal: true, detail: 'Destinations upsert on the key, so rows they already have are overwritten with the same values.' },
      'Full Sync',
    );
    if (go !== 'Full Sync') return;
  }
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `${running} "${connectionId}"`, cancellable: true },
    async (progress, token) => {
      progress.report({ message: 'computing the changes in the warehouse…' });
      const sub = engine.onSyncProgress((p) => {
        if (p.connectionId === connectionId) progress.report({ message: `${p.sent.toLocaleString()} of ${p.total.toLocaleString()} rows sent` });
      });
      try {
        return await engine.syncRun(connectionId, mode, token);
      } finally {
        sub.dispose();
      }
    },
  );
  if (!outcome.ok) {
    void vscode.window.showErrorMessage(`Sync of "${connectionId}" did not start: ${outcome.message}`);
    return;
  }
  const r = outcome.result;
  const paused = r.paused ? ' (paused: its schedule does not run it; this run was asked for)' : '';
  const text = `"${connectionId}" run ${r.run}${r.failedOnly ? ' (failed rows only)' : ''}${paused}: ${summary(r)}.`;
  if (r.error) void vscode.window.showWarningMessage(`${text} Stopped: ${r.error} ${waitingSentence(r)}`.trim(), 'Show History').then((a) => a && showHistory(engine, connectionId));
  else if (r.failed || r.invalid) void vscode.window.showWarningMessage([text, waitingSentence(r), r.invalid ? 'Rows with a NULL or duplicate key are recorded, never sent: fix the keys in the model.' : ''].filter(Boolean).join(' '), 'Show History').then((a) => a && showHistory(engine, connectionId));
  else void vscode.window.showInformationMessage(text);
}

/** Pause (its schedule stops running it) or resume a connection: written to retl.yaml by the engine. */
export async function setPaused(engine: EngineClient, arg: unknown, paused: boolean): Promise<void> {
  const connectionId = await pickConnection(engine, arg, paused ? 'Pause Connection' : 'Resume Connection');
  if (!connectionId) return;
  const r = await engine.pauseConnection(connectionId, paused);
  if (!r.ok) {
    void vscode.window.showErrorMessage(`"${connectionId}" could not be ${paused ? 'paused' : 'resumed'}: ${r.message}`);
    return;
  }
  void vscode.window.setStatusBarMessage(
    paused ? `"${connectionId}" paused: its schedule no longer runs it (Sync Now still does)` : `"${connectionId}" resumed: it runs on its schedule again`,
    4000,
  );
}

/** Read-only documents holding the last plan of each connection (retl-plan:/<connection>.plan.json). */
export class PlanDocuments implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'retl-plan';
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  show(connectionId: string, text: string): Thenable<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: PlanDocuments.scheme, path: `/${connectionId}.plan.json` });
    this.texts.set(uri.path, text);
    this.changed.fire(uri);
    return vscode.workspace.openTextDocument(uri).then((doc) => vscode.window.showTextDocument(doc, { preview: true }));
  }
}

/** Preview Sync: what the next run of a connection would send, row by row; nothing is sent. */
export async function previewSync(engine: EngineClient, documents: PlanDocuments, arg: unknown): Promise<void> {
  const connectionId = await pickConnection(engine, arg, 'Preview Sync');
  if (!connectionId) return;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Preview of the next sync of "${connectionId}"`, cancellable: true },
    async (progress, token) => {
      progress.report({ message: 'computing the changes in the warehouse…' });
      return engine.syncPlan(connectionId, token);
    },
  );
  if (!outcome.ok) {
    void vscode.window.showErrorMessage(`No preview of "${connectionId}": ${outcome.message}`);
    return;
  }
  await documents.show(connectionId, outcome.text);
  void vscode.window.showInformationMessage(`"${connectionId}" next run: ${planSentence(outcome.plan)}`);
}

function describeRun(run: SyncRunRecord): vscode.QuickPickItem {
  const seconds = (runPace(run)?.durationMs ?? 0) / 1000;
  const counts = run.finishedAt
    ? `${run.added ?? 0} added · ${run.changed ?? 0} changed · ${run.removed ?? 0} removed · ${run.failed ?? 0} failed${run.invalid ? ` · ${run.invalid} invalid keys` : ''}${run.skipped !== null ? ` · ${run.skipped} unchanged` : ''} · ${seconds.toFixed(1)} s`
    : 'did not finish (the process stopped; the next run sends the rest)';
  return {
    label: `${run.error ? '$(warning)' : run.finishedAt ? '$(check)' : '$(debug-disconnect)'} Run ${run.run}${run.full ? ' (full)' : ''}`,
    description: new Date(run.startedAt).toLocaleString(),
    detail: run.error ? `${counts} — ${run.error}` : counts,
  };
}

export async function showHistory(engine: EngineClient, arg: unknown): Promise<void> {
  const connectionId = await pickConnection(engine, arg, 'Sync history');
  if (!connectionId) return;
  const history = await engine.syncHistory(connectionId);
  if (!history.ok) {
    void vscode.window.showErrorMessage(`No history for "${connectionId}": ${history.message}`);
    return;
  }
  if (history.runs.length === 0) {
    void vscode.window.showInformationMessage(`"${connectionId}" has not synced yet.`);
    return;
  }
  await vscode.window.showQuickPick(history.runs.map(describeRun), { title: `Sync history of "${connectionId}" (newest first)`, matchOnDetail: true });
}
