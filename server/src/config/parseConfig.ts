// Turns the text of retl.yaml into a validated config plus problems that name their line.
import Ajv, { type ErrorObject } from 'ajv';
import { scheduleProblem, timeZoneProblem } from '../sync/syncSchedule';
import { Document, isMap, isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { ConfigProblem, RetlConfig } from '../../../protocol/src/config';
import { WAREHOUSE_TYPES } from '../../../protocol/src/config';
import { idProblem } from '../../../protocol/src/names';
import { configSchema } from './schema';
import { crossReferenceProblems, type PathProblem } from './configChecks';

export const DEFAULT_STATE_SCHEMA = '_retl';

export interface ParsedConfig {
  doc: Document;
  /** Present only when there are no problems. */
  config?: RetlConfig;
  problems: ConfigProblem[];
}

const ajv = new Ajv({ allErrors: true, discriminator: true, strict: false });
// What makes a schedule or a time zone wrong is said by the code that reads it (syncSchedule.ts).
const FORMAT_PROBLEMS: Record<string, (text: string) => string | undefined> = { schedule: (text) => scheduleProblem(text), timeZone: timeZoneProblem };
for (const [name, problem] of Object.entries(FORMAT_PROBLEMS)) ajv.addFormat(name, (text: string) => problem(text) === undefined);
const validate = ajv.compile(configSchema);

/**
 * `fileChecks` adds what only the file system can tell (a query path that leaves the workspace through a
 * symbolic link); its problems are placed at their line like the others.
 */
export function parseConfig(text: string, fileChecks?: (config: RetlConfig) => PathProblem[]): ParsedConfig {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml would otherwise print warnings to the engine's stderr (so into the output
  // channel) quoting pieces of the file, header values included; what matters is reported as problems.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const locate = (start: number, end: number): Pick<ConfigProblem, 'line' | 'column' | 'endLine' | 'endColumn'> => {
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };

  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      message: `YAML syntax error: ${firstLine(e.message)}`,
      ...locate(e.pos[0], e.pos[1]),
    }));
    return { doc, problems };
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // yaml finds two faults only while converting, and throws for them: an alias (*x) with no anchor (&x)
    // before it, and aliases that expand past its limit (a "billion laughs" file). Found by the property
    // tests: both are problems of the file, placed at the alias, not a crash of the engine's load.
    const [start, end] = aliasRange(doc);
    return { doc, problems: [{ message: `YAML error: ${firstLine((err as Error).message)}`, ...locate(start, end) }] };
  }
  if (raw === null || raw === undefined) {
    return { doc, problems: [{ message: 'retl.yaml is empty: it needs at least "version: 1".', ...locate(0, 0) }] };
  }

  const pathProblems: PathProblem[] = [];
  if (!validate(raw)) {
    for (const err of validate.errors ?? []) pathProblems.push(describeSchemaError(err, raw));
  }
  if (pathProblems.length === 0) pathProblems.push(...crossReferenceProblems(raw as RetlConfig));
  if (pathProblems.length === 0 && fileChecks) pathProblems.push(...fileChecks(withDefaults(raw as Partial<RetlConfig>)));

  if (pathProblems.length > 0) {
    const problems = dedupe(pathProblems).map((p) => {
      const [start, end] = rangeOf(doc, p.path, p.key);
      return { message: p.message, ...locate(start, end) };
    });
    return { doc, problems };
  }
  return { doc, config: withDefaults(raw as Partial<RetlConfig>), problems: [] };
}

function withDefaults(raw: Partial<RetlConfig>): RetlConfig {
  return {
    version: 1,
    stateSchema: raw.stateSchema ?? DEFAULT_STATE_SCHEMA,
    credentials: raw.credentials ?? [],
    models: raw.models ?? [],
    destinations: raw.destinations ?? [],
    connections: raw.connections ?? [],
  };
}

/** The first alias with no anchor before it, else the first alias, else the start of the file. */
function aliasRange(doc: Document): [number, number] {
  let first: [number, number] | undefined;
  let unresolved: [number, number] | undefined;
  visit(doc, {
    Alias(_key, node) {
      const range: [number, number] = node.range ? [node.range[0], node.range[1]] : [0, 0];
      first ??= range;
      if (!node.resolve(doc)) {
        unresolved = range;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first ?? [0, 0];
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function dedupe(problems: PathProblem[]): PathProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path.join('/')}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function describePath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || 'retl.yaml';
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

function describeSchemaError(err: ErrorObject, root: unknown): PathProblem {
  const path = pathOf(err.instancePath);
  const where = describePath(path);
  const last = path[path.length - 1];
  const value = valueAt(root, path);
  switch (err.keyword) {
    case 'required':
      return { path, message: `${where}: "${String(err.params.missingProperty)}" is missing.` };
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      return { path, key, message: `${where}: unknown key "${key}".` };
    }
    case 'pattern':
      if (last === 'id' || last === 'credentials' || last === 'model') {
        return { path, message: `${where}: ${idProblem(String(value), 'id') ?? 'not a valid id.'}` };
      }
      if (last === 'query') return { path, message: `${where}: the query file must end in .sql.` };
      return { path, message: `${where}: "${String(value)}" is not allowed here.` };
    case 'const':
      if (last === 'version') return { path, message: 'version: must be 1 (the only version this extension reads).' };
      return { path, message: `${where}: must be ${JSON.stringify(err.params.allowedValue)}.` };
    case 'enum':
      return { path, message: `${where}: must be one of ${(err.params.allowedValues as unknown[]).join(', ')}.` };
    case 'format': {
      const problem = FORMAT_PROBLEMS[String(err.params.format)]?.(String(value));
      return { path, message: `${where}: ${problem ?? 'is not valid.'}` };
    }
    case 'discriminator':
      return { path: [...path, 'type'], message: `${where}.type: must be one of ${WAREHOUSE_TYPES.join(', ')}.` };
    case 'type':
      return { path, message: `${where}: must be ${TYPE_WORDS[String(err.params.type)] ?? String(err.params.type)}.` };
    default:
      return { path, message: `${where}: ${err.message ?? 'is not valid'}.` };
  }
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

/** Offsets of the node at `path` (or of `key` in the map there); falls back to the nearest parent. */
function rangeOf(doc: Document, path: readonly (string | number)[], key?: string): [number, number] {
  let node: unknown = doc.contents;
  let best: [number, number] = [0, 0];
  const take = (n: unknown) => {
    if (isNode(n) && (n as Node).range) {
      const r = (n as Node).range!;
      best = [r[0], r[1]];
    }
  };
  take(node);
  for (const part of path) {
    const next = isNode(node) && 'get' in (node as object) ? (node as { get(k: unknown, keep: true): unknown }).get(part, true) : undefined;
    if (next === undefined) break;
    node = next;
    take(node);
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
    if (pair && isScalar(pair.key)) take(pair.key);
  } else if (isMap(node) && path.length > 0 && typeof path[path.length - 1] === 'number') {
    // A whole list item: point at its first line, not its whole extent.
    const first = node.items[0];
    if (first && isPair(first) && isScalar(first.key)) take(first.key);
  }
  return best;
}
