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

/**
 * One token for a request that more than one Cancel can stop (a notification's and a panel's), disposed
 * with its links when the request ends. A token already cancelled cancels it at once.
 */
export async function withLinkedToken<T>(tokens: readonly (vscode.CancellationToken | undefined)[], fn: (token: vscode.CancellationToken) => Promise<T>): Promise<T> {
  const source = new vscode.CancellationTokenSource();
  const links = tokens.flatMap((t) => (t ? [t.onCancellationRequested(() => source.cancel())] : []));
  if (tokens.some((t) => t?.isCancellationRequested)) source.cancel();
  try {
    return await fn(source.token);
  } finally {
    for (const l of links) l.dispose();
    source.dispose();
  }
}
