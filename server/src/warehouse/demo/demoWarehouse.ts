// The embedded demo warehouse: PostgreSQL compiled to wasm (PGlite), running inside the engine process.
// It starts lazily and once per process; its data directory is kept so later starts skip the seeding.
import { PGlite } from '@electric-sql/pglite';
import { promises as fs } from 'node:fs';
import { DEMO_SEED_SQL, DEMO_SEED_VERSION } from './demoSeed';

const open = new Map<string, Promise<PGlite>>();

export function openDemoWarehouse(dataDir: string): Promise<PGlite> {
  let db = open.get(dataDir);
  if (!db) {
    db = start(dataDir);
    open.set(dataDir, db);
    db.catch(() => open.delete(dataDir));
  }
  return db;
}

export async function closeDemoWarehouses(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
}

async function start(dataDir: string): Promise<PGlite> {
  await fs.mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  try {
    if ((await seededVersion(db)) !== DEMO_SEED_VERSION) await seed(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

async function seededVersion(db: PGlite): Promise<number | undefined> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('_retl.demo_seed')::text AS t`);
  if (!exists.rows[0]?.t) return undefined;
  const r = await db.query<{ version: number }>('SELECT max(version) AS version FROM _retl.demo_seed');
  return r.rows[0]?.version ?? undefined;
}

async function seed(db: PGlite): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.exec('DROP SCHEMA IF EXISTS _retl CASCADE; DROP TABLE IF EXISTS public.events, public.users, public.accounts CASCADE;');
    await tx.exec(DEMO_SEED_SQL);
  });
}
