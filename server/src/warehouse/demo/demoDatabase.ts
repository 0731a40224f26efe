// Starting the demo database (PGlite) on a data directory: created and seeded the first time, opened
// as it is afterwards (a start without seeding is what a restart after a stopped query costs).
import { PGlite } from '@electric-sql/pglite';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DemoStartPhase } from './demoMessages';
import { DEMO_SEED_SQL, DEMO_SEED_VERSION } from './demoSeed';

/** `onPhase` hears each step as it begins, so the user can be told why the first query waits. */
export async function startDemoDatabase(dataDir: string, onPhase: (phase: DemoStartPhase) => void = () => undefined): Promise<PGlite> {
  await fs.mkdir(dataDir, { recursive: true });
  // PGlite's initdb writes PG_VERSION: without it the data directory is new and is created now.
  onPhase(existsSync(path.join(dataDir, 'PG_VERSION')) ? 'opening' : 'creating');
  const db = await PGlite.create(dataDir);
  try {
    if ((await seededVersion(db)) !== DEMO_SEED_VERSION) {
      onPhase('seeding');
      await seed(db);
    }
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
