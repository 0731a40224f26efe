// The panel's frame, built once: "Loading…" until the model arrives, then the header and three tabs, each
// tab panel holding the roots of its features. The tabs feature keeps the selected tab and the labels.
import type { PanelTab } from '../../../protocol/src/webviewMessages';
import { el, setText, show } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import { TABS, type PanelState } from '../state';

export interface Roots {
  tabs: HTMLElement;
  header: HTMLElement;
  sources: HTMLElement;
  /** Not in the page: the mapping editor places it in the item of the connection it edits. */
  mapping: HTMLElement;
  configuration: HTMLElement;
  preview: HTMLElement;
  credentials: HTMLElement;
  checks: HTMLElement;
  deletion: HTMLElement;
}

export function layout(root: HTMLElement): Roots {
  const r: Roots = {
    tabs: el('div', { id: 'panel' }),
    header: el('header'),
    sources: el('div'),
    mapping: el('div'),
    configuration: el('div'),
    preview: el('section', { id: 'preview', 'aria-label': 'Preview' }),
    credentials: el('div'),
    checks: el('div'),
    deletion: el('div'),
  };
  const tabs = document.createElement('vscode-tabs');
  tabs.setAttribute('selected-index', '1');
  for (const t of TABS) tabs.append(el('vscode-tab-header', { slot: 'header', id: `tab-${t}` }));
  tabs.append(
    el('vscode-tab-panel', { id: 'panel-sources' }, r.sources),
    el('vscode-tab-panel', { id: 'panel-configuration' }, el('div', { class: 'configuration' }, r.configuration, r.preview)),
    el('vscode-tab-panel', { id: 'panel-settings' }, el('div', { class: 'settings' }, r.credentials, r.checks, r.deletion)),
  );
  r.tabs.append(r.header, tabs);
  root.replaceChildren(el('p', { class: 'muted', id: 'loading' }, 'Loading the model…'), r.tabs);
  return r;
}

function tabsFeature(): Feature {
  let loading: HTMLElement;
  let body: HTMLElement;
  let tabs: HTMLElement;
  const headers = new Map<PanelTab, HTMLElement>();
  const changed = sliceMemo();
  return {
    mount(root: HTMLElement, ui: Ui) {
      body = root;
      loading = root.ownerDocument.getElementById('loading')!;
      tabs = root.querySelector('vscode-tabs')!;
      for (const t of TABS) headers.set(t, root.querySelector(`#tab-${t}`)!);
      tabs.addEventListener('vsc-tabs-select', (e) => {
        ui.dispatch({ type: 'selectTab', tab: TABS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex] ?? 'configuration' });
      });
    },
    render(s: PanelState) {
      if (!changed([s.data, s.tab])) return;
      show(loading, !s.data);
      show(body, s.data !== undefined);
      if (!s.data) return;
      const labels: Record<PanelTab, string> = { sources: `Sources (${s.data.model.connections.length})`, configuration: 'Configuration', settings: 'Settings' };
      for (const t of TABS) setText(headers.get(t)!, labels[t]);
      const index = String(TABS.indexOf(s.tab));
      if (tabs.getAttribute('selected-index') !== index) tabs.setAttribute('selected-index', index);
    },
  };
}

export const tabs = tabsFeature();
