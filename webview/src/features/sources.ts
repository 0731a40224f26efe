// The Sources tab: the connections that use the model, each with its destination, last run, Sync Now and
// Edit Mapping. Items are kept per connection and updated in place, so the mapping editor placed in one
// (its `.mapping-slot`) is not moved while the user types in it.
import type { SyncRunRecord } from '../../../protocol/src/sync';
import type { PanelModel } from '../../../protocol/src/webviewMessages';
import { button, el, setText, show, type Button } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import type { PanelState } from '../state';

interface Item {
  li: HTMLLIElement;
  info: HTMLElement;
  lastRun: HTMLElement;
  sync: Button;
  edit: Button;
  slot: HTMLElement;
  destination: string | undefined;
}

export function lastRunText(run: SyncRunRecord | null | undefined): string {
  if (run === undefined) return 'Last run: …';
  if (run === null) return 'Never synced.';
  const when = new Date(run.startedAt).toLocaleString();
  if (!run.finishedAt) return `Last run ${when} did not finish; the next run sends the rest.`;
  const counts = `${run.added ?? 0} added · ${run.changed ?? 0} changed · ${run.removed ?? 0} removed · ${run.failed ?? 0} failed`;
  return `Last run ${when}${run.full ? ' (full)' : ''}: ${counts}${run.error ? ` — stopped: ${run.error}` : ''}`;
}

function sourcesFeature(): Feature {
  let ui: Ui;
  let none: HTMLElement;
  let some: HTMLElement;
  let intro: HTMLElement;
  let list: HTMLUListElement;
  const items = new Map<string, Item>();
  const changed = sliceMemo();
  return {
    mount(root, u) {
      ui = u;
      none = el('p', { id: 'no-sources' }, 'No connection uses this model yet. Connections reuse a model to send its rows to a destination: "New Connection" in the Models view.');
      intro = el('p');
      list = el('ul', { id: 'sources' });
      some = el('div', {}, intro, list);
      root.append(none, some);
    },
    render(s: PanelState) {
      const data = s.data;
      if (!data || !changed([data, s.lastRuns, s.mapping?.connectionId])) return;
      const ids = data.model.connections;
      show(none, ids.length === 0);
      show(some, ids.length > 0);
      // #no-sources and #sources exist only when they apply, as the tests (and people) find them.
      none.id = ids.length === 0 ? 'no-sources' : '';
      list.id = ids.length > 0 ? 'sources' : '';
      setText(intro, `${ids.length === 1 ? 'One connection uses' : `${ids.length} connections use`} this model:`);
      for (const id of [...items.keys()]) if (!ids.includes(id)) items.delete(id);
      const wanted = ids.map((id) => item(id, data));
      for (const [i, id] of ids.entries()) update(wanted[i]!, id, data, s);
      const current = [...list.children];
      if (current.length !== wanted.length || wanted.some((w, i) => current[i] !== w.li)) list.replaceChildren(...wanted.map((w) => w.li));
    },
  };

  function item(id: string, data: PanelModel): Item {
    const destination = data.connections.find((c) => c.id === id)?.destination;
    const known = items.get(id);
    if (known && known.destination === destination) return known;
    const link = el('a', { href: '#', 'data-connection': id }, id);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      ui.post({ type: 'revealConnection', connectionId: id });
    });
    const li = el('li', { 'data-connection': id }, link);
    const made: Item = {
      li,
      info: el('span', { class: 'muted' }),
      lastRun: el('div', { class: 'last-run' }),
      sync: button('Sync Now', () => ui.post({ type: 'syncNow', connectionId: id }), { secondary: true }),
      edit: button('Edit Mapping', () => ui.post({ type: 'editMapping', connectionId: id }), { secondary: true, title: 'Which columns go out, under which field names' }),
      slot: el('div', { class: 'mapping-slot', 'data-connection': id }),
      destination,
    };
    if (destination) li.append(made.info, made.lastRun, made.sync, made.slot, made.edit);
    else li.append(made.info);
    items.set(id, made);
    return made;
  }

  function update(it: Item, id: string, data: PanelModel, s: PanelState): void {
    const c = data.connections.find((x) => x.id === id);
    if (!c?.destination) {
      setText(it.info, ' · no destination yet');
      return;
    }
    setText(it.info, ` → ${c.destination} · ${c.mode ?? 'upsert'}${c.schedule && c.schedule !== 'manual' ? ` · every ${c.schedule}` : ''}`);
    setText(it.lastRun, lastRunText(s.lastRuns?.[id]));
    it.sync.title = `Send the rows of this model that changed to ${c.destination}`;
    show(it.edit, s.mapping?.connectionId !== id);
  }
}

export const sources = sourcesFeature();
