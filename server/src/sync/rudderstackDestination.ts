// RudderStack's HTTP API: identify (traits) or track (properties) events in one POST to /v1/batch,
// authenticated with the source's write key. The message id is derived from the key and the row's hash,
// so a batch sent again after a crash is deduplicated by RudderStack.
import type { Connection, RudderstackDestination } from '../../../protocol/src/config';
import { DEFAULT_TIMEOUT_SECONDS, excerpt, jsonObjectIn, postJson, saysFailure, rejectAll, type Answer, type Rejection, type SyncDestination, type SyncRecord } from './destination';

export function rudderstackDestination(connection: Connection, d: RudderstackDestination, env: NodeJS.ProcessEnv): SyncDestination {
  const writeKey = env[d.writeKeyEnv];
  if (!writeKey) throw new Error(`Destination "${d.id}": environment variable ${d.writeKeyEnv} (the write key) is empty or unset.`);
  const event = connection.event!;
  const url = `${d.dataPlaneUrl.replace(/\/+$/, '')}/v1/batch`;
  const auth = { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };
  return {
    async deliver(records: SyncRecord[], signal: AbortSignal): Promise<Rejection[]> {
      const batch: Record<string, unknown>[] = [];
      const rejected: Rejection[] = [];
      for (const r of records) {
        const { identity, rest } = splitIdentity(r.fields, connection, event.userIdColumn, event.anonymousIdColumn);
        if (!identity) {
          rejected.push({ key: r.key, reason: `no ${event.userIdColumn ? 'userId' : 'anonymousId'} in this row` });
          continue;
        }
        batch.push({
          type: event.type,
          ...identity,
          ...(event.type === 'track' ? { event: event.name, properties: rest } : { traits: rest }),
          messageId: `retl-${connection.id}-${r.key}-${r.hash ?? 'x'}`,
          context: { library: { name: 'retl-models' } },
        });
      }
      if (batch.length === 0) return rejected;
      const posted = await postJson(url, { batch }, auth, signal, (d.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
      const refusal = posted.ok ? notAcknowledged(posted.answer) : posted.reason;
      return refusal ? [...rejected, ...rejectAll(records.filter((r) => !rejected.some((x) => x.key === r.key)), refusal)] : rejected;
    },
    close: async () => undefined,
  };
}

/** RudderStack answers a batch with "OK" (or JSON); an HTML page is someone else's answer, not an acknowledgement. */
function notAcknowledged(answer: Answer): string | undefined {
  const text = answer.text.trim();
  if (text === '' || /^ok$/i.test(text)) return undefined;
  const body = jsonObjectIn(text);
  if (body && !saysFailure(body)) return undefined;
  return `HTTP ${answer.status} with a body that is not RudderStack's answer (${answer.contentType || 'no content type'}: "${excerpt(text)}")`;
}

/** The id columns go to userId/anonymousId (under their mapped names), everything else to traits or properties. */
function splitIdentity(fields: Record<string, unknown>, connection: Connection, userIdColumn?: string, anonymousIdColumn?: string) {
  const fieldOf = (column: string) => connection.mapping?.[column] ?? column;
  const rest = { ...fields };
  const identity: Record<string, string> = {};
  for (const [column, target] of [[userIdColumn, 'userId'], [anonymousIdColumn, 'anonymousId']] as const) {
    if (!column) continue;
    const value = rest[fieldOf(column)];
    delete rest[fieldOf(column)];
    if (value !== null && value !== undefined && value !== '') identity[target] = String(value);
  }
  return { identity: Object.keys(identity).length ? identity : undefined, rest };
}
