// A sync session's result read in ranges, against a PROTOCOL FAKE of Snowflake's HTTP API that answers
// in chunks (the first rows inline, the rest as chunk files to download), as Snowflake does for large
// results and the emulator never does: each chunk is downloaded once, every row comes once, in order.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { SnowflakeWarehouse } from '../../server/src/warehouse/snowflake/snowflakeWarehouse';

const INLINE = 1_000;
const CHUNK = 5_000;
const CHUNKS = 3;
const row = (i: number) => [String(i), 'insert', `k${i}`, 'h', '{"a":1}'];

describe('Snowflake result read in ranges (protocol fake of chunked results)', function () {
  this.timeout(60_000);
  let server: http.Server;
  const downloads: number[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (b: Buffer) => parts.push(b));
      req.on('end', () => {
        const raw = Buffer.concat(parts);
        const body = raw.length ? (JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString()) as { sqlText?: string }) : {};
        const send = (p: unknown) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(p));
        };
        const url = req.url ?? '';
        if (url.startsWith('/chunk/')) {
          const c = Number(url.split('/')[2]);
          downloads.push(c);
          const first = INLINE + c * CHUNK + 1;
          res.setHeader('content-type', 'application/octet-stream');
          res.end(Array.from({ length: CHUNK }, (_, j) => JSON.stringify(row(first + j))).join(','));
          return;
        }
        if (url.startsWith('/session/v1/login-request')) return send({ success: true, data: { token: 't', masterToken: 'm', sessionId: 1, parameters: [] } });
        if (url.startsWith('/queries/v1/query-request') && !body.sqlText?.includes('FROM OPS')) {
          return send({ success: true, code: '0', data: { queryId: 'q0', rowtype: [], rowset: [], total: 0, returned: 0, queryResultFormat: 'json', parameters: [] } });
        }
        if (url.startsWith('/queries/v1/query-request')) {
          const { port } = server.address() as AddressInfo;
          const rowtype = ['SEQ', 'OP', 'KEY', 'HASH', 'PAYLOAD'].map((name, i) => ({ name, type: i === 0 ? 'fixed' : 'text', nullable: true, scale: i === 0 ? 0 : null, precision: i === 0 ? 38 : null, length: 100 }));
          const total = INLINE + CHUNK * CHUNKS;
          return send({
            success: true,
            code: '0',
            data: {
              queryId: 'q1', rowtype, rowset: Array.from({ length: INLINE }, (_, i) => row(i + 1)), total, returned: total, queryResultFormat: 'json', parameters: [],
              chunks: Array.from({ length: CHUNKS }, (_, c) => ({ url: `http://127.0.0.1:${port}/chunk/${c}`, rowCount: CHUNK, uncompressedSize: 1 })),
            },
          });
        }
        send({ success: true, data: {} });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads 16,000 rows in 500-row ranges with one download per chunk', async () => {
    const { port } = server.address() as AddressInfo;
    const w = new SnowflakeWarehouse({ id: 'sf', type: 'snowflake', account: 'x', user: 'U', accessUrl: `http://127.0.0.1:${port}` }, 'pw');
    const seen = await w.withSqlSession(new AbortController().signal, async (db) => {
      const result = await db.openResult!<{ SEQ: string }>('SELECT SEQ, OP, KEY, HASH, PAYLOAD FROM OPS WHERE SEQ > ? ORDER BY SEQ', [0]);
      const seqs: number[] = [];
      for (let at = 0; ; at += 500) {
        const rows = await result.rows(at, at + 500);
        if (rows.length === 0) break;
        seqs.push(...rows.map((r) => Number(r.SEQ)));
      }
      return seqs;
    });
    await w.close();
    assert.equal(seen.length, INLINE + CHUNK * CHUNKS);
    assert.ok(seen.every((s, i) => s === i + 1), 'every row once, in order');
    assert.deepEqual(downloads, [0, 1, 2], 'each chunk downloaded once');
  });
});
