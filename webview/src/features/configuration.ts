// The Configuration tab's upper part: description and query, read-only or being edited. The editor is
// built when editing starts; after that the text areas are never rewritten while the user types (results
// arriving only enable or disable Run), so focus and caret stay where they are.
import { button, el, setDisabled, setText, setValue, type Button } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import type { PanelState } from '../state';

interface ReadView {
  kind: 'read';
  box: HTMLElement;
  description: HTMLElement;
  sql: HTMLElement;
  run: Button;
}

interface EditView {
  kind: 'edit';
  box: HTMLElement;
  description: HTMLTextAreaElement;
  sql: HTMLTextAreaElement;
  run: Button;
}

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
      if (!data || !changed([data, s.draft, s.preview.running])) return;
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
        setText(view.sql, data.sql || '(the query file is empty)');
      } else if (s.draft) {
        setValue(view.description, s.draft.description);
        setValue(view.sql, s.draft.sql);
      }
    },
  };

  function readView(): ReadView {
    const description = el('p', { id: 'description' });
    const sql = el('pre', { id: 'sql' });
    const run = button('Run Query', () => ui.post({ type: 'runQuery' }), { secondary: true, id: 'run' });
    const edit = button('Edit Configuration', () => ui.dispatch({ type: 'startEdit' }), { id: 'edit' });
    const box = el('div', {}, el('h2', {}, 'Description'), description, el('h2', {}, 'Query'), sql, el('div', { class: 'actions' }, edit, run));
    return { kind: 'read', box, description, sql, run };
  }

  function editView(): EditView {
    const description = el('textarea', { id: 'edit-description', rows: '2', 'aria-label': 'Description' });
    description.addEventListener('input', () => ui.dispatch({ type: 'editDraft', description: description.value }));
    const sql = el('textarea', { id: 'edit-sql', rows: '12', spellcheck: 'false', 'aria-label': 'SQL query' });
    sql.addEventListener('input', () => ui.dispatch({ type: 'editDraft', sql: sql.value }));
    const draft = () => current?.draft ?? { description: description.value, sql: sql.value };
    const run = button('Run Query', () => ui.post({ type: 'runQuery', sql: draft().sql }), { id: 'run' });
    const finish = button('Finish', () => ui.post({ type: 'finish', description: draft().description, sql: draft().sql }), { id: 'finish', secondary: true });
    const cancel = button('Cancel', () => ui.dispatch({ type: 'cancelEdit' }), { id: 'cancel-edit', secondary: true });
    const box = el(
      'div',
      {},
      el('label', { for: 'edit-description' }, 'Description'),
      description,
      el('label', { for: 'edit-sql' }, 'Query'),
      sql,
      el('div', { class: 'actions' }, run, finish, cancel),
    );
    return { kind: 'edit', box, description, sql, run };
  }
}

export const configuration = configurationFeature();
