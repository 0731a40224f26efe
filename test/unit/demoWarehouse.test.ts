import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { closeDemoWarehouses, openDemoWarehouse } from '../../server/src/warehouse/demo/demoWarehouse';
import { initWorkspace } from '../../server/src/init/starterWorkspace';
import { useTempDir } from '../helpers/tempDir';

describe('demo warehouse (PGlite, in process)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('retl-demo-');
  afterEach(() => closeDemoWarehouses());

  it('seeds accounts, users and events plus the state schema, once', async () => {
    const dir = path.join(tmp(), 'data');
    const db = await openDemoWarehouse(dir);
    const counts = await db.query<{ accounts: number; users: number; events: number; retl: boolean }>(
      `SELECT (SELECT count(*)::int FROM public.accounts) AS accounts,
              (SELECT count(*)::int FROM public.users) AS users,
              (SELECT count(*)::int FROM public.events) AS events,
              EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = '_retl') AS retl`,
    );
    assert.deepEqual(counts.rows[0], { accounts: 200, users: 2000, events: 6000, retl: true });
    assert.equal(await openDemoWarehouse(dir), db, 'one instance per process and folder');

    // A marker row survives a restart only if the second start does not seed again.
    await db.query(`INSERT INTO public.accounts VALUES (9999, 'Marker', 'SaaS', 'free', 0, now())`);
    await closeDemoWarehouses();
    const again = await openDemoWarehouse(dir);
    const marker = await again.query<{ n: number }>('SELECT count(*)::int AS n FROM public.accounts WHERE id = 9999');
    assert.equal(marker.rows[0]?.n, 1);
  });

  it('runs the example models that "retl init --demo" writes', async () => {
    const db = await openDemoWarehouse(path.join(tmp(), 'data'));
    await initWorkspace(tmp(), true);
    for (const file of ['models/active_users.sql', 'models/accounts_mrr.sql']) {
      const sql = readFileSync(path.join(tmp(), file), 'utf8');
      const r = await db.query<Record<string, unknown>>(sql);
      assert.ok(r.rows.length > 10, `${file} returns rows (${r.rows.length})`);
    }
    const mrr = await db.query<{ mrr: string }>(`SELECT mrr::text AS mrr FROM (${readFileSync(path.join(tmp(), 'models/accounts_mrr.sql'), 'utf8')}) q LIMIT 1`);
    assert.match(mrr.rows[0]!.mrr, /^\d+\.\d{2}$/, 'numeric(12,2) keeps its exact decimals');
  });
});
