// Cancellation tokens for requests to the engine, disposed when the request ends.
import * as vscode from 'vscode';

/** A cancellation token for one request, disposed when it ends. */
export async function withToken<T>(fn: (token: vscode.CancellationToken) => Promise<T>): Promise<T> {
  const source = new vscode.CancellationTokenSource();
  try {
    return await fn(source.token);
  } finally {
    source.dispose();
  }
}
