// Model and credentials lifecycle on top of the config store; shared by the language server and the CLI.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Credentials } from '../../../protocol/src/config';
import { idProblem, modelNameConflict, nameProblem } from '../../../protocol/src/names';
import type {
  ChangeResult,
  CreateModelParams,
  DeleteModelParams,
  SaveCredentialsParams,
  UpdateModelParams,
} from '../../../protocol/src/requests';
import { writeFileAtomic } from '../config/atomicWrite';
import { appendItem, itemMap, refuse, type ConfigStore } from '../config/configStore';

export const DEFAULT_QUERY_DIR = 'models';

export function defaultQueryPath(id: string): string {
  return `${DEFAULT_QUERY_DIR}/${id}.sql`;
}

export async function createModel(store: ConfigStore, p: CreateModelParams): Promise<ChangeResult> {
  const query = p.query ?? defaultQueryPath(p.id);
  const queryFile = store.resolve(query);
  let createdFile = false;
  const result = await store.change(async (doc, config) => {
    const badId = idProblem(p.id, 'Model id');
    if (badId) return refuse('invalid', badId);
    if (config.models.some((m) => m.id === p.id)) return refuse('conflict', `A model with id "${p.id}" already exists.`);
    const badName = nameProblem(p.name);
    if (badName) return refuse('invalid', badName);
    const clash = modelNameConflict(p.name, config.models, p.id);
    if (clash) return refuse('conflict', clash);
    if (!config.credentials.some((c) => c.id === p.credentials)) {
      return refuse('invalid', `No credentials with id "${p.credentials}".`);
    }
    if (!(await exists(queryFile))) {
      await fs.mkdir(path.dirname(queryFile), { recursive: true });
      await fs.writeFile(queryFile, p.initialSql ?? '', { encoding: 'utf8', flag: 'wx' });
      createdFile = true;
    }
    const model: Record<string, string> = { id: p.id, name: p.name.trim() };
    if (p.description?.trim()) model.description = p.description.trim();
    model.credentials = p.credentials;
    model.query = query;
    if (p.primaryKey?.trim()) model.primaryKey = p.primaryKey.trim();
    appendItem(doc, 'models', model);
    return undefined;
  });
  // A refused model leaves no stray query file behind.
  if (!result.ok && createdFile) await fs.rm(queryFile, { force: true });
  return result;
}

export function updateModel(store: ConfigStore, p: UpdateModelParams): Promise<ChangeResult> {
  return store.change(async (doc, config) => {
    const index = config.models.findIndex((m) => m.id === p.id);
    if (index < 0) return refuse('notFound', `No model with id "${p.id}".`);
    const map = itemMap(doc, 'models', index);
    if (p.name !== undefined) {
      const bad = nameProblem(p.name);
      if (bad) return refuse('invalid', bad);
      const clash = modelNameConflict(p.name, config.models, p.id);
      if (clash) return refuse('conflict', clash);
      map.set('name', p.name.trim());
    }
    if (p.description !== undefined) {
      if (p.description.trim()) map.set('description', p.description.trim());
      else map.delete('description');
    }
    if (p.credentials !== undefined) {
      if (!config.credentials.some((c) => c.id === p.credentials)) {
        return refuse('invalid', `No credentials with id "${p.credentials}".`);
      }
      map.set('credentials', p.credentials);
    }
    if (p.primaryKey !== undefined) {
      if (p.primaryKey.trim()) map.set('primaryKey', p.primaryKey.trim());
      else map.delete('primaryKey');
    }
    if (p.sql !== undefined) {
      // Written inside the change, after every check passed, so a refused change writes nothing.
      const file = store.resolve(config.models[index]!.query);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, p.sql);
    }
    return undefined;
  });
}

export async function deleteModel(store: ConfigStore, p: DeleteModelParams): Promise<ChangeResult> {
  let queryFile: string | undefined;
  const result = await store.change((doc, config) => {
    const index = config.models.findIndex((m) => m.id === p.id);
    const model = config.models[index];
    if (!model) return refuse('notFound', `No model with id "${p.id}".`);
    const usedBy = config.connections.filter((c) => c.model === p.id).map((c) => c.id);
    if (usedBy.length > 0) {
      return refuse(
        'inUse',
        `Model "${model.name}" is used by ${usedBy.length === 1 ? 'connection' : 'connections'} ${usedBy.join(', ')}; remove ${usedBy.length === 1 ? 'it' : 'them'} first.`,
        usedBy,
      );
    }
    // Another model may share the file; then it stays.
    const shared = config.models.some((m) => m.id !== p.id && m.query === model.query);
    if (p.deleteQueryFile && !shared) queryFile = store.resolve(model.query);
    doc.deleteIn(['models', index]);
    return undefined;
  });
  if (result.ok && queryFile) await fs.rm(queryFile, { force: true });
  return result;
}

export function saveCredentials(store: ConfigStore, p: SaveCredentialsParams): Promise<ChangeResult> {
  return store.change((doc, config) => {
    const creds = p.credentials;
    const badId = idProblem(creds.id, 'Credentials id');
    if (badId) return refuse('invalid', badId);
    const index = config.credentials.findIndex((c) => c.id === creds.id);
    const entry = cleanCredentials(creds);
    if (p.create) {
      if (index >= 0) return refuse('conflict', `Credentials with id "${creds.id}" already exist.`);
      appendItem(doc, 'credentials', entry);
      return undefined;
    }
    if (index < 0) return refuse('notFound', `No credentials with id "${creds.id}".`);
    // Field by field, so comments beside unchanged fields survive.
    const map = itemMap(doc, 'credentials', index);
    for (const item of [...map.items]) {
      const key = String((item.key as { value?: unknown })?.value ?? item.key);
      if (!(key in entry)) map.delete(key);
    }
    for (const [key, value] of Object.entries(entry)) {
      if (map.get(key) !== value) map.set(key, value);
    }
    return undefined;
  });
}

/** Drops empty optional fields, so the file holds only what the user set. */
function cleanCredentials(c: Credentials): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined || v === null || v === '') continue;
    out[k] = typeof v === 'string' ? v.trim() : v;
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
