// The model panel. It runs in the webview sandbox and talks only through postMessage. This file is the
// only listener and the only caller of setState: every event (a message from the extension or a UiEvent
// from a feature) goes through reduce, the durable slice is saved, and each feature renders its section.
// A panel that is hidden and shown again starts from the durable slice (tab, draft, page number); the
// extension re-sends the rest (model, preview or the run in flight, checks, last runs) on "ready".
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import type { FromWebview, ToWebview } from '../../protocol/src/webviewMessages';
import type { Feature, Ui } from './feature';
import { checksList } from './features/checksList';
import { configuration } from './features/configuration';
import { header } from './features/header';
import { mappingEditor } from './features/mappingEditor';
import { previewGrid } from './features/previewGrid';
import { credentials, deletion } from './features/settings';
import { sources } from './features/sources';
import { layout, tabs } from './features/tabs';
import { durable, initialState, reduce, type PanelEvent } from './state';
import './panel.css';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

let state = initialState(vscode.getState());

const roots = layout(document.getElementById('root')!);
// In render order: sources before the mapping editor, which it places in a connection's item.
const features: [Feature, HTMLElement][] = [
  [tabs, roots.tabs],
  [header, roots.header],
  [sources, roots.sources],
  [mappingEditor, roots.mapping],
  [configuration, roots.configuration],
  [previewGrid, roots.preview],
  [credentials, roots.credentials],
  [checksList, roots.checks],
  [deletion, roots.deletion],
];

function apply(e: PanelEvent): void {
  const next = reduce(state, e);
  if (next === state) return;
  state = next;
  vscode.setState(durable(state));
  for (const [f] of features) f.render(state);
}

const ui: Ui = { post: (m) => vscode.postMessage(m), dispatch: apply };
for (const [f, root] of features) f.mount(root, ui);
for (const [f] of features) f.render(state);

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m: unknown = event.data;
  if (m && typeof m === 'object' && typeof (m as { type?: unknown }).type === 'string') apply(m as ToWebview);
});

vscode.postMessage({ type: 'ready' });
