// `retl init`: a starter retl.yaml, optionally with the demo warehouse and two example models.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE } from '../config/configStore';

const DEMO_YAML = `# Reverse ETL models kept as code (retl-models).
# Secrets never go in this file: use passwordEnv, or let VS Code keep them in SecretStorage.
version: 1
stateSchema: _retl

credentials:
  # The embedded demo warehouse: PostgreSQL in-process, with sample accounts, users and events.
  - id: demo
    type: demo

models:
  - id: active_users
    name: Active users
    description: Users seen in the last 30 days, with their account
    credentials: demo
    query: models/active_users.sql
    primaryKey: user_id
  - id: accounts_mrr
    name: Accounts by MRR
    description: Paying accounts with their monthly recurring revenue and seat count
    credentials: demo
    query: models/accounts_mrr.sql
    primaryKey: account_id

connections: []
`;

const EMPTY_YAML = `# Reverse ETL models kept as code (retl-models).
# Secrets never go in this file: use passwordEnv, or let VS Code keep them in SecretStorage.
version: 1
stateSchema: _retl
credentials: []
models: []
connections: []
`;

const DEMO_QUERIES: Record<string, string> = {
  'models/active_users.sql': `SELECT u.id AS user_id,
       u.email,
       u.full_name,
       u.country,
       a.name AS account_name,
       a.plan,
       u.last_seen_at
FROM public.users AS u
JOIN public.accounts AS a ON a.id = u.account_id
WHERE u.last_seen_at > now() - interval '30 days'
ORDER BY u.last_seen_at DESC
`,
  'models/accounts_mrr.sql': `SELECT a.id AS account_id,
       a.name,
       a.industry,
       a.plan,
       a.mrr,
       count(u.id) AS seats
FROM public.accounts AS a
LEFT JOIN public.users AS u ON u.account_id = a.id
WHERE a.plan <> 'free'
GROUP BY a.id, a.name, a.industry, a.plan, a.mrr
ORDER BY a.mrr DESC
`,
};

export class WorkspaceExistsError extends Error {}

/** Writes the starter files into `dir`; refuses when retl.yaml is already there. Returns the files written. */
export async function initWorkspace(dir: string, demo: boolean): Promise<string[]> {
  const configPath = path.join(dir, CONFIG_FILE);
  await fs.mkdir(dir, { recursive: true });
  const files: Record<string, string> = demo
    ? { [CONFIG_FILE]: DEMO_YAML, ...DEMO_QUERIES, '.gitignore': '# local state of the demo warehouse and previews\n.retl/\n' }
    : { [CONFIG_FILE]: EMPTY_YAML };
  try {
    await fs.writeFile(configPath, files[CONFIG_FILE]!, { encoding: 'utf8', flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new WorkspaceExistsError(`${configPath} already exists; it was left as it is.`);
    throw err;
  }
  const written = [configPath];
  for (const [rel, content] of Object.entries(files)) {
    if (rel === CONFIG_FILE) continue;
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    try {
      await fs.writeFile(file, content, { encoding: 'utf8', flag: 'wx' });
      written.push(file);
    } catch (err) {
      // An existing query file or .gitignore is the user's: keep it.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return written;
}
