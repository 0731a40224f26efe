// The mapping editor of one connection: column → field pickers, or the same mapping as JSON; both edit
// one mapping in state. It sits in its connection's item in the Sources tab (the item's `.mapping-slot`).
// Its inputs are built when it opens or switches view, never while the user types: typing only updates
// the problem line and the Save button.
import { button, el, setDisabled, setText, type Button } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import { mappingOf, mappingProblem, type MappingDraft, type PanelState } from '../state';

function mappingEditorFeature(): Feature {
  let ui: Ui;
  let root: HTMLElement;
  let problem: HTMLElement;
  let save: Button;
  let toggle: Button;
  let body: HTMLElement;
  let editor: HTMLElement;
  /** What the inputs were built for: the editor's connection and columns, and the view. */
  let built: { connectionId: string; columns: string[]; json: boolean } | undefined;
  let current: MappingDraft | undefined;
  const changed = sliceMemo();
  return {
    mount(r, u) {
      ui = u;
      root = r;
      problem = el('p', { id: 'mapping-problem', class: 'error', role: 'alert' });
      save = button('Save Mapping', () => {
        if (current) ui.post({ type: 'saveMapping', connectionId: current.connectionId, mapping: mappingOf(current) });
      }, { id: 'mapping-save' });
      const cancel = button('Cancel', () => ui.dispatch({ type: 'closeMapping' }), { secondary: true });
      toggle = button('JSON', () => ui.dispatch({ type: 'toggleMappingJson' }), { secondary: true, id: 'mapping-toggle' });
      body = el('div');
      editor = el('div', { id: 'mapping-editor' }, body, problem, el('div', { class: 'actions' }, save, cancel, toggle));
    },
    render(s: PanelState) {
      const m = s.mapping;
      if (!changed([m, s.data, s.lastRuns])) return;
      current = m;
      if (!m) {
        built = undefined;
        root.replaceChildren();
        root.remove();
        return;
      }
      const slot = document.querySelector(`#sources .mapping-slot[data-connection="${CSS.escape(m.connectionId)}"]`);
      if (slot && root.parentElement !== slot) slot.append(root);
      if (!built || built.connectionId !== m.connectionId || built.columns !== m.columns || built.json !== m.json) {
        built = { connectionId: m.connectionId, columns: m.columns, json: m.json };
        body.replaceChildren(m.json ? jsonView(m) : pickers(m));
        setText(toggle, m.json ? 'Column Pickers' : 'JSON');
        if (root.firstChild !== editor) root.replaceChildren(editor);
      }
      const p = mappingProblem(m);
      setText(problem, p ?? '');
      setDisabled(save, p !== undefined);
    },
  };

  function pickers(m: MappingDraft): HTMLElement {
    const rows = m.columns.map((c) => {
      const input = el('input', { type: 'text', 'data-column': c, placeholder: 'not sent', 'aria-label': `Destination field for column ${c}` });
      input.value = m.fields[c] ?? '';
      input.addEventListener('input', () => ui.dispatch({ type: 'mapField', column: c, field: input.value }));
      return el('tr', {}, el('td', {}, c, c === m.primaryKey ? el('span', { class: 'muted' }, ' (key)') : undefined), el('td', {}, '→'), el('td', {}, input));
    });
    return el('table', { id: 'mapping' }, el('thead', {}, el('tr', {}, el('th', {}, 'Model column'), el('th', {}), el('th', {}, 'Destination field'))), el('tbody', {}, ...rows));
  }

  function jsonView(m: MappingDraft): HTMLElement {
    const area = el('textarea', { id: 'mapping-json', rows: String(Math.min(16, m.columns.length + 2)), spellcheck: 'false', 'aria-label': 'Mapping as JSON: model column to destination field' });
    area.value = JSON.stringify(mappingOf(m), null, 2);
    area.addEventListener('input', () => {
      const columns = current?.columns ?? [];
      try {
        const parsed = JSON.parse(area.value) as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('The mapping is a JSON object: {"column": "field"}.');
        const unknown = Object.keys(parsed).filter((c) => !columns.includes(c));
        if (unknown.length) throw new Error(`The query returns no column ${unknown.map((c) => `"${c}"`).join(', ')}.`);
        if (Object.values(parsed).some((f) => typeof f !== 'string')) throw new Error('Every field name is a string.');
        ui.dispatch({ type: 'mapJson', fields: parsed as Record<string, string> });
      } catch (err) {
        ui.dispatch({ type: 'mapJsonError', message: (err as Error).message });
      }
    });
    return area;
  }
}

export const mappingEditor = mappingEditorFeature();
