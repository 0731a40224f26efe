// Webhook: each batch is POSTed as {"connection","batch":[{"op","key","fields"}]}. The batch counts as
// delivered only on a 2xx whose body is empty or a JSON object of our shape, which may name rows it
// refused: {"rejected":[{"key","reason"}]}. Any other body (a proxy's HTML login page, say) means the
// batch did not reach the receiver: every row is refused with the reason, recorded, and sent again.
import type { WebhookDestination } from '../../../protocol/src/config';
import { DEFAULT_TIMEOUT_SECONDS, excerpt, JsonText, jsonObjectIn, postJson, saysFailure, rejectAll, type Answer, type Rejection, type SyncDestination, type SyncRecord } from './destination';
import { payloadJson } from './payloadJson';

export function webhookDestination(connectionId: string, d: WebhookDestination, env: NodeJS.ProcessEnv): SyncDestination {
  const headers: Record<string, string> = { ...d.headers };
  for (const [name, variable] of Object.entries(d.headersEnv ?? {})) {
    const value = env[variable];
    if (!value) throw new Error(`Destination "${d.id}": environment variable ${variable} (header ${name}) is empty or unset.`);
    headers[name] = value;
  }
  return {
    async deliver(records: SyncRecord[], signal: AbortSignal): Promise<Rejection[]> {
      // Written as text: each row's fields go as the warehouse wrote them, not parsed and written again.
      const batch = records.map((r) => `{"op":${JSON.stringify(r.op)},"key":${JSON.stringify(r.key)},"fields":${r.fieldsJson ?? payloadJson(r.fields)}}`);
      const body = new JsonText(`{"connection":${JSON.stringify(connectionId)},"batch":[${batch.join(',')}]}`);
      const posted = await postJson(d.url, body, headers, signal, (d.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
      if (!posted.ok) return rejectAll(records, posted.reason);
      const read = rejectionsIn(posted.answer, new Set(records.map((r) => r.key)));
      return 'unreadable' in read ? rejectAll(records, read.unreadable) : read.rejected;
    },
    close: async () => undefined,
  };
}

/** The rows a 2xx answer refused, or why the answer is not one of ours. */
export function rejectionsIn(answer: Answer, keys: Set<string>): { rejected: Rejection[] } | { unreadable: string } {
  if (!answer.text.trim()) return { rejected: [] };
  const notOurs = `HTTP ${answer.status} with a body that is not the webhook's answer (${answer.contentType || 'no content type'}: "${excerpt(answer.text)}"); expected nothing or JSON {"rejected":[...]}`;
  const body = jsonObjectIn(answer.text);
  if (!body) return { unreadable: notOurs };
  if (saysFailure(body)) return { unreadable: `HTTP ${answer.status} whose body reports a failure: "${excerpt(answer.text)}"` };
  const listed = (body as { rejected?: unknown }).rejected;
  if (listed === undefined) return { rejected: [] };
  if (!Array.isArray(listed) || !listed.every((r) => r !== null && typeof r === 'object' && 'key' in r)) return { unreadable: notOurs };
  return {
    rejected: (listed as { key: unknown; reason?: unknown }[])
      .filter((r) => keys.has(String(r.key)))
      .map((r) => ({ key: String(r.key), reason: typeof r.reason === 'string' ? r.reason : 'rejected by the webhook' })),
  };
}
