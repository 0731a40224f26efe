// The model panel's script. It runs in the webview sandbox, talks only through postMessage, and puts
// every value into the page as text (never as HTML), so a cell holding markup shows as markup.
import type { FromWebview, ToWebview } from '../../protocol/src/webviewMessages';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function render(message: ToWebview): void {
  const root = document.getElementById('root');
  if (!root) return;
  root.replaceChildren();
  const m = message.model;
  root.append(el('h1', m.name), el('p', m.description || 'No description.'));
  const facts = el('dl');
  for (const [k, v] of [
    ['Id', m.id],
    ['Credentials', m.credentials],
    ['Query', m.query],
    ['Used by', m.connections.join(', ') || 'no connection'],
  ] as const) facts.append(el('dt', k), el('dd', v));
  root.append(facts);
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  vscode.setState(event.data);
  render(event.data);
});

const saved = vscode.getState() as ToWebview | undefined;
if (saved) render(saved);
vscode.postMessage({ type: 'ready' });
