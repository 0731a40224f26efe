// Loads the built panel (dist/webview.js + .css) in Debian's Chromium with a stub acquireVsCodeApi that
// records what the panel posts and keeps its state, and theme variables for a light or a dark theme.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { checkFromWebview } from '../../protocol/src/webviewMessageCheck';
import { REPO } from '../helpers/cli';

export const SHOTS = path.join(REPO, 'test-results', 'webview');

const THEMES = {
  light: {
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b',
    '--vscode-input-border': '#cecece', '--vscode-panel-border': '#e5e5e5', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-textCodeBlock-background': '#f0f0f0', '--vscode-errorForeground': '#c72e0f', '--vscode-inputValidation-errorBackground': '#f2dede',
    '--vscode-inputValidation-errorBorder': '#be1100', '--vscode-inputValidation-warningBackground': '#fff4d2', '--vscode-focusBorder': '#005fb8',
    '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace', '--vscode-editor-font-size': '13px',
  },
  dark: {
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryHoverBackground': '#3c3c3c', '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-secondaryForeground': '#cccccc', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc',
    '--vscode-input-border': '#3c3c3c', '--vscode-panel-border': '#2b2b2b', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-textCodeBlock-background': '#2b2b2b', '--vscode-errorForeground': '#f85149', '--vscode-inputValidation-errorBackground': '#5a1d1d',
    '--vscode-inputValidation-errorBorder': '#be1100', '--vscode-inputValidation-warningBackground': '#352a05', '--vscode-focusBorder': '#0078d4',
    '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace', '--vscode-editor-font-size': '13px',
  },
} as const;

export type Theme = keyof typeof THEMES;

export function harnessUrl(theme: Theme): string {
  mkdirSync(SHOTS, { recursive: true });
  const vars = Object.entries(THEMES[theme]).map(([k, v]) => `${k}: ${v};`).join(' ');
  const dist = pathToFileURL(path.join(REPO, 'dist')).toString();
  const html = `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="${dist}/webview.css">
<style>:root { ${vars} }</style>
<script>
  window.__posted = [];
  window.__state = JSON.parse(sessionStorage.getItem('state') || 'null');
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(m),
    getState: () => window.__state,
    setState: (s) => { window.__state = s; sessionStorage.setItem('state', JSON.stringify(s)); },
  });
</script>
</head><body class="vscode-${theme}"><div id="root"></div><script src="${dist}/webview.js"></script></body></html>`;
  const file = path.join(SHOTS, `harness-${theme}.html`);
  writeFileSync(file, html);
  return pathToFileURL(file).toString();
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--allow-file-access-from-files'],
  });
}

/** Delivers a message as the extension would, and returns once the page has handled it. */
export async function send(page: Page, message: unknown): Promise<void> {
  // postMessage is dispatched as a later task; a timer queued after it runs once the handler (and the
  // elements' microtask updates) are done, so assertions that follow see the result.
  await page.evaluate((m) => new Promise<void>((resolve) => {
    window.postMessage(m, '*');
    setTimeout(() => setTimeout(resolve, 0), 0);
  }), message);
}

/** What the panel posted; each message must pass the check the extension applies, or it would be dropped there. */
export async function posted(page: Page): Promise<{ type: string; [k: string]: unknown }[]> {
  const messages = await page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);
  for (const m of messages) {
    const r = checkFromWebview(m);
    if (!r.ok) throw new Error(`the panel posted a message the extension refuses (${r.reason}): ${JSON.stringify(m).slice(0, 200)}`);
  }
  return messages as { type: string; [k: string]: unknown }[];
}
