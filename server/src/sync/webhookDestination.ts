// Webhook: each batch is POSTed as {"connection","batch":[{"op","key","fields"}]}. A 2xx answer may name
// rows it refused: {"rejected":[{"key","reason"}]}; the others count as delivered.
import type { WebhookDestination } from '../../../protocol/src/config';
import { postJson, rejectAll, type Rejection, type SyncDestination, type SyncRecord } from './destination';

export function webhookDestination(connectionId: string, d: WebhookDestination, env: NodeJS.ProcessEnv): SyncDestination {
  const headers: Record<string, string> = { ...d.headers };
  for (const [name, variable] of Object.entries(d.headersEnv ?? {})) {
    const value = env[variable];
    if (!value) throw new Error(`Destination "${d.id}": environment variable ${variable} (header ${name}) is empty or unset.`);
    headers[name] = value;
  }
  return {
    async deliver(records: SyncRecord[], signal: AbortSignal): Promise<Rejection[]> {
      const batch = records.map((r) => ({ op: r.op, key: r.key, fields: r.fields }));
      const answer = await postJson(d.url, { connection: connectionId, batch }, headers, signal);
      if (!answer.ok) return rejectAll(records, answer.reason);
      return rejectionsIn(answer.text, new Set(records.map((r) => r.key)));
    },
    close: async () => undefined,
  };
}

function rejectionsIn(text: string, keys: Set<string>): Rejection[] {
  if (!text.trim()) return [];
  try {
    const body = JSON.parse(text) as { rejected?: { key?: unknown; reason?: unknown }[] };
    return (body.rejected ?? [])
      .filter((r) => keys.has(String(r.key)))
      .map((r) => ({ key: String(r.key), reason: typeof r.reason === 'string' ? r.reason : 'rejected by the webhook' }));
  } catch {
    return []; // a 2xx with a body that is not ours to read: everything was accepted
  }
}
