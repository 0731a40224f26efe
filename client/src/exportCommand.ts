// Export Results…: every row of a model's query, run again on the warehouse, written to a file the user
// picks (CSV or JSON Lines). The engine runs the query and writes the file; this side only picks the
// file, shows progress with Cancel, and says how it ended. Used by the model panel and the palette.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { formatForPath, rowsText, sizeText, type ExportOutcome } from '../../protocol/src/export';
import { withLinkedToken } from './cancellation';
import type { EngineClient } from './engineClient';

export interface ExportTarget {
  modelId: string;
  modelName: string;
  /** The text to export (the panel's last run, maybe an unsaved draft); absent: the model's query file. */
  sql?: string;
}

export interface ExportWatch {
  /** Once the file is chosen (0), then with the rows written so far. */
  progress?(rows: number): void;
  /** A second Cancel (the panel's), beside the notification's. */
  cancel?: vscode.CancellationToken;
}

/** How an export ended, in the one line the notification and the panel both show. */
export interface ExportEnd {
  ok: boolean;
  message: string;
}

export const CANCELLED_TEXT = 'Export cancelled; nothing was written.';

/** Where the last export went: the next dialog opens there (a person exports a few models to one place). */
let lastFolder: vscode.Uri | undefined;

/** Picks the file, runs the export with progress, reports the end. Undefined: no file was chosen. */
export async function exportResults(engine: EngineClient, target: ExportTarget, watch: ExportWatch = {}): Promise<ExportEnd | undefined> {
  const file = await chooseFile(target);
  if (!file) return undefined;
  const exportId = randomUUID();
  watch.progress?.(0);
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Exporting "${target.modelName}"`, cancellable: true },
    (progress, token) =>
      withLinkedToken([token, watch.cancel], async (cancel) => {
        progress.report({ message: 'running the query…' });
        const sub = engine.onExportProgress((p) => {
          if (p.exportId !== exportId) return;
          progress.report({ message: `${rowsText(p.rows)} so far` });
          watch.progress?.(p.rows);
        });
        try {
          return await engine.exportRun({ exportId, modelId: target.modelId, format: formatForPath(file.fsPath), path: file.fsPath, ...(target.sql !== undefined ? { sql: target.sql } : {}) }, cancel);
        } catch (err) {
          // A request cancelled before it was sent is rejected by the language client without an answer;
          // then the engine never started, so nothing was written either.
          if (cancel.isCancellationRequested) return { ok: false, kind: 'cancelled', message: CANCELLED_TEXT } satisfies ExportOutcome;
          return { ok: false, kind: 'io', message: (err as Error).message } satisfies ExportOutcome;
        } finally {
          sub.dispose();
        }
      }),
  );
  return report(outcome, target.modelName);
}

async function chooseFile(target: ExportTarget): Promise<vscode.Uri | undefined> {
  const folder = lastFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `${target.modelId}.csv`;
  const file = await vscode.window.showSaveDialog({
    title: `Export the results of "${target.modelName}"`,
    saveLabel: 'Export',
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
    // The first filter is the default; the file's extension picks the format (formatForPath).
    filters: { CSV: ['csv'], 'JSON Lines': ['jsonl', 'ndjson'] },
  });
  if (!file) return undefined;
  // The engine writes the file with Node's fs on this machine: a virtual file system's URI has no path it can write.
  if (file.scheme !== 'file') {
    void vscode.window.showErrorMessage(`Export writes a file on disk, and "${file.toString(true)}" is not one (${file.scheme}:). Pick a folder on this machine.`);
    return undefined;
  }
  lastFolder = vscode.Uri.joinPath(file, '..');
  return file;
}

function report(outcome: ExportOutcome, modelName: string): ExportEnd {
  if (outcome.ok) {
    const file = vscode.Uri.file(outcome.path);
    const message = `Exported ${rowsText(outcome.rows)} to ${path.basename(outcome.path)} (${sizeText(outcome.bytes)}) in ${durationText(outcome.ms)}.`;
    const open = 'Open File';
    const reveal = revealCommand(file);
    void vscode.window.showInformationMessage(message, open, ...(reveal ? [reveal.label] : [])).then(async (choice) => {
      if (choice === open) await vscode.commands.executeCommand('vscode.open', file);
      else if (reveal && choice === reveal.label) await vscode.commands.executeCommand(reveal.command, file);
    });
    return { ok: true, message };
  }
  if (outcome.kind === 'cancelled') {
    void vscode.window.showInformationMessage(CANCELLED_TEXT);
    return { ok: false, message: CANCELLED_TEXT };
  }
  const message = `Export of "${modelName}" failed: ${outcome.message}`;
  void vscode.window.showErrorMessage(message);
  return { ok: false, message };
}

/** A file in the workspace is shown in the Explorer view; elsewhere in the OS's file manager, on the desktop only (remote, that is another machine's). */
function revealCommand(file: vscode.Uri): { label: string; command: string } | undefined {
  if (vscode.workspace.getWorkspaceFolder(file)) return { label: 'Reveal in Explorer', command: 'revealInExplorer' };
  return vscode.env.remoteName === undefined ? { label: 'Reveal in File Manager', command: 'revealFileInOS' } : undefined;
}

export function durationText(ms: number): string {
  return ms < 100 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
