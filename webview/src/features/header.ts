// The model's name (renamed in place: an input that stays open while messages arrive), its id,
// credentials and query file.
import { button, el, setText } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import type { PanelState } from '../state';

function headerFeature(): Feature {
  let ui: Ui;
  let title: HTMLHeadingElement;
  let info: HTMLElement;
  let input: HTMLInputElement | undefined;
  let name = '';
  const changed = sliceMemo();
  return {
    mount(root, u) {
      ui = u;
      title = el('h1', { id: 'model-name' });
      info = el('span', { class: 'muted', id: 'model-id' });
      const rename = button('Rename', () => ui.dispatch({ type: 'openRename' }), { secondary: true, id: 'rename', title: 'Rename the model (its id stays)' });
      root.append(title, info, rename);
    },
    render(s: PanelState) {
      const m = s.data?.model;
      if (!m || !changed([m, s.renaming])) return;
      name = m.name;
      setText(info, `${m.id} · credentials ${m.credentials} · ${m.query} · ${m.primaryKey ? `primary key ${m.primaryKey}` : 'no primary key'}`);
      if (s.renaming && !input) {
        input = openInput(m.name);
        title.replaceChildren(input);
        input.focus();
        input.select();
      } else if (!s.renaming) {
        input = undefined;
        if (title.firstElementChild || title.textContent !== m.name) title.textContent = m.name;
      }
    },
  };

  function openInput(current: string): HTMLInputElement {
    const i = el('input', { id: 'rename-input', 'aria-label': 'New model name', value: current });
    i.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== 'Escape') return;
      const value = i.value.trim();
      if (e.key === 'Enter' && value && value !== name) ui.post({ type: 'rename', name: value });
      ui.dispatch({ type: 'closeRename' });
    });
    return i;
  }
}

export const header = headerFeature();
