// The Sources tab: the connections that use the model, each with its destination, schedule, last run,
// Sync Now, Pause / Resume, Edit Mapping, and its activity (recent runs, failed rows with Retry Failed
// Rows) opened on demand. Items are kept per connection and updated in place, so the mapping editor
// placed in one (its `.mapping-slot`) is not moved while the user types in it.
import { scheduleText } from '../../../protocol/src/config';
import { runPace, type FailedRowRecord, type SyncRunRecord } from '../../../protocol/src/sync';
import type { ConnectionActivity, PanelModel } from '../../../protocol/src/webviewMessages';
import { button, el, setText, show, type Button } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import type { PanelState } from '../state';

interface Item {
  li: HTMLLIElement;
  info: HTMLElement;
  lastRun: HTMLElement;
  sync: Button;
  pause: Button;
  edit: Button;
  activityToggle: Button;
  activity: HTMLElement;
  /** What the activity section shows now, so an unchanged one is not rebuilt. */
  shown: ConnectionActivity | 'loading' | undefined;
  slot: HTMLElement;
  destination: string | undefined;
}

function cell(text: string, numeric = false): HTMLTableCellElement {
  return el('td', numeric ? { class: 'number' } : {}, text);
}

function historyTable(runs: SyncRunRecord[]): HTMLElement {
  const head = el('tr', {}, ...['Run', 'Started', 'Added', 'Changed', 'Removed', 'Failed', 'Invalid', 'Skipped', 'Duration', 'Rows/s', 'Stopped because'].map((h) => el('th', { scope: 'col' }, h)));
  const rows = runs.map((r) => {
    const pace = runPace(r);
    const n = (v: number | null) => cell(v === null ? '—' : v.toLocaleString('en-US'), true);
    return el(
      'tr',
      r.error || !r.finishedAt ? { class: 'troubled' } : {},
      cell(`${r.run}${r.full ? ' (full)' : ''}`, true),
      cell(new Date(r.startedAt).toLocaleString()),
      n(r.added),
      n(r.changed),
      n(r.removed),
      n(r.failed),
      n(r.invalid),
      n(r.skipped),
      cell(pace ? `${(pace.durationMs / 1000).toFixed(1)} s` : 'did not finish', true),
      cell(pace ? pace.rowsPerSecond.toLocaleString('en-US') : '—', true),
      cell(r.error ?? (r.finishedAt ? '' : 'the process stopped; the next run sends the rest')),
    );
  });
  return el('table', { class: 'history' }, el('caption', {}, 'Recent runs, newest first'), el('thead', {}, head), el('tbody', {}, ...rows));
}

function failuresTable(rows: FailedRowRecord[]): HTMLElement {
  const head = el('tr', {}, ...['Key', 'Operation', 'Reason', 'Attempts', 'Last try'].map((h) => el('th', { scope: 'col' }, h)));
  const body = rows.map((r) => el('tr', {}, cell(r.key), cell(r.op), cell(r.reason), cell(String(r.attempts), true), cell(new Date(r.lastAt).toLocaleString())));
  return el('table', { class: 'failures' }, el('caption', {}, `Failed rows (${rows.length.toLocaleString('en-US')}), the latest first`), el('thead', {}, head), el('tbody', {}, ...body));
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
      // "Sources" is the hosted products' word for this tab; the subtitle says what it holds.
      root.append(el('p', { class: 'muted subtitle', id: 'sources-subtitle' }, 'Connections that use this model'), none, some);
    },
    render(s: PanelState) {
      const data = s.data;
      if (!data || !changed([data, s.lastRuns, s.mapping?.connectionId, s.activity])) return;
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
      pause: button('Pause', () => ui.post({ type: 'pauseConnection', connectionId: id, paused: made.pause.dataset.paused !== 'true' }), { secondary: true }),
      edit: button('Edit Mapping', () => ui.post({ type: 'editMapping', connectionId: id }), { secondary: true, title: 'Which columns go out, under which field names' }),
      activityToggle: button(
        'Runs & Failed Rows',
        () => {
          if (made.activityToggle.dataset.open === 'true') return ui.dispatch({ type: 'closeActivity' });
          ui.dispatch({ type: 'openActivity', connectionId: id });
          ui.post({ type: 'loadActivity', connectionId: id });
        },
        { secondary: true, title: 'Recent runs with their counts, and the rows the destination refused' },
      ),
      activity: el('div', { class: 'activity', 'data-connection': id }),
      shown: undefined,
      slot: el('div', { class: 'mapping-slot', 'data-connection': id }),
      destination,
    };
    made.pause.classList.add('pause');
    made.activityToggle.classList.add('activity-toggle');
    if (destination) li.append(made.info, made.lastRun, made.sync, made.pause, made.activityToggle, made.slot, made.edit, made.activity);
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
    const schedule = scheduleText(c.schedule, c.timeZone ?? data.timeZone);
    setText(it.info, ` → ${c.destination} · ${c.mode ?? 'upsert'}${schedule ? ` · ${schedule}` : ''}${c.paused ? ' · paused' : ''}`);
    setText(it.lastRun, lastRunText(s.lastRuns?.[id]));
    it.sync.title = `Send the rows of this model that changed to ${c.destination}${c.paused ? ' (it is paused: this run is asked for)' : ''}`;
    const paused = c.paused === true;
    setText(it.pause, paused ? 'Resume' : 'Pause');
    it.pause.dataset.paused = String(paused);
    it.pause.title = paused ? 'Run on its schedule again' : schedule ? `Stop running on its schedule (${schedule}); Sync Now still runs it` : 'Keep any schedule from running it; Sync Now still runs it';
    show(it.edit, s.mapping?.connectionId !== id);
    const open = s.activity?.connectionId === id;
    it.activityToggle.dataset.open = String(open);
    it.activityToggle.setAttribute('aria-expanded', String(open));
    show(it.activity, open);
    const wanted = open ? (s.activity?.data ?? 'loading') : undefined;
    if (wanted !== it.shown) {
      it.shown = wanted;
      it.activity.replaceChildren(...activityNodes(id, wanted));
    }
  }

  function activityNodes(id: string, a: ConnectionActivity | 'loading' | undefined): Node[] {
    if (a === undefined) return [];
    if (a === 'loading') return [el('p', { class: 'muted' }, 'Reading the run history and the failed rows…')];
    if (!a.ok) return [el('p', { class: 'error' }, `Could not read them: ${a.message}`)];
    const runs = a.runs.length ? historyTable(a.runs) : el('p', { class: 'muted' }, 'No runs yet.');
    if (a.failures.length === 0) return [runs, el('p', { class: 'muted no-failures' }, 'No failed rows: every row sent was acknowledged.')];
    const retry = button(`Retry ${a.failures.length === 1 ? 'the Failed Row' : `${a.failures.length.toLocaleString('en-US')} Failed Rows`}`, () => ui.post({ type: 'retryFailed', connectionId: id }), {
      title: 'Send only these rows again; each is cleared once the destination acknowledges it',
    });
    retry.classList.add('retry-failed');
    return [runs, failuresTable(a.failures), retry];
  }
}

export const sources = sourcesFeature();
