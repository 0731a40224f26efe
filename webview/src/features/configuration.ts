// The Configuration tab's upper part: description, primary key and query, read-only or being edited. The editor is
// built when editing starts; after that the text areas are never rewritten while the user types (results
// arriving only enable or disable Run), so focus and caret stay where they are.
import { button, el, setDisabled, setText, setValue, type Button } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import type { PanelState } from '../state';

interface ReadView {
  kind: 'read';
  box: HTMLElement;
  description: HTMLElement;
  key: HTMLElement;
  sql: HTMLElement;
  sqlSummary: HTMLElement;
  run: Button;
}

interface EditView {
  kind: 'edit';
  box: HTMLElement;
  description: HTMLTextAreaElement;
  key: HTMLInputElement;
  /** The last result's column names, offered while typing the key. */
  keyColumns: HTMLDataListElement;
  sql: HTMLTextAreaElement;
  run: Button;
}

/** The query is folded to a few lines when longer, so the preview under it is seen without scrolling. */
const FOLDED_LINES = 12;

function configurationFeature(): Feature {
  let ui: Ui;
  let root: HTMLElement;
  let view: ReadView | EditView | undefined;
  let editing = false;
  let current: PanelState | undefined;
  const changed = sliceMemo();
  return {
    mount(r, u) {
      ui = u;
      root = r;
    },
    render(s: PanelState) {
      const data = s.data;
      if (!data || !changed([data, s.draft, s.preview.running, s.preview.page])) return;
      current = s;
      const nowEditing = s.draft !== undefined;
      if (!view || nowEditing !== editing) {
        editing = nowEditing;
        view = editing ? editView() : readView();
        root.replaceChildren(view.box);
      }
      setDisabled(view.run, s.preview.running !== undefined);
      if (view.kind === 'read') {
        setText(view.description, data.model.description || 'No description.');
        showKey(view.key, data.model.primaryKey);
        setText(view.sql, data.sql || '(the query file is empty)');
        // A final newline ends the last line; it does not start another.
        const lines = data.sql === '' ? 0 : data.sql.replace(/\r?\n$/, '').split('\n').length;
        setText(view.sqlSummary, `Query · ${lines} ${lines === 1 ? 'line' : 'lines'}`);
        view.sql.classList.toggle('folded', lines > FOLDED_LINES);
      } else if (s.draft) {
        setValue(view.description, s.draft.description);
        setValue(view.key, s.draft.primaryKey);
        setValue(view.sql, s.draft.sql);
        const names = (s.preview.page?.columns ?? []).map((c) => c.name);
        if ([...view.keyColumns.options].map((o) => o.value).join('\n') !== names.join('\n')) view.keyColumns.replaceChildren(...names.map((n) => el('option', { value: n })));
      }
    },
  };

  function showKey(node: HTMLElement, key: string | undefined): void {
    if (key) {
      if (node.dataset.key === key) return;
      node.replaceChildren(el('span', { class: 'key-mark' }, 'PK'), el('code', {}, key));
      node.dataset.key = key;
      node.classList.remove('warning');
    } else if (node.dataset.key !== '') {
      node.replaceChildren('No primary key: a sync needs one to tell rows apart. Edit Configuration to set it.');
      node.dataset.key = '';
      node.classList.add('warning');
    }
  }

  function readView(): ReadView {
    const description = el('p', { id: 'description' });
    const key = el('p', { id: 'primary-key' });
    const sql = el('pre', { id: 'sql', tabindex: '0' });
    const sqlSummary = el('summary', { id: 'sql-summary' });
    const run = button('Run Query', () => ui.post({ type: 'runQuery' }), { secondary: true, id: 'run' });
    const edit = button('Edit Configuration', () => ui.dispatch({ type: 'startEdit' }), { id: 'edit' });
    const box = el(
      'div',
      {},
      el('h2', {}, 'Description'),
      description,
      el('h2', {}, 'Primary key'),
      key,
      el('details', { open: '', id: 'sql-details' }, sqlSummary, sql),
      el('div', { class: 'actions' }, edit, run),
    );
    return { kind: 'read', box, description, key, sql, sqlSummary, run };
  }

  function editView(): EditView {
    const description = el('textarea', { id: 'edit-description', rows: '2', 'aria-label': 'Description' });
    description.addEventListener('input', () => ui.dispatch({ type: 'editDraft', description: description.value }));
    const keyColumns = el('datalist', { id: 'edit-key-columns' });
    const key = el('input', { id: 'edit-key', list: 'edit-key-columns', spellcheck: 'false', placeholder: 'a column of the result, e.g. user_id (empty: none)' });
    key.addEventListener('input', () => ui.dispatch({ type: 'editDraft', primaryKey: key.value }));
    const sql = el('textarea', { id: 'edit-sql', rows: '12', spellcheck: 'false', 'aria-label': 'SQL query' });
    sql.addEventListener('input', () => ui.dispatch({ type: 'editDraft', sql: sql.value }));
    const draft = () => current?.draft ?? { description: description.value, sql: sql.value, primaryKey: key.value };
    const run = button('Run Query', () => ui.post({ type: 'runQuery', sql: draft().sql }), { id: 'run' });
    const finish = button('Finish', () => ui.post({ type: 'finish', description: draft().description, sql: draft().sql, primaryKey: draft().primaryKey.trim() }), { id: 'finish', secondary: true });
    const cancel = button('Cancel', () => ui.dispatch({ type: 'cancelEdit' }), { id: 'cancel-edit', secondary: true });
    const box = el(
      'div',
      {},
      el('label', { for: 'edit-description' }, 'Description'),
      description,
      el('label', { for: 'edit-key' }, 'Primary key'),
      el('p', { class: 'muted hint' }, 'The column that tells rows apart: a sync matches destination records on it. Run the query to pick from its columns.'),
      key,
      keyColumns,
      el('label', { for: 'edit-sql' }, 'Query'),
      sql,
      el('div', { class: 'actions' }, run, finish, cancel),
    );
    return { kind: 'edit', box, description, key, keyColumns, sql, run };
  }
}

export const configuration = configurationFeature();
