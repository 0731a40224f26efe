import { strict as assert } from 'node:assert';
import type { PreviewPage, PreviewResult } from '../../protocol/src/preview';
import { PreviewService } from '../../server/src/preview/previewService';
import { PostgresWarehouse } from '../../server/src/warehouse/postgres/postgresWarehouse';
import { stopSharedPostgres } from '../helpers/postgres';
import { pgFixture, type PgFixture } from './pgFixture';

after(() => stopSharedPostgres());

const never = () => new AbortController().signal;

function page(r: PreviewResult): PreviewPage {
  if (!r.ok) throw new Error(`preview failed: ${r.error.kind}: ${r.error.message}`);
  return r.page;
}

describe('PostgreSQL (real server): the preview cursor', function () {
  this.timeout(120_000);
  let fx: PgFixture;
  let w: PostgresWarehouse;
  let previews: PreviewService;
  before(async () => {
    fx = await pgFixture();
    w = new PostgresWarehouse(fx.credentials(fx.reader), fx.reader.password);
    previews = new PreviewService({ timeoutMs: 60_000, idleMs: 600_000 });
  });
  after(async () => {
    await previews.closeAll();
    await w.close();
  });

  it('reads pages 2 to 20 from one cursor, not from a query run again per page', async () => {
    // ORDER BY random(): a query run again orders the rows anew, so pages taken from separate runs
    // (OFFSET) would share ids; one cursor's pages are slices of one order and never do.
    const first = page(await previews.open({ warehouse: w, dialect: 'postgres', sql: 'SELECT g AS id FROM generate_series(1, 2000) AS g ORDER BY random()' }, never()));
    const ids = new Set<unknown>();
    for (let n = 2; n <= 20; n++) for (const [id] of page(await previews.page(first.sessionId, n, never())).rows) ids.add(id);
    assert.equal(ids.size, 19 * 50);
    await previews.close(first.sessionId);
  });
});
