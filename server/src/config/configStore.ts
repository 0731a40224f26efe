// The one owner of retl.yaml inside an engine process: loads it, answers with the last good state,
// and applies changes through the yaml Document API so the user's comments and ordering survive.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import type { ConfigProblem, RetlConfig, WorkspaceState } from '../../../protocol/src/config';
import type { ChangeResult, RefusalCode } from '../../../protocol/src/requests';
import { writeFileAtomic } from './atomicWrite';
import { DEFAULT_STATE_SCHEMA, parseConfig } from './parseConfig';
import { queryFileProblems } from './configChecks';

export const CONFIG_FILE = 'retl.yaml';

export interface Refusal {
  code: RefusalCode;
  message: string;
  usedBy?: string[];
}

export function refuse(code: RefusalCode, message: string, usedBy?: string[]): Refusal {
  return usedBy ? { code, message, usedBy } : { code, message };
}

export function formatProblem(p: ConfigProblem): string {
  return `line ${p.line}, column ${p.column}: ${p.message}`;
}

const EMPTY: RetlConfig = { version: 1, stateSchema: DEFAULT_STATE_SCHEMA, credentials: [], models: [], destinations: [], connections: [] };

export function starterDocument(): Document {
  const doc = new Document({ version: 1, stateSchema: DEFAULT_STATE_SCHEMA, credentials: [], models: [], connections: [] });
  doc.commentBefore = ' Reverse ETL models kept as code. Secrets never go here: see passwordEnv or VS Code SecretStorage.';
  for (const key of ['credentials', 'models', 'connections']) {
    const seq = doc.get(key, true);
    if (isSeq(seq)) seq.flow = false;
  }
  return doc;
}

export class ConfigStore {
  readonly root: string;
  private exists = false;
  private problems: ConfigProblem[] = [];
  /** The last config that loaded without problems; shown while the file is broken. */
  private good: RetlConfig = EMPTY;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly configPath: string) {
    this.root = path.dirname(configPath);
  }

  private readonly fileChecks = (config: RetlConfig) => queryFileProblems(this.root, config);

  /** The validated config, or undefined while the file is broken. */
  get config(): RetlConfig | undefined {
    return this.problems.length === 0 ? this.good : undefined;
  }

  async load(): Promise<WorkspaceState> {
    const text = await this.readText();
    this.exists = text !== undefined;
    if (text === undefined) {
      this.problems = [];
      this.good = EMPTY;
    } else {
      const parsed = parseConfig(text, this.fileChecks);
      this.problems = parsed.problems;
      if (parsed.config) this.good = parsed.config;
    }
    return this.state();
  }

  state(): WorkspaceState {
    const c = this.good;
    return {
      configPath: this.configPath,
      exists: this.exists,
      problems: this.problems,
      stateSchema: c.stateSchema,
      ...(c.timeZone ? { timeZone: c.timeZone } : {}),
      credentials: c.credentials,
      destinations: c.destinations,
      connections: c.connections,
      models: c.models.map((m) => ({
        ...m,
        queryPath: this.resolve(m.query),
        connections: c.connections.filter((k) => k.model === m.id).map((k) => k.id),
      })),
    };
  }

  /** Absolute path of a file named relative to retl.yaml. */
  resolve(relative: string): string {
    return path.resolve(this.root, relative);
  }

  /**
   * Applies `edit` to the file as it is on disk now (not as last loaded, so an external edit made a moment
   * ago is kept), checks the result and writes it atomically. Nothing is written when the file is broken,
   * when `edit` refuses, or when the result would not validate. Changes run one at a time.
   */
  change(edit: (doc: Document, config: RetlConfig) => Refusal | undefined | Promise<Refusal | undefined>): Promise<ChangeResult> {
    const run = this.queue.then(() => this.changeNow(edit));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async changeNow(edit: (doc: Document, config: RetlConfig) => Refusal | undefined | Promise<Refusal | undefined>): Promise<ChangeResult> {
    const text = await this.readText();
    let doc: Document;
    let config: RetlConfig;
    if (text === undefined) {
      doc = starterDocument();
      config = EMPTY;
    } else {
      const parsed = parseConfig(text, this.fileChecks);
      if (!parsed.config) {
        this.exists = true;
        this.problems = parsed.problems;
        const first = parsed.problems[0];
        return {
          ok: false,
          code: 'configBroken',
          message: `retl.yaml has ${parsed.problems.length} problem(s) and was left as it is; fix it first (${first ? formatProblem(first) : 'unknown problem'}).`,
        };
      }
      doc = parsed.doc;
      config = parsed.config;
    }
    const refusal = await edit(doc, config);
    if (refusal) return { ok: false, ...refusal };

    const next = doc.toString({ lineWidth: 0 });
    const check = parseConfig(next, this.fileChecks);
    if (!check.config) {
      return { ok: false, code: 'invalid', message: check.problems.map((p) => p.message).join(' ') };
    }
    try {
      await writeFileAtomic(this.configPath, next);
    } catch (err) {
      return { ok: false, code: 'io', message: `Could not write ${this.configPath}: ${(err as Error).message}` };
    }
    this.exists = true;
    this.problems = [];
    this.good = check.config;
    return { ok: true, state: this.state() };
  }

  private async readText(): Promise<string | undefined> {
    try {
      return await fs.readFile(this.configPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/** Appends `value` to the list under `key`, creating the list (in block style) when it is missing. */
export function appendItem(doc: Document, key: string, value: object): void {
  const node = doc.createNode(value);
  const seq = doc.get(key, true);
  if (isSeq(seq)) {
    seq.items.push(node);
    seq.flow = false;
  } else {
    const created = doc.createNode([value]);
    created.flow = false;
    doc.set(key, created);
  }
}

/** The map of one list item, for edits that keep the comments inside it. */
export function itemMap(doc: Document, key: string, index: number): YAMLMap {
  const node = doc.getIn([key, index], true);
  if (!isMap(node)) throw new Error(`${key}[${index}] is not a mapping`);
  return node;
}
