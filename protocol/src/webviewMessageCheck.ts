// The webview is a browser page that renders warehouse data and user text; a message from it is input,
// not a trusted call. Everything the extension acts on passes this check first: the right `type`, every
// field of the right JavaScript type, numbers that can address a page or a position, strings of a size
// the engine and the clipboard can take. Pure and dependency-free so both sides and the tests can use it.
import type { FromWebview } from './webviewMessages';

export type WebviewMessageCheck = { ok: true; message: FromWebview } | { ok: false; reason: string };

/** A query (run or saved) and a copied page: far above any real model, below what would stall the host. */
export const MAX_TEXT_LENGTH = 10 * 1024 * 1024;
/** A model description: prose, one paragraph or a few. */
export const MAX_DESCRIPTION_LENGTH = 100_000;
/**
 * A display name. Well above the engine's own limit (NAME_MAX_LENGTH), so a name slightly too long still
 * reaches the engine and gets its explanation instead of being dropped here.
 */
export const MAX_NAME_LENGTH = 1_000;
/** Ids of models, credentials, connections: retl.yaml allows 63 characters, so this is only a bound. */
export const MAX_ID_LENGTH = 256;
/** The label of what was copied ("page as CSV"), shown in the status bar. */
export const MAX_LABEL_LENGTH = 200;
/** Mapping keys are column names and values destination field names (Snowflake allows 255 characters). */
export const MAX_MAPPING_NAME_LENGTH = 1_000;
/** PostgreSQL tables hold at most 1600 columns; Snowflake has no fixed limit, hence the margin. */
export const MAX_MAPPING_KEYS = 5_000;

type FieldRule = (value: unknown) => string | undefined;

const text =
  (max: number): FieldRule =>
  (v) =>
    typeof v !== 'string' ? `must be a string, not ${kindOf(v)}` : v.length > max ? `is longer than ${max} characters (${v.length})` : undefined;

/** Pages and 1-based editor positions. */
const positive: FieldRule = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? undefined : `must be a whole number ≥ 1, not ${describeNumber(v)}`);
/** 0-based row and column indexes within a page. */
const index: FieldRule = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : `must be a whole number ≥ 0, not ${describeNumber(v)}`);

const flag: FieldRule = (v) => (typeof v === 'boolean' ? undefined : `must be true or false, not ${kindOf(v)}`);

const mapping: FieldRule = (v) => {
  if (!isPlainObject(v)) return `must be an object of column → field, not ${kindOf(v)}`;
  const keys = Object.keys(v);
  if (keys.length > MAX_MAPPING_KEYS) return `has ${keys.length} columns (at most ${MAX_MAPPING_KEYS})`;
  // Object.keys skips symbol keys; a structured clone never carries them, but a symbol-keyed entry would
  // be an entry the engine never sees, so it is refused rather than ignored.
  if (Object.getOwnPropertySymbols(v).length > 0) return 'must have only string keys';
  for (const k of keys) {
    // Written into retl.yaml and read back into objects, where "__proto__" as a key can replace a prototype.
    if (k === '__proto__') return 'must not map a column named "__proto__"';
    if (k.length > MAX_MAPPING_NAME_LENGTH) return `has a column name longer than ${MAX_MAPPING_NAME_LENGTH} characters`;
    const desc = Object.getOwnPropertyDescriptor(v, k);
    // A getter could answer differently when the extension reads it again; a structured clone has none.
    if (!desc || !('value' in desc)) return `column "${short(k)}" must be a plain value`;
    const f: unknown = desc.value;
    if (typeof f !== 'string') return `column "${short(k)}" must map to a string, not ${kindOf(f)}`;
    if (f.length > MAX_MAPPING_NAME_LENGTH) return `column "${short(k)}" maps to a field name longer than ${MAX_MAPPING_NAME_LENGTH} characters`;
  }
  return undefined;
};

interface Shape {
  required: Record<string, FieldRule>;
  optional?: Record<string, FieldRule>;
}

// One entry per FromWebview case. `satisfies` makes a case added to FromWebview without a shape here
// (or a shape for a type that does not exist) a compile error.
const SHAPES = {
  ready: { required: {} },
  runQuery: { required: {}, optional: { sql: text(MAX_TEXT_LENGTH) } },
  page: { required: { page: positive } },
  cancel: { required: {} },
  cell: { required: { page: positive, row: index, column: index } },
  finish: { required: { description: text(MAX_DESCRIPTION_LENGTH), sql: text(MAX_TEXT_LENGTH) }, optional: { primaryKey: text(MAX_MAPPING_NAME_LENGTH) } },
  rename: { required: { name: text(MAX_NAME_LENGTH) } },
  delete: { required: {} },
  verify: { required: {} },
  switchCredentials: { required: { credentialsId: text(MAX_ID_LENGTH) } },
  editCredentials: { required: {} },
  copy: { required: { text: text(MAX_TEXT_LENGTH), what: text(MAX_LABEL_LENGTH) } },
  goToLine: { required: { line: positive, column: positive } },
  revealConnection: { required: { connectionId: text(MAX_ID_LENGTH) } },
  syncNow: { required: { connectionId: text(MAX_ID_LENGTH) } },
  editMapping: { required: { connectionId: text(MAX_ID_LENGTH) } },
  saveMapping: { required: { connectionId: text(MAX_ID_LENGTH), mapping } },
  pauseConnection: { required: { connectionId: text(MAX_ID_LENGTH), paused: flag } },
  retryFailed: { required: { connectionId: text(MAX_ID_LENGTH) } },
  loadActivity: { required: { connectionId: text(MAX_ID_LENGTH) } },
  exportResults: { required: {} },
  cancelExport: { required: {} },
} satisfies { [K in FromWebview['type']]: Shape };

// The other direction, checked by the compiler too: each rule names a field of its case, required rules
// exactly the required fields, optional rules exactly the optional ones. A field added to FromWebview
// without a rule here fails the build instead of every such message being refused at run time.
type Type = FromWebview['type'];
type Case<K extends Type> = Omit<Extract<FromWebview, { type: K }>, 'type'>;
type RequiredKeys<T> = { [P in keyof T]-?: undefined extends T[P] ? never : P }[keyof T];
type OptionalKeys<T> = Exclude<keyof T, RequiredKeys<T>>;
type RequiredRules<K extends Type> = keyof (typeof SHAPES)[K]['required'];
type OptionalRules<K extends Type> = (typeof SHAPES)[K] extends { optional: infer O } ? keyof O : never;
type Mismatch = {
  [K in Type]:
    | Exclude<RequiredKeys<Case<K>>, RequiredRules<K>>
    | Exclude<RequiredRules<K>, RequiredKeys<Case<K>>>
    | Exclude<OptionalKeys<Case<K>>, OptionalRules<K>>
    | Exclude<OptionalRules<K>, OptionalKeys<Case<K>>>;
}[Type];
const rulesMatchTheTypes: [Mismatch] extends [never] ? true : { mismatch: Mismatch } = true;
void rulesMatchTheTypes;

export function checkFromWebview(value: unknown): WebviewMessageCheck {
  if (!isPlainObject(value)) return refuse(`a message is an object, not ${kindOf(value)}`);
  const type = ownValue(value, 'type');
  if (typeof type !== 'string') return refuse(`"type" must be a string, not ${kindOf(type)}`);
  if (!Object.prototype.hasOwnProperty.call(SHAPES, type)) return refuse(`unknown message type "${short(type)}"`);
  const shape: Shape = SHAPES[type as FromWebview['type']];
  if (Object.getOwnPropertySymbols(value).length > 0) return refuse(`${type}: unexpected symbol key`);
  for (const key of Object.keys(value)) {
    if (key === 'type') continue;
    // Own rules only: a field named "valueOf" or "__proto__" must not find Object.prototype's (found by
    // the property tests, where it threw instead of refusing).
    const required = ownRule(shape.required, key);
    const rule = required ?? (shape.optional && ownRule(shape.optional, key));
    if (!rule) return refuse(`${type}: unexpected field "${short(key)}"`);
    const desc = Object.getOwnPropertyDescriptor(value, key);
    if (!desc || !('value' in desc)) return refuse(`${type}.${key}: must be a plain value`);
    // An optional field sent as undefined is the same as absent (TypeScript allows both).
    if (desc.value === undefined && !required) continue;
    const problem = rule(desc.value);
    if (problem) return refuse(`${type}.${key}: ${problem}`);
  }
  for (const key of Object.keys(shape.required)) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return refuse(`${type}: "${key}" is missing`);
  }
  return { ok: true, message: value as FromWebview };
}

function ownRule(rules: Record<string, FieldRule>, key: string): FieldRule | undefined {
  return Object.prototype.hasOwnProperty.call(rules, key) ? rules[key] : undefined;
}

function refuse(reason: string): WebviewMessageCheck {
  return { ok: false, reason };
}

/** What postMessage's structured clone yields for an object: no class instance, no array. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function ownValue(o: object, key: string): unknown {
  const desc = Object.getOwnPropertyDescriptor(o, key);
  return desc && 'value' in desc ? (desc.value as unknown) : undefined;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function describeNumber(v: unknown): string {
  return typeof v === 'number' ? String(v) : kindOf(v);
}

/** Reasons are logged: a name from the webview is quoted only so far, and on one line. */
function short(s: string): string {
  const oneLine = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}
