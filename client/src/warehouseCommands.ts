// Verify Credentials and Run Query: progress with Cancel (which cancels the warehouse query too),
// results in the "Reverse ETL" output channel. The model panel (webview) takes these over later.
import * as vscode from 'vscode';
import { describeCredentials, type Credentials, type ModelSummary, type WorkspaceState } from '../../protocol/src/config';
import { isTruncated, type Cell, type PreviewError, type PreviewPage, type PreviewResult } from '../../protocol/src/preview';
import type { CheckResult, VerifyResult } from '../../protocol/src/verify';
import type { EngineClient } from './engineClient';
import type { TreeNode } from './modelsTree';
import type { ModelPanels } from './modelPanel';

export class WarehouseCommands {
  /** One preview at a time in the output channel; a new run closes the previous session. */
  private session: { id: string; model?: ModelSummary } | undefined;
  /** Which page of which query the output channel shows; a click opens it. */
  private readonly status = vscode.window.createStatusBarItem('retl.preview', vscode.StatusBarAlignment.Left, 10);

  constructor(
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly panels: ModelPanels,
  ) {
    this.status.name = 'Reverse ETL preview';
    this.status.command = 'retl.showOutput';
  }

  showOutput(): void {
    this.output.show(true);
  }

  dispose(): void {
    this.status.dispose();
  }

  async verify(arg: unknown): Promise<VerifyResult | undefined> {
    const state = await this.engine.state();
    const creds = await this.pickCredentials(state, arg);
    if (!creds) return undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Verifying credentials "${creds.id}"`, cancellable: true },
      async (progress, token) => {
        const sub = this.engine.onVerifyProgress((p) => {
          const running = p.credentialsId === creds.id ? p.checks.find((c) => c.status === 'running') : undefined;
          if (running) progress.report({ message: `${running.title}…` });
        });
        try {
          return await this.engine.verify(creds.id, token);
        } finally {
          sub.dispose();
        }
      },
    );
    this.output.appendLine(`\nVerify credentials "${creds.id}" (${describeCredentials(creds)})`);
    for (const c of result.checks) this.output.appendLine(formatCheck(c));
    const warned = result.checks.find((c) => c.warning);
    if (result.ok && warned) {
      const copy = 'Copy Fix SQL';
      const choice = await vscode.window.showWarningMessage(`Credentials "${creds.id}": all three checks passed, but: ${warned.warning}`, copy, 'Show Details');
      if (choice === copy && warned.remediation) {
        await vscode.env.clipboard.writeText(warned.remediation);
        void vscode.window.showInformationMessage('The SQL that removes these rights is on the clipboard: run it as an administrator.');
      } else if (choice === 'Show Details') this.output.show(true);
      return result;
    }
    if (result.ok) {
      void vscode.window.showInformationMessage(`Credentials "${creds.id}": all three checks passed.`);
      return result;
    }
    const failed = result.checks.find((c) => c.status === 'failed');
    const copy = 'Copy Fix SQL';
    const details = 'Show Details';
    const choice = await vscode.window.showErrorMessage(
      `${failed?.title ?? 'Verification'} failed: ${failed?.message ?? 'unknown error'}`,
      ...(failed?.remediation ? [copy] : []),
      details,
    );
    if (choice === copy && failed?.remediation) {
      await vscode.env.clipboard.writeText(failed.remediation);
      void vscode.window.showInformationMessage('The SQL that fixes this is on the clipboard: run it as an administrator, then verify again.');
    } else if (choice === details) this.output.show(true);
    return result;
  }

  async runQuery(arg: unknown): Promise<void> {
    const state = await this.engine.state();
    const target = await this.queryTarget(state, arg);
    if (!target) return;
    // A model's preview lives in its panel; SQL outside any model goes to the output channel.
    if (target.model) {
      await this.panels.show(target.model.id, { run: true, ...(target.sql !== undefined ? { sql: target.sql } : {}) });
      return;
    }
    if (this.session) void this.engine.previewClose(this.session.id);
    this.session = undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Running query…', cancellable: true },
      (_p, token) => this.engine.previewOpen({ credentialsId: target.credentialsId, sql: target.sql }, token),
    );
    await this.show(result, undefined, target.document);
  }

  private async show(result: PreviewResult, model: ModelSummary | undefined, document: vscode.TextDocument | undefined): Promise<void> {
    if (!result.ok) {
      await this.showError(result.error, document);
      return;
    }
    const page = result.page;
    this.session = { id: page.sessionId, ...(model ? { model } : {}) };
    this.output.appendLine(`\n${model ? model.name : 'Query'}: page ${page.page} (${page.ms} ms)`);
    this.output.appendLine(formatPage(page));
    for (const note of keyNotes(page)) this.output.appendLine(note);
    this.output.show(true);
    const rows = `rows ${(page.page - 1) * page.pageSize + 1}–${(page.page - 1) * page.pageSize + page.rows.length}`;
    this.status.text = `$(table) ${model ? model.name : 'Query'} · page ${page.page} · ${rows}${page.hasMore ? ' · more' : ''}`;
    this.status.tooltip = 'Show the preview in the Reverse ETL output';
    this.status.show();
    const next = 'Next Page';
    const previous = 'Previous Page';
    const buttons = [...(page.page > 1 ? [previous] : []), ...(page.hasMore ? [next] : [])];
    const choice = await vscode.window.showInformationMessage(
      `Page ${page.page}: rows ${(page.page - 1) * page.pageSize + 1}–${(page.page - 1) * page.pageSize + page.rows.length}${page.hasMore ? ', more follow' : ', the last'}.`,
      ...buttons,
    );
    if (!choice || this.session?.id !== page.sessionId) return;
    const wanted = choice === next ? page.page + 1 : page.page - 1;
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Fetching page ${wanted}…`, cancellable: true },
      (_p, token) => this.engine.previewPage(page.sessionId, wanted, token),
    );
    await this.show(r, model, document);
  }

  private async showError(error: PreviewError, document: vscode.TextDocument | undefined): Promise<void> {
    if (error.kind === 'cancelled') {
      void vscode.window.showInformationMessage('Query cancelled.');
      return;
    }
    const where = error.position ? ` (line ${error.position.line}, column ${error.position.column})` : '';
    this.output.appendLine(`\nQuery failed${where}: ${error.message}`);
    const go = 'Go to Line';
    const choice = await vscode.window.showErrorMessage(`Query failed${where}: ${error.message}`, ...(error.position && document ? [go] : []));
    if (choice === go && error.position && document) {
      const pos = new vscode.Position(error.position.line - 1, error.position.column - 1);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(pos, pos) });
    }
  }

  private async pickCredentials(state: WorkspaceState, arg: unknown): Promise<Credentials | undefined> {
    const node = arg as TreeNode | undefined;
    let id: string | undefined = typeof arg === 'string' ? arg : node && typeof node === 'object' && 'model' in node ? node.model.credentials : undefined;
    if (!id) {
      const editorModel = this.modelOfActiveEditor(state);
      id = editorModel?.credentials;
    }
    if (!id) {
      if (state.credentials.length === 0) {
        void vscode.window.showInformationMessage('No credentials yet: the New Model wizard creates them.');
        return undefined;
      }
      id = (await vscode.window.showQuickPick(state.credentials.map((c) => ({ label: c.id, description: describeCredentials(c) })), { placeHolder: 'Credentials to verify' }))?.label;
    }
    const creds = state.credentials.find((c) => c.id === id);
    if (id && !creds) void vscode.window.showErrorMessage(`No credentials with id "${id}" in retl.yaml.`);
    return creds;
  }

  private modelOfActiveEditor(state: WorkspaceState): ModelSummary | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    return doc ? state.models.find((m) => vscode.Uri.file(m.queryPath).toString() === doc.uri.toString()) : undefined;
  }

  /** What to run: a model (its editor's unsaved text when open), or the active SQL editor with chosen credentials. */
  private async queryTarget(
    state: WorkspaceState,
    arg: unknown,
  ): Promise<{ model?: ModelSummary; credentialsId?: string; sql?: string; document?: vscode.TextDocument } | undefined> {
    const node = arg as TreeNode | undefined;
    const id = typeof arg === 'string' ? arg : node && typeof node === 'object' && 'model' in node ? node.model.id : undefined;
    let model = id ? state.models.find((m) => m.id === id) : this.modelOfActiveEditor(state);
    const active = vscode.window.activeTextEditor?.document;
    if (!model && !id && active?.languageId === 'sql') {
      const creds = await vscode.window.showQuickPick(state.credentials.map((c) => ({ label: c.id, description: describeCredentials(c) })), {
        placeHolder: 'This file belongs to no model: run it with which credentials?',
      });
      return creds ? { credentialsId: creds.label, sql: active.getText(), document: active } : undefined;
    }
    if (!model) {
      const chosen = await vscode.window.showQuickPick(state.models.map((m) => ({ label: m.name, description: m.id, model: m })), { placeHolder: 'Model to run' });
      model = chosen?.model;
    }
    if (!model) return undefined;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.file(model!.queryPath).toString());
    return { model, ...(open ? { sql: open.getText(), document: open } : {}) };
  }
}

function formatCheck(c: CheckResult): string {
  const mark = c.status === 'passed' ? '✓' : c.status === 'failed' ? '✗' : '–';
  const lines = [`  ${mark} ${c.title}${c.ms !== undefined && c.status !== 'skipped' ? ` (${c.ms} ms)` : ''}${c.message ? `: ${c.message}` : ''}`];
  if (c.warning) lines.push(`    ⚠ ${c.warning}`);
  if (c.remediation) lines.push('    Run as an administrator:', ...c.remediation.split('\n').map((l) => `      ${l}`));
  return lines.join('\n');
}

function cellText(c: Cell): string {
  if (c === null) return '∅ NULL';
  if (isTruncated(c)) return `${c.truncated.slice(0, 37)}… (${c.size} chars)`;
  return String(c);
}

function formatPage(page: PreviewPage): string {
  const header = page.columns.map((c) => `${c.name} (${c.type})`);
  const rows = page.rows.map((r) => r.map(cellText));
  const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s).replace(/\s+/g, ' ');
  const all = [header, ...rows].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' │ ').trimEnd();
  return [line(all[0] ?? []), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...all.slice(1).map(line)].join('\n');
}

function keyNotes(page: PreviewPage): string[] {
  const notes: string[] = [];
  if (page.keys.missing) notes.push(`⚠ The primary key "${page.keys.column}" is not among the columns.`);
  if (page.keys.duplicates.length) notes.push(`⚠ Duplicate keys so far: ${page.keys.duplicates.slice(0, 20).join(', ')}`);
  if (page.keys.flaggedRows.length) notes.push(`⚠ Rows on this page with a NULL or duplicate key: ${page.keys.flaggedRows.map((r) => r + 1).join(', ')}`);
  return notes;
}
