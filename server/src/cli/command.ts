// What a `retl` command is and what it is given. Each command is one module under commands/, listed in
// commands/index.ts; main.ts routes to it, checks its arguments and flags, and builds the help from it.
import type { Writable } from 'node:stream';
import type { ConfigStore } from '../config/configStore';
import type { Engine } from '../engine';

/** Every flag of every command; a command names the ones it takes. */
export const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  demo: { type: 'boolean' },
  dir: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  credentials: { type: 'string' },
  'query-file': { type: 'string' },
  description: { type: 'string' },
  'primary-key': { type: 'string' },
  'delete-query-file': { type: 'boolean' },
  page: { type: 'string' },
  timeout: { type: 'string' },
  dialect: { type: 'string' },
  full: { type: 'boolean' },
  once: { type: 'boolean' },
  limit: { type: 'string' },
  'fail-on-delete-over': { type: 'string' },
  'failed-only': { type: 'boolean' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

export type Flag = keyof typeof OPTIONS;
/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly Flag[] = ['config', 'json', 'help'];

/** What the value of a flag is called in the help. */
export const FLAG_VALUES: Partial<Record<Flag, string>> = {
  config: 'PATH',
  dir: 'DIR',
  id: 'ID',
  name: 'NAME',
  credentials: 'ID',
  'query-file': 'FILE',
  description: 'D',
  'primary-key': 'K',
  page: 'N',
  timeout: 'SECONDS',
  dialect: 'postgres|snowflake',
  limit: 'N',
  'fail-on-delete-over': 'PCT',
  format: 'csv|jsonl',
  output: 'FILE',
};

export type Values = { [K in Flag]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export const EXIT = { ok: 0, checksFailed: 1, usage: 2, refused: 3 } as const;

/** A mistake in how retl was called: the message and the help, exit 2. */
export class UsageError extends Error {}

/** A flag's value that must be a whole number (0, 1, 2 …). */
export function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, not "${text}".`);
  return Number(text);
}

export interface Output {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Standard output as a stream, for a command whose output is data (retl export). */
  stream?: Writable;
  /** Whether standard error is a terminal (then progress may rewrite its line). */
  errIsTerminal?: boolean;
}

export interface CliContext {
  values: Values;
  io: Output;
  /** retl.yaml from --config or upward; throws (exit 2) when it is missing or has problems. */
  openStore(): Promise<ConfigStore>;
  /**
   * Runs with the CLI's engine: Ctrl-C cancels what runs on the warehouse, and every connection (and
   * the demo warehouse's thread) is closed before it returns.
   */
  withEngine<T>(fn: (engine: Engine, signal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface Command {
  /** One or two words: "verify", "models rename". */
  name: string;
  /** Positional arguments as the help shows them: "ID NEW_NAME"; "FILE..." takes one or more. */
  args: string;
  /** Lines of the help after the usage line. */
  summary: string;
  /** Flags besides the global ones; those in `required` must be given. */
  flags?: readonly Flag[];
  required?: readonly Flag[];
  run(cx: CliContext, positionals: string[]): Promise<number>;
}
