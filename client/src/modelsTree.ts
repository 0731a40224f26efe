// The Models view: model → credentials, query file, connections. Rebuilt from the engine's state.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScheduleStatus, SyncOutcome } from '../../protocol/src/sync';
import { summary } from './syncCommands';
import { describeCredentials, scheduleText, type Credentials, type ModelSummary, type WorkspaceState } from '../../protocol/src/config';

export type TreeNode =
  | { kind: 'problems'; state: WorkspaceState }
  | { kind: 'model'; model: ModelSummary }
  | { kind: 'credentials'; model: ModelSummary; credentials: Credentials | undefined }
  | { kind: 'query'; model: ModelSummary }
  | { kind: 'connections'; model: ModelSummary }
  | { kind: 'connection'; model: ModelSummary; connectionId: string };

export class ModelsTree implements vscode.TreeDataProvider<TreeNode> {
  private state: WorkspaceState | undefined;
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly load: () => Promise<WorkspaceState>) {}

  update(state: WorkspaceState): void {
    this.state = state;
    void vscode.commands.executeCommand('setContext', 'retl.hasModels', state.models.length > 0);
    void vscode.commands.executeCommand('setContext', 'retl.configBroken', state.problems.length > 0);
    this.changed.fire(undefined);
  }

  private readonly lastRuns = new Map<string, SyncOutcome & { at: Date }>();
  /** Each scheduled connection's next run, as the engine's scheduler last said. */
  private readonly nextRuns = new Map<string, ScheduleStatus>();

  setSchedules(statuses: ScheduleStatus[]): void {
    this.nextRuns.clear();
    for (const s of statuses) this.nextRuns.set(s.connectionId, s);
    this.changed.fire(undefined);
  }

  /** The outcome of a connection's latest sync in this window, shown on its node. */
  setLastRun(connectionId: string, outcome: SyncOutcome): void {
    this.lastRuns.set(connectionId, { ...outcome, at: new Date() });
    this.changed.fire(undefined);
  }

  current(): WorkspaceState | undefined {
    return this.state;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!this.state) this.update(await this.load());
    const state = this.state!;
    if (!node) {
      const models = state.models.map((model): TreeNode => ({ kind: 'model', model }));
      return state.problems.length > 0 ? [{ kind: 'problems', state }, ...models] : models;
    }
    switch (node.kind) {
      case 'model': {
        const credentials = state.credentials.find((c) => c.id === node.model.credentials);
        return [
          { kind: 'credentials', model: node.model, credentials },
          { kind: 'query', model: node.model },
          { kind: 'connections', model: node.model },
        ];
      }
      case 'connections':
        return node.model.connections.map((connectionId) => ({ kind: 'connection', model: node.model, connectionId }));
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'problems': {
        const first = node.state.problems[0]!;
        const item = new vscode.TreeItem(`retl.yaml has ${node.state.problems.length === 1 ? 'a problem' : `${node.state.problems.length} problems`}`);
        item.description = `line ${first.line}: ${first.message}`;
        item.tooltip = node.state.problems.map((p) => `line ${p.line}: ${p.message}`).join('\n');
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        item.command = {
          command: 'vscode.open',
          title: 'Open retl.yaml',
          arguments: [vscode.Uri.file(node.state.configPath), { selection: new vscode.Range(first.line - 1, first.column - 1, first.line - 1, first.column - 1) }],
        };
        return item;
      }
      case 'model': {
        const m = node.model;
        const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `model:${m.id}`;
        // The key is shown because a sync needs it; without one the tree says so.
        item.description = `${m.id} · ${m.primaryKey ? `key ${m.primaryKey}` : 'no primary key'}`;
        item.tooltip = new vscode.MarkdownString()
          .appendText(m.name)
          .appendMarkdown(`\n\n`)
          .appendText(m.description || 'No description.')
          .appendMarkdown(`\n\n`)
          .appendText(m.primaryKey ? `Primary key: ${m.primaryKey}` : 'No primary key: a sync needs one (Configuration tab, or primaryKey in retl.yaml).');
        item.iconPath = new vscode.ThemeIcon('table');
        item.contextValue = m.connections.length > 0 ? 'model.used' : 'model';
        item.command = { command: 'retl.openModel', title: 'Open Model', arguments: [m.id] };
        return item;
      }
      case 'credentials': {
        const c = node.credentials;
        const item = new vscode.TreeItem(c ? c.id : `${node.model.credentials} (missing)`);
        item.id = `model:${node.model.id}:credentials`;
        item.description = c ? describeCredentials(c) : undefined;
        item.tooltip = 'Credentials this model runs with';
        item.iconPath = new vscode.ThemeIcon('key');
        item.contextValue = 'credentials';
        return item;
      }
      case 'query': {
        const uri = vscode.Uri.file(node.model.queryPath);
        const item = new vscode.TreeItem(path.basename(node.model.query));
        item.id = `model:${node.model.id}:query`;
        item.resourceUri = uri;
        item.description = path.dirname(node.model.query) === '.' ? undefined : path.dirname(node.model.query);
        item.tooltip = node.model.query;
        item.iconPath = new vscode.ThemeIcon('file-code');
        item.contextValue = 'query';
        item.command = { command: 'vscode.open', title: 'Open Query', arguments: [uri] };
        return item;
      }
      case 'connections': {
        const n = node.model.connections.length;
        const item = new vscode.TreeItem(
          n === 0 ? 'No connections' : `Connections (${n})`,
          n === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = `model:${node.model.id}:connections`;
        item.tooltip = n === 0 ? 'No connection uses this model yet' : 'Connections that send this model\'s rows';
        item.iconPath = new vscode.ThemeIcon('plug');
        item.contextValue = 'connections';
        return item;
      }
      case 'connection': {
        const item = new vscode.TreeItem(node.connectionId);
        item.id = `model:${node.model.id}:connection:${node.connectionId}`;
        item.iconPath = new vscode.ThemeIcon('arrow-right');
        const connection = this.state?.connections.find((c) => c.id === node.connectionId);
        item.contextValue = connection?.paused ? 'connection.paused' : 'connection';
        if (connection?.destination) {
          const mode = connection.mode ?? 'upsert';
          const schedule = scheduleText(connection.schedule, connection.timeZone ?? this.state?.timeZone);
          const next = this.nextRuns.get(node.connectionId)?.nextRun;
          const when = connection.paused ? ' · paused' : schedule && next ? ` · next ${nextRunText(new Date(next))}` : '';
          item.description = `→ ${connection.destination} · ${mode}${schedule ? ` · ${schedule}` : ''}${when}`;
          item.tooltip = [
            `Sends the rows of "${node.model.name}" to "${connection.destination}" (${mode}). Sync Now sends what changed since the last run.`,
            connection.paused ? `Paused: ${schedule ? `its schedule (${schedule}) does not run it` : 'no schedule runs it'}; Sync Now still does. Resume Connection to run it on its schedule.` : '',
            !connection.paused && schedule && next ? `Next run on its schedule: ${new Date(next).toLocaleString()}.` : '',
          ]
            .filter(Boolean)
            .join('\n');
        } else {
          item.description = 'no destination yet';
        }
        const last = this.lastRuns.get(node.connectionId);
        if (last) {
          const time = last.at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
          const failed = !last.ok || last.result.error || last.result.failed > 0 || last.result.invalid > 0;
          item.iconPath = new vscode.ThemeIcon(failed ? 'warning' : 'pass', new vscode.ThemeColor(failed ? 'problemsWarningIcon.foreground' : 'testing.iconPassed'));
          const what = last.ok ? `${last.result.added + last.result.changed + last.result.removed} rows sent${last.result.failed ? `, ${last.result.failed} refused` : ''}${last.result.error ? ', stopped' : ''}` : 'did not start';
          item.description = `${item.description as string} · ${time}: ${what}`;
          item.tooltip = `${item.tooltip ?? ''}\nLast run at ${time}: ${last.ok ? summary(last.result) + (last.result.error ? ` — ${last.result.error}` : '') : last.message}`;
        }
        // Paused says more than the last run did: nothing runs it until it is resumed.
        if (connection?.paused) item.iconPath = new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('disabledForeground'));
        return item;
      }
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'problems':
      case 'model':
        return undefined;
      case 'connection':
        return { kind: 'connections', model: node.model };
      default:
        return { kind: 'model', model: node.model };
    }
  }
}

/** A next run as the tree says it: the time today, the day and time within a week, else the date. */
export function nextRunText(at: Date, now = new Date()): string {
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (at.getTime() <= now.getTime()) return 'now';
  if (at.toDateString() === now.toDateString()) return time;
  if (at.getTime() - now.getTime() < 6 * 86_400_000) return `${at.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
  return at.toLocaleDateString();
}
