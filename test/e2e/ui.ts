// Inside the extension host: asks the e2e driver (outside, with Playwright) to act and to look.
import * as vscode from 'vscode';

export async function ui<T = unknown>(action: string, args: Record<string, unknown> = {}): Promise<T> {
  const url = process.env.RETL_E2E_DRIVER;
  if (!url) throw new Error('RETL_E2E_DRIVER is not set: run through scripts/e2e (npm run test:e2e)');
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ action, args }) });
  const body = (await res.json()) as { ok: boolean; value: T; error?: string };
  if (!body.ok) throw new Error(`UI action ${action} failed: ${body.error}`);
  return body.value;
}

export interface TestApi {
  state(): Promise<import('../../protocol/src/config').WorkspaceState>;
  hasSecret(credentialsId: string): Promise<boolean>;
  activationMs: number;
  loadMs: number;
}

export async function extensionApi(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<TestApi>('retl-models.retl-models');
  if (!ext) throw new Error('the extension is not loaded');
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api) throw new Error('the extension has no test API (RETL_E2E=1 missing?)');
  return api;
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder');
  return folder.uri.fsPath;
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
