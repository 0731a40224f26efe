// A PROTOCOL FAKE of Snowflake's HTTP API, for tests only: it answers snowflake-sdk's login, query,
// abort and telemetry requests on loopback, with results the test scripts. It does not run SQL and
// proves nothing about Snowflake SQL semantics; it proves that our adapter speaks the driver correctly
// (login errors, compile errors with positions, streamed paging, cancel, exact NUMBER values).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface FakeColumn {
  name: string;
  /** Snowflake's wire type: fixed, real, text, boolean, variant... */
  type: string;
  scale?: number;
  precision?: number;
}

export type FakeAnswer =
  | { columns: FakeColumn[]; rows: (string | null)[][] }
  | { error: { code: string; message: string; sqlState?: string } }
  /** Keep the request open until the driver aborts it (to test cancel). */
  | { hold: true };

export class SnowflakeProtocolFake {
  private server: Server | undefined;
  private readonly held: ServerResponse[] = [];
  readonly queries: string[] = [];
  aborts = 0;
  url = '';

  constructor(
    private readonly users: Record<string, string>,
    private readonly answer: (sql: string) => FakeAnswer,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip' && raw.length > 0) raw = gunzipSync(raw);
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    const url = req.url ?? '';
    const send = (payload: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(payload));
    };

    if (url.startsWith('/session/v1/login-request')) {
      const data = (body.data ?? {}) as { LOGIN_NAME?: string; PASSWORD?: string };
      if (data.LOGIN_NAME !== undefined && this.users[data.LOGIN_NAME] === data.PASSWORD) {
        send({ success: true, data: { token: 'session-token', masterToken: 'master-token', sessionId: 1, parameters: [] } });
      } else {
        send({ success: false, code: '390100', message: 'Incorrect username or password was specified.', data: { nextAction: 'RETRY_LOGIN' } });
      }
      return;
    }
    if (url.startsWith('/queries/v1/abort-request')) {
      this.aborts++;
      for (const held of this.held.splice(0)) {
        held.setHeader('content-type', 'application/json');
        held.end(JSON.stringify({ success: false, code: '000604', message: 'SQL execution canceled', data: { sqlState: '57014', queryId: 'q-held' } }));
      }
      send({ success: true, data: {} });
      return;
    }
    if (url.startsWith('/queries/v1/query-request')) {
      const sql = String(body.sqlText ?? '');
      this.queries.push(sql);
      // Every session of ours starts so (snowflakeWarehouse.ts); the scripts need not answer it.
      const answer: FakeAnswer = /^USE SECONDARY ROLES NONE$/.test(sql) ? { columns: [{ name: 'status', type: 'text' }], rows: [['Statement executed successfully.']] } : this.answer(sql);
      if ('hold' in answer) {
        this.held.push(res);
        return;
      }
      if ('error' in answer) {
        send({ success: false, code: answer.error.code, message: answer.error.message, data: { sqlState: answer.error.sqlState ?? '42000', queryId: `q${this.queries.length}` } });
        return;
      }
      send({
        success: true,
        data: {
          queryId: `q${this.queries.length}`,
          rowtype: answer.columns.map((c) => ({
            name: c.name,
            type: c.type,
            nullable: true,
            scale: c.scale ?? null,
            precision: c.precision ?? null,
            length: c.type === 'text' ? 16777216 : null,
            byteLength: null,
            collation: null,
            database: 'DB',
            schema: 'PUBLIC',
            table: 'T',
          })),
          rowset: answer.rows,
          total: answer.rows.length,
          returned: answer.rows.length,
          queryResultFormat: 'json',
          parameters: [],
        },
      });
      return;
    }
    // Telemetry, heartbeat, logout: accepted and ignored.
    send({ success: true, data: {} });
  }
}
