// A local HTTP receiver standing in for a webhook or RudderStack's /v1/batch: it keeps every request
// and answers as the test says.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type Answer = { status: number; body?: unknown };

export interface HttpReceiver {
  url: string;
  requests: Received[];
  /** Decides the answer to each request; 200 with no body by default. */
  answer: (r: Received, index: number) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<HttpReceiver> {
  const receiver: HttpReceiver = {
    url: '',
    requests: [],
    answer: () => ({ status: 200 }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '/', headers: req.headers, body: text ? JSON.parse(text) : undefined };
      receiver.requests.push(r);
      const a = receiver.answer(r, receiver.requests.length - 1);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return receiver;
}
