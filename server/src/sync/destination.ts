// What the sync engine asks of a destination: deliver one batch, say which rows it refused. A failure
// worth retrying (a 5xx, a timeout, a dropped connection) is thrown as TransientDeliveryError; anything
// else that refuses the whole batch is returned as every row rejected, with the reason.

export interface SyncRecord {
  op: 'upsert' | 'delete';
  /** The primary key as text. */
  key: string;
  /** Destination field → value, after the mapping (empty for deletes). */
  fields: Record<string, unknown>;
  /** Hash of the mapped values: a stable message id for destinations that deduplicate. */
  hash: string | null;
}

export interface Rejection {
  key: string;
  reason: string;
}

export interface SyncDestination {
  deliver(records: SyncRecord[], signal: AbortSignal): Promise<Rejection[]>;
  close(): Promise<void>;
}

export class TransientDeliveryError extends Error {}

export function rejectAll(records: SyncRecord[], reason: string): Rejection[] {
  return records.map((r) => ({ key: r.key, reason }));
}

/** POSTs JSON; 408, 429, 5xx and network failures are transient, other 4xx refuse the batch. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new TransientDeliveryError(`${new URL(url).host}: ${(err as Error).message}`);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { ok: true, text };
  const reason = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) throw new TransientDeliveryError(reason);
  return { ok: false, reason };
}
