// Hosts the model panel (webview): one per model, revealed when asked for again. It turns the panel's
// messages into engine requests and posts the answers back; it does no I/O of its own beyond VS Code.
import * as vscode from 'vscode';
import { checkMappings } from './connectionChecks';
import type { SyncRunRecord } from '../../protocol/src/sync';
import type { ModelSummary, WorkspaceState } from '../../protocol/src/config';
import type { PreviewResult } from '../../protocol/src/preview';
import type { FromWebview, PanelTab, ToWebview } from '../../protocol/src/webviewMessages';
import { withToken } from './cancellation';
import type { PanelHandlers } from './panelHandlers';
import { checkFromWebview } from '../../protocol/src/webviewMessageCheck';
import type { EngineClient } from './engineClient';
import { showRefusal } from './feedback';
import { exportResults } from './exportCommand';

export class ModelPanels implements vscode.Disposable {
  private readonly open = new Map<string, ModelPanel>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscription = engine.onDidChangeState((state) => {
      for (const [id, panel] of this.open) {
        const model = state.models.find((m) => m.id === id);
        if (model) void panel.update(state, model);
        else panel.dispose(); // deleted, here or in git
      }
    });
  }

  /** Opens (or reveals) the panel of a model; `tab` picks the tab, `run` runs the query at once. */
  async show(modelId: string, options: { tab?: PanelTab; run?: boolean; sql?: string } = {}): Promise<ModelPanel | undefined> {
    const state = await this.engine.state();
    const model = state.models.find((m) => m.id === modelId);
    if (!model) {
      void vscode.window.showErrorMessage(`No model with id "${modelId}".`);
      return undefined;
    }
    let panel = this.open.get(modelId);
    if (!panel) {
      panel = new ModelPanel(this.context, this.engine, this.output, model, () => this.open.delete(modelId));
      this.open.set(modelId, panel);
    } else {
      panel.reveal();
    }
    await panel.update(state, model);
    if (options.tab) panel.post({ type: 'showTab', tab: options.tab });
    if (options.run) await panel.run(options.sql);
    return panel;
  }

  get(modelId: string): ModelPanel | undefined {
    return this.open.get(modelId);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const p of [...this.open.values()]) p.dispose();
  }
}

export class ModelPanel {
  private readonly panel: vscode.WebviewPanel;
  private model: ModelSummary;
  /** The connection whose activity the panel last asked for: read again when it syncs. */
  private activityOf: string | undefined;
  private sessionId: string | undefined;
  /** The model runs on the demo warehouse, whose first start is told while a run waits for it. */
  private onDemo = false;
  private running: vscode.CancellationTokenSource | undefined;
  /** The page the run in flight fetches (set while `running` is). */
  private runningPage = 1;
  /**
   * The text of the last run that showed a page here (absent `sql`: the query file): Export Results runs
   * it again, so the file holds what was previewed, edited or not. Undefined until a run succeeds.
   */
  private lastRun: { sql?: string } | undefined;
  /** The export in flight (its file chosen or being chosen): one at a time per panel. */
  private exporting: vscode.CancellationTokenSource | undefined;
  private closed = false;
  /**
   * The last of each message that makes up what the panel shows. The webview keeps only its tab, draft and
   * page number across hide/show; this is re-sent on "ready" and when the panel becomes visible again, so
   * a run in flight or finished while hidden shows as it is (the host's `running` is the truth).
   */
  private readonly shown: {
    model?: ToWebview;
    preview?: ToWebview;
    previewError?: ToWebview;
    verify?: ToWebview;
    lastRuns?: ToWebview;
    exportStatus?: ToWebview;
  } = {};
  private readyWaiters: (() => void)[] = [];
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    private readonly engine: EngineClient,
    output: vscode.LogOutputChannel,
    model: ModelSummary,
    private readonly onClose: () => void,
  ) {
    this.model = model;
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    this.panel = vscode.window.createWebviewPanel('retl.model', model.name, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist],
    });
    this.panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'retl.svg');
    this.panel.webview.html = this.html(dist);
    this.disposables.push(
      // The page renders warehouse data and user text: what it sends is checked, and a malformed message is
      // logged and dropped rather than acted on.
      this.panel.webview.onDidReceiveMessage((raw: unknown) => {
        const checked = checkFromWebview(raw);
        if (checked.ok) void this.onMessage(checked.message);
        else output.warn(`Model panel "${this.model.id}": ignored a message from the panel: ${checked.reason}`);
      }),
      this.panel.onDidDispose(() => this.cleanUp()),
      this.panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) this.resend();
      }),
      engine.onDemoStarting((message) => {
        // Also when it is up (no message): the run goes on with "Running page 1…".
        if (this.running && this.onDemo) this.post({ type: 'previewStatus', ...(message ? { message } : {}) });
      }),
      engine.onSyncFinished(({ connectionId }) => {
        if (this.model.connections.includes(connectionId)) void this.postLastRuns(this.model.connections);
        if (connectionId === this.activityOf) void this.postActivity(connectionId);
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  post(message: ToWebview): void {
    // An export outlives its panel (the notification goes on reporting it); a closed webview takes no message.
    if (this.closed) return;
    switch (message.type) {
      case 'model':
      case 'verify':
      case 'lastRuns':
      case 'exportStatus':
        this.shown[message.type] = message;
        break;
      case 'preview':
        this.shown.preview = message;
        this.shown.previewError = undefined;
        break;
      case 'previewError':
        // A failed run shows no page under its error (its rows would read as the failed run's); a failed
        // page leaves the page shown, which is still this query's.
        this.shown.previewError = message;
        if (!message.paging) this.shown.preview = undefined;
        break;
    }
    void this.panel.webview.postMessage(message);
  }

  /** Posts the panel's state again: model, last page and error, the run in flight, checks, last runs, the export. */
  private resend(): void {
    const { model, preview, previewError, verify, lastRuns, exportStatus } = this.shown;
    const running: ToWebview | undefined = this.running ? { type: 'previewRunning', page: this.runningPage } : undefined;
    // A webview made again during the demo warehouse's first start is told it too, not only "Running…".
    const status = running ? this.demoStatus() : undefined;
    for (const m of [model, preview, previewError, running, status, verify, lastRuns, exportStatus]) if (m) void this.panel.webview.postMessage(m);
  }

  /** What the demo warehouse's start says now, for a run of this model that waits for it. */
  private demoStatus(): ToWebview | undefined {
    return this.onDemo && this.engine.demoStarting ? { type: 'previewStatus', message: this.engine.demoStarting } : undefined;
  }

  /** Waits for the panel's "ready": messages posted before it would be lost. */
  private whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async update(state: WorkspaceState, model: ModelSummary): Promise<void> {
    this.model = model;
    this.onDemo = state.credentials.find((c) => c.id === model.credentials)?.type === 'demo';
    this.panel.title = model.name;
    let sql = '';
    try {
      sql = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(model.queryPath)));
    } catch {
      sql = '';
    }
    await this.whenReady();
    const connections = state.connections.filter((c) => c.model === model.id);
    this.post({ type: 'model', data: { model, sql, credentials: state.credentials, connections, ...(state.timeZone ? { timeZone: state.timeZone } : {}) } });
    void this.postLastRuns(connections.filter((c) => c.destination).map((c) => c.id));
  }

  /** The Sources tab's "last run" of each connection, from the run history in the warehouse. */
  private async postLastRuns(connectionIds: string[]): Promise<void> {
    if (connectionIds.length === 0) return;
    const runs: Record<string, SyncRunRecord | null> = {};
    await Promise.all(
      connectionIds.map(async (id) => {
        const h = await this.engine.syncHistory(id).catch(() => undefined);
        runs[id] = h?.ok ? (h.runs[0] ?? null) : null;
      }),
    );
    this.post({ type: 'lastRuns', runs });
  }

  /** A connection's recent runs and its failed rows, read from the state schema for the Sources tab. */
  private async postActivity(connectionId: string): Promise<void> {
    if (!this.model.connections.includes(connectionId)) return;
    this.activityOf = connectionId;
    const [history, failures] = await Promise.all([this.engine.syncHistory(connectionId), this.engine.syncFailures(connectionId)]);
    const activity = !history.ok ? history : !failures.ok ? failures : { ok: true as const, runs: history.runs, failures: failures.rows };
    this.post({ type: 'activity', connectionId, activity });
  }

  /** Runs `sql` (the edited text) or the model's query; page 1 in the panel. Cancel cancels it on the warehouse. */
  async run(sql?: string): Promise<void> {
    await this.whenReady();
    this.post({ type: 'showTab', tab: 'configuration' });
    const shown = await this.fetch(1, false, (token) => {
      if (this.sessionId) void this.engine.previewClose(this.sessionId);
      this.sessionId = undefined;
      return this.engine.previewOpen({ modelId: this.model.id, ...(sql !== undefined ? { sql } : {}) }, token);
    });
    if (shown === 'shown') this.lastRun = sql !== undefined ? { sql } : {};
    // A failed run shows no rows: exporting the run before it would write rows the panel no longer shows.
    else if (shown === 'failed') this.lastRun = undefined;
  }

  /** Export Results…: every row of the last query that ran here, run again, into a file the user picks. */
  async exportResults(): Promise<void> {
    if (this.exporting) {
      void vscode.window.showInformationMessage(`An export of "${this.model.name}" is running: its notification shows it, with Cancel.`);
      return;
    }
    const run = this.lastRun;
    if (!run) {
      void vscode.window.showInformationMessage(`Run the query of "${this.model.name}" first: Export Results writes every row of the query that ran.`);
      return;
    }
    const cts = new vscode.CancellationTokenSource();
    this.exporting = cts;
    try {
      const end = await exportResults(
        this.engine,
        { modelId: this.model.id, modelName: this.model.name, ...run },
        { cancel: cts.token, progress: (rows) => this.post({ type: 'exportStatus', status: { running: true, rows } }) },
      );
      if (end) this.post({ type: 'exportStatus', status: { running: false, ...end } });
    } finally {
      this.exporting = undefined;
      cts.dispose();
    }
  }

  /** Whether Export Results has a run to export (else the palette exports the query file). */
  get hasRun(): boolean {
    return this.lastRun !== undefined;
  }

  /**
   * `paging`: another page of the result shown (a failure leaves that page shown), else a new run.
   * Answers `superseded` when a newer request took over: that one says what the panel shows.
   */
  private async fetch(page: number, paging: boolean, request: (token: vscode.CancellationToken) => Promise<PreviewResult>): Promise<'shown' | 'failed' | 'superseded'> {
    this.running?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    this.runningPage = page;
    this.post({ type: 'previewRunning', page });
    const status = this.demoStatus();
    if (status) this.post(status);
    try {
      const result = await request(cts.token);
      if (this.running !== cts) return 'superseded';
      if (result.ok) {
        this.sessionId = result.page.sessionId;
        this.post({ type: 'preview', page: result.page });
        return 'shown';
      }
      this.post({ type: 'previewError', error: result.error, paging });
      return 'failed';
    } catch (err) {
      if (this.running !== cts) return 'superseded';
      const cancelled = cts.token.isCancellationRequested;
      this.post({ type: 'previewError', paging, error: { kind: cancelled ? 'cancelled' : 'warehouse', message: cancelled ? 'Cancelled: the query was stopped on the warehouse.' : (err as Error).message } });
      return 'failed';
    } finally {
      if (this.running === cts) this.running = undefined;
      cts.dispose();
    }
  }

  /** One handler per message type: a type added to FromWebview without one here does not compile. */
  private readonly handlers: PanelHandlers = {
    // Also sent by a webview made again after being hidden: it gets the panel's state once more.
    ready: () => {
      this.ready = true;
      for (const w of this.readyWaiters.splice(0)) w();
      this.resend();
    },
    runQuery: (m) => this.run(m.sql),
    page: (m) => {
      const sessionId = this.sessionId;
      if (!sessionId) return this.run();
      return this.fetch(m.page, true, (token) => this.engine.previewPage(sessionId, m.page, token));
    },
    exportResults: () => this.exportResults(),
    cancelExport: () => this.exporting?.cancel(),
    cancel: () => this.running?.cancel(),
    cell: async (m) => {
      if (!this.sessionId) return;
      const value = await this.engine.previewCell(this.sessionId, m.page, m.row, m.column);
      this.post({ type: 'cellValue', page: m.page, row: m.row, column: m.column, value });
    },
    finish: (m) => this.finish(m.description, m.sql, m.primaryKey),
    rename: async (m) => {
      const r = await this.engine.updateModel({ id: this.model.id, name: m.name });
      if (!r.ok) await showRefusal(r);
    },
    delete: async () => {
      await vscode.commands.executeCommand('retl.deleteModel', this.model.id);
    },
    verify: () => this.verify(),
    switchCredentials: async (m) => {
      if (m.credentialsId === this.model.credentials) return;
      const r = await this.engine.updateModel({ id: this.model.id, credentials: m.credentialsId });
      if (!r.ok) return showRefusal(r);
      return this.afterCredentialsChange();
    },
    editCredentials: async () => {
      await vscode.commands.executeCommand('retl.editCredentials', this.model.credentials);
      return this.afterCredentialsChange();
    },
    copy: async (m) => {
      await vscode.env.clipboard.writeText(m.text);
      void vscode.window.setStatusBarMessage(`Copied ${m.what}`, 2500);
    },
    goToLine: async (m) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(this.model.queryPath));
      const pos = new vscode.Position(m.line - 1, m.column - 1);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
    },
    editMapping: (m) => this.editMapping(m.connectionId),
    saveMapping: async (m) => {
      const r = await this.engine.updateConnection({ id: m.connectionId, mapping: m.mapping });
      if (!r.ok) await showRefusal(r);
      else this.post({ type: 'mappingSaved', connectionId: m.connectionId });
    },
    // A panel acts on the connections of its own model only, whatever its page sends.
    syncNow: async (m) => {
      if (this.model.connections.includes(m.connectionId)) await vscode.commands.executeCommand('retl.syncNow', m.connectionId);
    },
    pauseConnection: async (m) => {
      if (this.model.connections.includes(m.connectionId)) await vscode.commands.executeCommand(m.paused ? 'retl.pauseConnection' : 'retl.resumeConnection', m.connectionId);
    },
    retryFailed: async (m) => {
      if (this.model.connections.includes(m.connectionId)) await vscode.commands.executeCommand('retl.retryFailedRows', m.connectionId);
    },
    loadActivity: (m) => this.postActivity(m.connectionId),
    revealConnection: async (m) => {
      await vscode.commands.executeCommand('retl.revealConnection', this.model.id, m.connectionId);
    },
  };

  private async onMessage(m: FromWebview): Promise<void> {
    // The one cast: TypeScript cannot correlate m.type with the handler's parameter.
    await (this.handlers[m.type] as (message: FromWebview) => unknown)(m);
  }

  /** Opens the mapping editor with the columns the query returns now (and mapped ones it no longer does). */
  private async editMapping(connectionId: string): Promise<void> {
    const connection = (await this.engine.state()).connections.find((c) => c.id === connectionId);
    const columns = await withToken((token) => this.engine.modelColumns(this.model.id, token));
    if (!columns.ok) {
      void vscode.window.showErrorMessage(`The mapping editor needs the query's columns, and the query did not run: ${columns.message}`);
      return;
    }
    // Columns mapped but no longer returned are shown too, so they can be removed.
    const mapped = Object.keys(connection?.mapping ?? {}).filter((c) => !columns.columns.includes(c));
    this.post({
      type: 'mappingEditor',
      connectionId,
      columns: [...columns.columns, ...mapped],
      mapping: connection?.mapping ?? null,
      ...(this.model.primaryKey ? { primaryKey: this.model.primaryKey } : {}),
    });
  }

  /** Saves description and query through the engine; warns when the query dropped a column a connection maps. */
  private async finish(description: string, sql: string, primaryKey: string | undefined): Promise<void> {
    const r = await this.engine.updateModel({ id: this.model.id, description, sql, ...(primaryKey !== undefined ? { primaryKey } : {}) });
    if (!r.ok) {
      await showRefusal(r);
      return;
    }
    this.post({ type: 'saved' });
    void vscode.window.setStatusBarMessage(`Saved "${this.model.name}"`, 2500);
    if (this.model.connections.length > 0) void checkMappings(this.engine, this.model.id, this.model.name);
  }

  /** Checks the model's credentials with the three checks shown live in the panel's Settings tab. */
  async verify(): Promise<void> {
    await this.whenReady();
    this.post({ type: 'showTab', tab: 'settings' });
    const id = this.model.credentials;
    const sub = this.engine.onVerifyProgress((p) => {
      if (p.credentialsId === id) this.post({ type: 'verify', checks: p.checks, running: true });
    });
    const cts = new vscode.CancellationTokenSource();
    try {
      const result = await this.engine.verify(id, cts.token);
      this.post({ type: 'verify', checks: result.checks, running: false });
    } catch (err) {
      void vscode.window.showErrorMessage(`Verification could not run: ${(err as Error).message}`);
    } finally {
      sub.dispose();
      cts.dispose();
    }
  }

  private async afterCredentialsChange(): Promise<void> {
    const verify = 'Verify and Run Query';
    const choice = await vscode.window.showInformationMessage(`Credentials of "${this.model.name}" changed: verify them and run the query again?`, verify);
    if (choice !== verify) return;
    await this.verify();
    await this.run();
  }

  private html(dist: vscode.Uri): string {
    const webview = this.panel.webview;
    const nonce = Array.from({ length: 32 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 62)]).join('');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style.toString()}">
<title>Model</title></head>
<body><div id="root"></div><script nonce="${nonce}" src="${script.toString()}"></script></body></html>`;
  }

  dispose(): void {
    this.panel.dispose();
  }

  private cleanUp(): void {
    this.closed = true;
    this.running?.cancel();
    if (this.sessionId) void this.engine.previewClose(this.sessionId); // the connection is released at once
    this.sessionId = undefined;
    for (const d of this.disposables) d.dispose();
    this.onClose();
  }
}
