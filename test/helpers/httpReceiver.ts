// A local HTTP receiver standing in for a webhook or RudderStack's /v1/batch: it keeps every request
// and answers as the test says.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * JSON `body`, or `raw` text with its own headers (an HTML page, a redirect); `delayMs` answers late;
 * `never` keeps the request open until the receiver closes.
 */
export type Answer = { status: number; body?: unknown; raw?: string; headers?: Record<string, string>; delayMs?: number } | { never: true };

export interface HttpReceiver {
  url: string;
  requests: Received[];
  /** Decides the answer to each request; 200 with no body by default. */
  answer: (r: Received, index: number) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<HttpReceiver> {
  const held = new Set<import('node:http').ServerResponse>();
  const receiver: HttpReceiver = {
    url: '',
    requests: [],
    answer: () => ({ status: 200 }),
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '/', headers: req.headers, body: text ? JSON.parse(text) : undefined };
      receiver.requests.push(r);
      const a = receiver.answer(r, receiver.requests.length - 1);
      if ('never' in a) {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      const send = () => {
        res.writeHead(a.status, a.raw !== undefined ? (a.headers ?? {}) : { 'content-type': 'application/json', ...a.headers });
        res.end(a.raw ?? (a.body === undefined ? '' : JSON.stringify(a.body)));
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return receiver;
}
