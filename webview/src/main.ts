// The model panel. It runs in the webview sandbox, talks only through postMessage, and writes every
// value into the page as text (textContent), never as HTML: a cell holding markup shows the markup.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import type { Cell, PreviewError, PreviewPage } from '../../protocol/src/preview';
import { isTruncated } from '../../protocol/src/preview';
import type { CheckResult } from '../../protocol/src/verify';
import type { SyncRunRecord } from '../../protocol/src/sync';
import type { FromWebview, PanelModel, PanelTab, ToWebview } from '../../protocol/src/webviewMessages';
import './panel.css';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

/** Everything the panel shows; kept with setState so a hidden panel comes back as it was. */
interface State {
  data?: PanelModel;
  tab: PanelTab;
  editing: boolean;
  draft: { description: string; sql: string };
  checks?: CheckResult[];
  verifying: boolean;
  running?: number;
  page?: PreviewPage;
  error?: PreviewError;
  focus: { row: number; column: number };
  whole?: { label: string; value: string };
  lastRuns?: Record<string, SyncRunRecord | null>;
  /** The mapping being edited: column → field ('' = not sent). */
  mapping?: { connectionId: string; columns: string[]; fields: Record<string, string>; primaryKey?: string; json: boolean };
}

const TABS: PanelTab[] = ['sources', 'configuration', 'settings'];
let state: State = { tab: 'configuration', editing: false, draft: { description: '', sql: '' }, verifying: false, focus: { row: 0, column: 0 }, ...(vscode.getState() as Partial<State> | undefined) };

function post(m: FromWebview): void {
  vscode.postMessage(m);
}

function save(): void {
  vscode.setState(state);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string | undefined | false)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== undefined && c !== false) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

function button(label: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; title?: string; id?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button') as HTMLElement & { disabled: boolean; secondary: boolean };
  b.textContent = label;
  if (opts.id) b.id = opts.id;
  if (opts.title) b.title = opts.title;
  b.secondary = opts.secondary ?? false;
  b.disabled = opts.disabled ?? false;
  b.addEventListener('click', () => {
    if (!b.disabled) onClick();
  });
  return b;
}

// ---- cells ---------------------------------------------------------------------------------------

function cellText(c: Cell): string {
  if (c === null) return 'NULL';
  if (isTruncated(c)) return c.truncated;
  return String(c);
}

/** The value as it goes into CSV/JSON copies: NULL stays null, not the word. */
function plain(c: Cell): string | number | boolean | null {
  if (c === null) return null;
  if (isTruncated(c)) return c.truncated;
  return c;
}

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(columns: string[], rows: Cell[][]): string {
  return [columns.map(csvField).join(','), ...rows.map((r) => r.map((c) => csvField(plain(c))).join(','))].join('\n');
}

function toJson(columns: string[], rows: Cell[][]): string {
  return JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, plain(r[i] ?? null)]))), null, 2);
}

// ---- rendering -----------------------------------------------------------------------------------

function render(): void {
  const root = document.getElementById('root');
  if (!root) return;
  const focusedCell = document.activeElement?.closest('td') !== null && document.activeElement?.tagName === 'TD';
  root.replaceChildren();
  const data = state.data;
  if (!data) {
    root.append(el('p', { class: 'muted' }, 'Loading the model…'));
    return;
  }
  root.append(header(data));
  const tabs = document.createElement('vscode-tabs') as HTMLElement & { selectedIndex: number };
  tabs.setAttribute('selected-index', String(TABS.indexOf(state.tab)));
  const labels: Record<PanelTab, string> = { sources: `Sources (${data.model.connections.length})`, configuration: 'Configuration', settings: 'Settings' };
  for (const t of TABS) {
    const h = el('vscode-tab-header', { slot: 'header', id: `tab-${t}` }, labels[t]);
    tabs.append(h);
  }
  tabs.append(el('vscode-tab-panel', { id: 'panel-sources' }, sourcesPanel(data)));
  tabs.append(el('vscode-tab-panel', { id: 'panel-configuration' }, configurationPanel(data)));
  tabs.append(el('vscode-tab-panel', { id: 'panel-settings' }, settingsPanel(data)));
  tabs.addEventListener('vsc-tabs-select', (e) => {
    state.tab = TABS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex] ?? 'configuration';
    save();
  });
  root.append(tabs);
  if (focusedCell) focusCell();
}

function header(data: PanelModel): HTMLElement {
  const m = data.model;
  const title = el('h1', { id: 'model-name' }, m.name);
  const wrap = el('header', {}, title, el('span', { class: 'muted', id: 'model-id' }, `${m.id} · credentials ${m.credentials} · ${m.query}`));
  const rename = button('Rename', () => {
    const input = el('input', { id: 'rename-input', 'aria-label': 'New model name', value: m.name });
    const done = (ok: boolean) => {
      if (ok && input.value.trim() && input.value.trim() !== m.name) post({ type: 'rename', name: input.value.trim() });
      render();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') done(true);
      if (e.key === 'Escape') done(false);
    });
    title.replaceChildren(input);
    input.focus();
    input.select();
  }, { secondary: true, id: 'rename', title: 'Rename the model (its id stays)' });
  wrap.append(rename);
  return wrap;
}

function sourcesPanel(data: PanelModel): HTMLElement {
  const ids = data.model.connections;
  if (ids.length === 0) return el('p', { id: 'no-sources' }, 'No connection uses this model yet. Connections reuse a model to send its rows to a destination: "New Connection" in the Models view.');
  const list = el('ul', { id: 'sources' });
  for (const id of ids) {
    const connection = data.connections.find((c) => c.id === id);
    const link = el('a', { href: '#', 'data-connection': id }, id);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      post({ type: 'revealConnection', connectionId: id });
    });
    const item = el('li', { 'data-connection': id }, link);
    if (connection?.destination) {
      item.append(el('span', { class: 'muted' }, ` → ${connection.destination} · ${connection.mode ?? 'upsert'}${connection.schedule && connection.schedule !== 'manual' ? ` · every ${connection.schedule}` : ''}`));
      item.append(el('div', { class: 'last-run' }, lastRunText(state.lastRuns?.[id])));
      item.append(button('Sync Now', () => post({ type: 'syncNow', connectionId: id }), { secondary: true, title: `Send the rows of this model that changed to ${connection.destination}` }));
      if (state.mapping?.connectionId === id) item.append(mappingEditor(state.mapping));
      else item.append(button('Edit Mapping', () => post({ type: 'editMapping', connectionId: id }), { secondary: true, title: 'Which columns go out, under which field names' }));
    } else {
      item.append(el('span', { class: 'muted' }, ' · no destination yet'));
    }
    list.append(item);
  }
  return el('div', {}, el('p', {}, `${ids.length === 1 ? 'One connection uses' : `${ids.length} connections use`} this model:`), list);
}

/** What is wrong with a mapping, or undefined when it can be saved. */
function mappingProblem(m: NonNullable<State['mapping']>): string | undefined {
  if (m.primaryKey && !m.fields[m.primaryKey]?.trim()) return `The primary key "${m.primaryKey}" must be sent: the destination matches rows on it.`;
  const fields = Object.values(m.fields).map((f) => f.trim()).filter(Boolean);
  if (fields.length === 0) return 'Send at least one column.';
  const twice = fields.find((f, i) => fields.indexOf(f) !== i);
  return twice ? `The field "${twice}" is mapped from two columns.` : undefined;
}

function mappingOf(m: NonNullable<State['mapping']>): Record<string, string> {
  return Object.fromEntries(Object.entries(m.fields).filter(([, f]) => f.trim()).map(([c, f]) => [c, f.trim()]));
}

/** Column → field pickers, or the same mapping as JSON; both edit one state. */
function mappingEditor(m: NonNullable<State['mapping']>): HTMLElement {
  const problem = el('p', { id: 'mapping-problem', class: 'error', role: 'alert' });
  const saveButton = button('Save Mapping', () => post({ type: 'saveMapping', connectionId: m.connectionId, mapping: mappingOf(m) }), { id: 'mapping-save' }) as HTMLElement & { disabled: boolean };
  const check = () => {
    const p = mappingProblem(m);
    problem.textContent = p ?? '';
    saveButton.disabled = p !== undefined;
    save();
  };
  let body: HTMLElement;
  if (m.json) {
    const area = el('textarea', { id: 'mapping-json', rows: String(Math.min(16, m.columns.length + 2)), spellcheck: 'false', 'aria-label': 'Mapping as JSON: model column to destination field' });
    area.value = JSON.stringify(mappingOf(m), null, 2);
    area.addEventListener('input', () => {
      try {
        const parsed = JSON.parse(area.value) as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('The mapping is a JSON object: {"column": "field"}.');
        const unknown = Object.keys(parsed).filter((c) => !m.columns.includes(c));
        if (unknown.length) throw new Error(`The query returns no column ${unknown.map((c) => `"${c}"`).join(', ')}.`);
        if (Object.values(parsed).some((f) => typeof f !== 'string')) throw new Error('Every field name is a string.');
        m.fields = Object.fromEntries(m.columns.map((c) => [c, (parsed as Record<string, string>)[c] ?? '']));
        check();
      } catch (err) {
        problem.textContent = (err as Error).message;
        saveButton.disabled = true;
      }
    });
    body = area;
  } else {
    const rows = m.columns.map((c) => {
      const input = el('input', { type: 'text', 'data-column': c, placeholder: 'not sent', 'aria-label': `Destination field for column ${c}` });
      input.value = m.fields[c] ?? '';
      input.addEventListener('input', () => {
        m.fields[c] = input.value;
        check();
      });
      return el('tr', {}, el('td', {}, c, c === m.primaryKey ? el('span', { class: 'muted' }, ' (key)') : undefined), el('td', {}, '→'), el('td', {}, input));
    });
    body = el('table', { id: 'mapping' }, el('thead', {}, el('tr', {}, el('th', {}, 'Model column'), el('th', {}), el('th', {}, 'Destination field'))), el('tbody', {}, ...rows));
  }
  const toggle = button(m.json ? 'Column Pickers' : 'JSON', () => {
    m.json = !m.json;
    save();
    render();
  }, { secondary: true, id: 'mapping-toggle' });
  const cancel = button('Cancel', () => {
    state.mapping = undefined;
    save();
    render();
  }, { secondary: true });
  const editor = el('div', { id: 'mapping-editor' }, body, problem, el('div', { class: 'actions' }, saveButton, cancel, toggle));
  check();
  return editor;
}

function lastRunText(run: SyncRunRecord | null | undefined): string {
  if (run === undefined) return 'Last run: …';
  if (run === null) return 'Never synced.';
  const when = new Date(run.startedAt).toLocaleString();
  if (!run.finishedAt) return `Last run ${when} did not finish; the next run sends the rest.`;
  const counts = `${run.added ?? 0} added · ${run.changed ?? 0} changed · ${run.removed ?? 0} removed · ${run.failed ?? 0} failed`;
  return `Last run ${when}${run.full ? ' (full)' : ''}: ${counts}${run.error ? ` — stopped: ${run.error}` : ''}`;
}

function configurationPanel(data: PanelModel): HTMLElement {
  const box = el('div', { class: 'configuration' });
  if (!state.editing) {
    box.append(
      el('h2', {}, 'Description'),
      el('p', { id: 'description' }, data.model.description || 'No description.'),
      el('h2', {}, 'Query'),
      el('pre', { id: 'sql' }, data.sql || '(the query file is empty)'),
      el(
        'div',
        { class: 'actions' },
        button('Edit Configuration', () => {
          state.editing = true;
          state.draft = { description: data.model.description ?? '', sql: data.sql };
          save();
          render();
        }, { id: 'edit' }),
        button('Run Query', () => post({ type: 'runQuery' }), { secondary: true, id: 'run', disabled: state.running !== undefined }),
      ),
    );
  } else {
    const description = el('textarea', { id: 'edit-description', rows: '2', 'aria-label': 'Description' });
    description.value = state.draft.description;
    description.addEventListener('input', () => {
      state.draft.description = description.value;
      save();
    });
    const sql = el('textarea', { id: 'edit-sql', rows: '12', spellcheck: 'false', 'aria-label': 'SQL query' });
    sql.value = state.draft.sql;
    sql.addEventListener('input', () => {
      state.draft.sql = sql.value;
      save();
    });
    box.append(
      el('label', { for: 'edit-description' }, 'Description'),
      description,
      el('label', { for: 'edit-sql' }, 'Query'),
      sql,
      el(
        'div',
        { class: 'actions' },
        button('Run Query', () => post({ type: 'runQuery', sql: state.draft.sql }), { id: 'run', disabled: state.running !== undefined }),
        button('Finish', () => post({ type: 'finish', description: state.draft.description, sql: state.draft.sql }), { id: 'finish', secondary: true }),
        button('Cancel', () => {
          state.editing = false;
          save();
          render();
        }, { id: 'cancel-edit', secondary: true }),
      ),
    );
  }
  box.append(previewSection(data));
  return box;
}

function previewSection(data: PanelModel): HTMLElement {
  const section = el('section', { id: 'preview', 'aria-label': 'Preview' }, el('h2', {}, 'Preview'));
  if (state.running !== undefined) {
    section.append(
      el('div', { class: 'status', id: 'running' }, document.createElement('vscode-progress-ring'), `Running page ${state.running}…`, button('Cancel', () => post({ type: 'cancel' }), { secondary: true, id: 'cancel-query' })),
    );
  }
  if (state.error) section.append(errorBox(state.error));
  const page = state.page;
  if (!page) {
    if (state.running === undefined && !state.error) section.append(el('p', { class: 'muted', id: 'no-preview' }, 'Run the query to see its first 50 rows.'));
    return section;
  }
  const first = (page.page - 1) * page.pageSize + 1;
  const last = (page.page - 1) * page.pageSize + page.rows.length;
  const columns = page.columns.map((c) => c.name);
  section.append(
    el(
      'div',
      { class: 'toolbar' },
      button('◀ Previous', () => post({ type: 'page', page: page.page - 1 }), { secondary: true, id: 'prev', disabled: page.page <= 1 || state.running !== undefined, title: 'Previous page (Page Up)' }),
      el('span', { id: 'page-info' }, `Page ${page.page} · rows ${page.rows.length ? `${first}–${last}` : 'none'} · ${page.rowsSoFar} fetched · ${page.hasMore ? 'more rows follow' : 'no more rows'}`),
      button('Next ▶', () => post({ type: 'page', page: page.page + 1 }), { secondary: true, id: 'next', disabled: !page.hasMore || state.running !== undefined, title: 'Next page (Page Down)' }),
      el('span', { class: 'spacer' }),
      button('Copy cell', () => copyFocused('cell'), { secondary: true, id: 'copy-cell' }),
      button('Copy row', () => copyFocused('row'), { secondary: true, id: 'copy-row' }),
      button('Copy page as CSV', () => post({ type: 'copy', what: 'page as CSV', text: toCsv(columns, page.rows) }), { secondary: true, id: 'copy-csv' }),
      button('Copy page as JSON', () => post({ type: 'copy', what: 'page as JSON', text: toJson(columns, page.rows) }), { secondary: true, id: 'copy-json' }),
    ),
  );
  if (page.keys.missing) section.append(el('p', { class: 'warning', id: 'key-missing' }, `The primary key "${page.keys.column}" is not among the columns.`));
  if (page.keys.duplicates.length) section.append(el('p', { class: 'warning', id: 'key-duplicates' }, `Duplicate primary keys so far: ${page.keys.duplicates.slice(0, 20).join(', ')}${page.keys.duplicates.length > 20 ? ', …' : ''}`));
  section.append(grid(page, data));
  if (state.whole) section.append(el('div', { class: 'whole', id: 'whole-value' }, el('h3', {}, state.whole.label), el('textarea', { readonly: 'true', rows: '8', 'aria-label': state.whole.label }, state.whole.value)));
  return section;
}

function errorBox(error: PreviewError): HTMLElement {
  const box = el('div', { class: 'error', id: 'preview-error', role: 'alert' });
  const where = error.position ? ` (line ${error.position.line}, column ${error.position.column})` : '';
  const title = error.kind === 'cancelled' ? 'Cancelled' : error.kind === 'refused' ? 'Not run' : 'The query failed';
  box.append(el('strong', {}, `${title}${where}`), el('p', { id: 'error-message' }, error.message));
  if (error.position) {
    const pos = error.position;
    box.append(button('Go to line', () => post({ type: 'goToLine', line: pos.line, column: pos.column }), { secondary: true, id: 'goto-line' }));
  }
  return box;
}

function grid(page: PreviewPage, data: PanelModel): HTMLElement {
  const keyIndex = page.keys.column ? page.columns.findIndex((c) => c.name === page.keys.column) : -1;
  const table = el('table', { id: 'grid', role: 'grid', 'aria-rowcount': String(page.rows.length + 1) });
  const head = el('tr', {});
  page.columns.forEach((c, i) => {
    const th = el('th', { scope: 'col', title: `${c.name}: ${c.type}` }, el('span', { class: 'col-name' }, c.name), el('span', { class: 'col-type' }, c.type));
    if (i === keyIndex) {
      th.classList.add('key');
      th.prepend(el('span', { class: 'key-mark', title: 'primary key' }, 'PK'));
    }
    head.append(th);
  });
  table.append(el('thead', {}, head));
  const body = el('tbody', {});
  const flagged = new Set(page.keys.flaggedRows);
  page.rows.forEach((row, r) => {
    const tr = el('tr', { 'data-row': String(r) });
    if (flagged.has(r)) {
      tr.classList.add('flagged');
      tr.title = 'NULL or duplicate primary key';
    }
    row.forEach((cell, c) => {
      const td = el('td', { tabindex: r === state.focus.row && c === state.focus.column ? '0' : '-1', 'data-row': String(r), 'data-column': String(c) });
      if (cell === null) {
        td.classList.add('null');
        td.textContent = 'NULL';
      } else if (cell === '') {
        td.classList.add('empty');
        td.title = 'empty string';
      } else if (isTruncated(cell)) {
        td.append(el('span', {}, `${cell.truncated.slice(0, 200)}…`));
        const more = el('a', { href: '#', class: 'more' }, `show all ${cell.size.toLocaleString('en-US')} chars`);
        more.addEventListener('click', (e) => {
          e.preventDefault();
          post({ type: 'cell', page: page.page, row: r, column: c });
        });
        td.append(' ', more);
      } else {
        const text = cellText(cell);
        td.textContent = text.length > 300 ? `${text.slice(0, 300)}…` : text;
        if (typeof cell === 'number') td.classList.add('number');
      }
      td.addEventListener('focus', () => {
        state.focus = { row: r, column: c };
        save();
      });
      tr.append(td);
    });
    body.append(tr);
  });
  table.append(body);
  table.addEventListener('keydown', (e) => onGridKey(e, page));
  void data;
  return el('div', { class: 'grid-wrap' }, table);
}

function focusCell(): void {
  const td = document.querySelector<HTMLElement>(`#grid td[data-row="${state.focus.row}"][data-column="${state.focus.column}"]`);
  td?.focus();
}

function onGridKey(e: KeyboardEvent, page: PreviewPage): void {
  const { row, column } = state.focus;
  const rows = page.rows.length;
  const cols = page.columns.length;
  const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const move = moves[e.key];
  if (move) {
    e.preventDefault();
    state.focus = { row: Math.max(0, Math.min(rows - 1, row + move[0])), column: Math.max(0, Math.min(cols - 1, column + move[1])) };
    document.querySelectorAll('#grid td[tabindex="0"]').forEach((td) => td.setAttribute('tabindex', '-1'));
    document.querySelector(`#grid td[data-row="${state.focus.row}"][data-column="${state.focus.column}"]`)?.setAttribute('tabindex', '0');
    focusCell();
    save();
  } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c') {
    e.preventDefault();
    copyFocused('cell');
  }
}

function copyFocused(what: 'cell' | 'row'): void {
  const page = state.page;
  const row = page?.rows[state.focus.row];
  if (!page || !row) return;
  if (what === 'cell') {
    const v = plain(row[state.focus.column] ?? null);
    post({ type: 'copy', what: 'cell', text: v === null ? '' : String(v) });
  } else {
    post({ type: 'copy', what: 'row as JSON', text: toJson(page.columns.map((c) => c.name), [row]).replace(/^\[\n|\n\]$/g, '') });
  }
}

function settingsPanel(data: PanelModel): HTMLElement {
  const m = data.model;
  const select = el('select', { id: 'credentials-select', 'aria-label': 'Credentials' });
  for (const c of data.credentials) {
    const option = el('option', { value: c.id }, `${c.id} (${c.type})`);
    if (c.id === m.credentials) option.setAttribute('selected', 'true');
    select.append(option);
  }
  const used = m.connections.length;
  const reason = used > 0 ? `It cannot be deleted while ${used === 1 ? 'a connection uses' : `${used} connections use`} it: ${m.connections.join(', ')}.` : 'No connection uses it.';
  return el(
    'div',
    { class: 'settings' },
    el('h2', {}, 'Credentials'),
    el(
      'div',
      { class: 'actions' },
      select,
      button('Switch', () => post({ type: 'switchCredentials', credentialsId: select.value }), { secondary: true, id: 'switch-credentials' }),
      button('Edit Credentials', () => post({ type: 'editCredentials' }), { secondary: true, id: 'edit-credentials' }),
      button('Verify', () => post({ type: 'verify' }), { id: 'verify', disabled: state.verifying }),
    ),
    checksList(),
    el('h2', {}, 'Permanently delete the model'),
    el('p', { id: 'delete-reason' }, reason),
    button('Delete', () => post({ type: 'delete' }), { id: 'delete', disabled: used > 0, title: used > 0 ? reason : 'Delete this model' }),
  );
}

const STATUS_MARK: Record<CheckResult['status'], string> = { pending: '○', running: '◌', passed: '✓', failed: '✗', skipped: '–' };

function checksList(): HTMLElement {
  const list = el('ol', { id: 'checks', class: 'checks', 'aria-live': 'polite' });
  for (const c of state.checks ?? []) {
    const item = el('li', { class: `check ${c.status}`, 'data-check': c.id });
    item.append(
      c.status === 'running' ? document.createElement('vscode-progress-ring') : el('span', { class: 'mark', 'aria-hidden': 'true' }, STATUS_MARK[c.status]),
      el('span', { class: 'title' }, c.title),
      el('span', { class: 'status-text' }, c.status === 'passed' || c.status === 'failed' ? `${c.status} · ${c.ms ?? 0} ms` : c.status),
    );
    if (c.message && c.status !== 'pending') item.append(el('div', { class: 'message' }, c.message));
    if (c.warning) item.append(el('div', { class: 'message warning', role: 'alert' }, `⚠ ${c.warning}`));
    if (c.remediation) {
      const fix = c.remediation;
      item.append(el('pre', { class: 'remediation' }, fix), button('Copy SQL', () => post({ type: 'copy', what: 'fix SQL', text: fix }), { secondary: true, id: `copy-fix-${c.id}` }));
    }
    list.append(item);
  }
  return list;
}

// ---- messages and keys -------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'model':
      state.data = m.data;
      break;
    case 'verify':
      state.checks = m.checks;
      state.verifying = m.running;
      break;
    case 'previewRunning':
      state.running = m.page;
      state.error = undefined;
      break;
    case 'preview':
      state.page = m.page;
      state.running = undefined;
      state.error = undefined;
      state.whole = undefined;
      state.focus = { row: 0, column: 0 };
      break;
    case 'previewError':
      state.error = m.error;
      state.running = undefined;
      break;
    case 'cellValue':
      state.whole = { label: `Row ${(m.page - 1) * (state.page?.pageSize ?? 50) + m.row + 1}, ${state.page?.columns[m.column]?.name ?? ''}`, value: m.value === null ? 'NULL' : isTruncated(m.value) ? m.value.truncated : String(m.value) };
      break;
    case 'saved':
      state.editing = false;
      break;
    case 'showTab':
      state.tab = m.tab;
      break;
    case 'lastRuns':
      state.lastRuns = m.runs;
      break;
    case 'mappingEditor':
      state.mapping = {
        connectionId: m.connectionId,
        columns: m.columns,
        // Without a mapping every column is sent under its own name.
        fields: Object.fromEntries(m.columns.map((c) => [c, m.mapping ? (m.mapping[c] ?? '') : c])),
        ...(m.primaryKey ? { primaryKey: m.primaryKey } : {}),
        json: false,
      };
      state.tab = 'sources';
      break;
    case 'mappingSaved':
      if (state.mapping?.connectionId === m.connectionId) state.mapping = undefined;
      break;
  }
  save();
  render();
});

document.addEventListener('keydown', (e) => {
  const page = state.page;
  if (!page || state.running !== undefined || (e.target as HTMLElement | null)?.tagName === 'TEXTAREA') return;
  if (e.key === 'PageDown' && page.hasMore) {
    e.preventDefault();
    post({ type: 'page', page: page.page + 1 });
  } else if (e.key === 'PageUp' && page.page > 1) {
    e.preventDefault();
    post({ type: 'page', page: page.page - 1 });
  }
});

render();
post({ type: 'ready' });
