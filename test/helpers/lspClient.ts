// The language server as an editor drives it, for tests: the built engine over stdio, every published
// diagnostic kept per document, and a poll for what arrives in the background (catalogs, checks).
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { startEngineProcess } from './engineProcess';

export interface Diag {
  message: string;
  data?: unknown;
  severity: number;
  code: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface LspClient {
  conn: MessageConnection;
  /** Every diagnostics notification per document URI, in order. */
  published: Map<string, Diag[][]>;
  latest(uri: string): Diag[] | undefined;
  open(uri: string, text: string, version?: number): void;
  stop(): Promise<void>;
}

export async function startLspClient(workspace: string): Promise<LspClient> {
  const published = new Map<string, Diag[][]>();
  const engine = await startEngineProcess(
    workspace,
    (c) => {
      c.onNotification('textDocument/publishDiagnostics', (p: unknown) => {
        const d = p as { uri: string; diagnostics: Diag[] };
        published.set(d.uri, [...(published.get(d.uri) ?? []), d.diagnostics]);
      });
      c.onRequest('workspace/configuration', (p: unknown) => (p as { items: unknown[] }).items.map(() => null));
      c.onRequest(() => null); // codeLens refresh, capability registration
    },
    // As VS Code's language client: it applies versioned edits (documentChanges), which quick fixes use.
    { workspace: { configuration: true, workspaceEdit: { documentChanges: true } } },
  );
  return {
    conn: engine.conn,
    published,
    latest: (uri) => published.get(uri)?.at(-1),
    open: (uri, text, version = 1) => void engine.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version, text } }),
    stop: () => engine.stop(),
  };
}

/** Polls `what` until it gives a value. */
export async function until<T>(what: () => T | undefined | Promise<T | undefined>, label: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await what();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${label}`);
}
