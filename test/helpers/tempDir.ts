import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A fresh folder per test, removed afterwards. */
export function useTempDir(prefix = 'retl-test-'): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error('temp dir used outside a test');
    return dir;
  };
}

export const SAMPLE_YAML = `# Team analytics models
version: 1
stateSchema: _retl   # owned by retl

credentials:
  - id: demo
    type: demo
  # production warehouse
  - id: analytics_pg
    type: postgres
    host: db.internal   # behind the VPN
    port: 5432
    database: analytics
    user: retl
    passwordEnv: RETL_PG_PASSWORD

models:
  # users active this month
  - id: active_users
    name: Active users
    description: Users seen in the last 30 days
    credentials: analytics_pg
    query: models/active_users.sql
    primaryKey: user_id
  - id: accounts
    name: Accounts
    credentials: demo   # sample data
    query: models/accounts.sql

connections:
  - id: active_users_to_crm
    model: active_users
`;
