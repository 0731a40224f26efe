// Rules that span the whole of retl.yaml: unique ids and names, and references that resolve.
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { RetlConfig } from '../../../protocol/src/config';

export interface PathProblem {
  path: (string | number)[];
  /** A key inside the map at `path` to point at. */
  key?: string;
  message: string;
}

export function crossReferenceProblems(config: Partial<RetlConfig>): PathProblem[] {
  const problems: PathProblem[] = [];
  const credentials = config.credentials ?? [];
  const models = config.models ?? [];
  const connections = config.connections ?? [];

  duplicates(credentials, 'credentials', (c) => c.id, 'id', 'credentials id', problems);
  duplicates(models, 'models', (m) => m.id, 'id', 'model id', problems);
  duplicates(models, 'models', (m) => m.name.trim().toLowerCase(), 'name', 'model name', problems);
  duplicates(connections, 'connections', (c) => c.id, 'id', 'connection id', problems);

  const credentialIds = new Set(credentials.map((c) => c.id));
  models.forEach((m, i) => {
    if (!credentialIds.has(m.credentials)) {
      const known = [...credentialIds].join(', ') || 'none defined';
      problems.push({
        path: ['models', i, 'credentials'],
        message: `models[${i}].credentials: no credentials with id "${m.credentials}" (known: ${known}).`,
      });
    }
    if (m.query.startsWith('/') || m.query.split(/[\\/]/).includes('..')) {
      problems.push({
        path: ['models', i, 'query'],
        message: `models[${i}].query: "${m.query}" must be a path inside the workspace, relative to retl.yaml.`,
      });
    }
  });
  const destinations = config.destinations ?? [];
  duplicates(destinations, 'destinations', (d) => d.id, 'id', 'destination id', problems);
  destinations.forEach((d, i) => {
    if (d.type !== 'postgres') return;
    const creds = credentials.find((c) => c.id === d.credentials);
    if (!creds || creds.type !== 'postgres') {
      problems.push({
        path: ['destinations', i, 'credentials'],
        message: `destinations[${i}].credentials: "${d.credentials}" must name credentials of type postgres.`,
      });
    }
  });
  const modelIds = new Set(models.map((m) => m.id));
  connections.forEach((c, i) => {
    if (!modelIds.has(c.model)) {
      problems.push({
        path: ['connections', i, 'model'],
        message: `connections[${i}].model: no model with id "${c.model}".`,
      });
    }
    const destination = c.destination === undefined ? undefined : destinations.find((d) => d.id === c.destination);
    if (c.destination !== undefined && !destination) {
      problems.push({
        path: ['connections', i, 'destination'],
        message: `connections[${i}].destination: no destination with id "${c.destination}".`,
      });
    }
    if (destination?.type === 'rudderstack') {
      if (c.mode === 'mirror') {
        problems.push({ path: ['connections', i, 'mode'], message: `connections[${i}].mode: RudderStack's HTTP API has no delete; use upsert or full.` });
      }
      if (!c.event) {
        problems.push({ path: ['connections', i], message: `connections[${i}]: a RudderStack connection needs "event" (type identify or track, and a userIdColumn or anonymousIdColumn).` });
      } else if (!c.event.userIdColumn && !c.event.anonymousIdColumn) {
        problems.push({ path: ['connections', i, 'event'], message: `connections[${i}].event: name a userIdColumn or an anonymousIdColumn.` });
      } else if (c.event.type === 'track' && !c.event.name) {
        problems.push({ path: ['connections', i, 'event'], message: `connections[${i}].event: a track event needs a name.` });
      }
    }
  });
  return problems;
}

function duplicates<T>(
  items: readonly T[],
  list: string,
  keyOf: (item: T) => string,
  field: string,
  what: string,
  out: PathProblem[],
): void {
  const firstAt = new Map<string, number>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    const first = firstAt.get(key);
    if (first === undefined) firstAt.set(key, i);
    else out.push({ path: [list, i, field], message: `${list}[${i}].${field}: duplicate ${what} (also ${list}[${first}]).` });
  });
}

/**
 * Where `relative` (a path that passed the textual check) really is, after symbolic links: the file if it
 * exists, else its nearest existing folder. Undefined when it stays inside `root`.
 */
export function escapesWorkspace(root: string, relative: string): string | undefined {
  let realRoot: string;
  try {
    realRoot = realpathSync.native(root);
  } catch {
    return undefined; // no workspace folder on disk: nothing to escape from
  }
  let probe = path.resolve(root, relative);
  for (;;) {
    try {
      const real = realpathSync.native(probe);
      return real === realRoot || real.startsWith(realRoot + path.sep) ? undefined : real;
    } catch {
      const parent = path.dirname(probe);
      if (parent === probe) return undefined;
      probe = parent;
    }
  }
}

/** A query file must stay inside the workspace after symbolic links too: a link out of it is not read. */
export function queryFileProblems(root: string, config: RetlConfig): PathProblem[] {
  const problems: PathProblem[] = [];
  config.models.forEach((m, i) => {
    const real = escapesWorkspace(root, m.query);
    if (real) {
      problems.push({
        path: ['models', i, 'query'],
        message: `models[${i}].query: "${m.query}" is a symbolic link to ${real}, outside the workspace; a model's query file must be inside it.`,
      });
    }
  });
  return problems;
}
