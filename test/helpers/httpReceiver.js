"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startReceiver = startReceiver;
// A local HTTP receiver standing in for a webhook or RudderStack's /v1/batch: it keeps every request
// and answers as the test says.
const node_http_1 = require("node:http");
async function startReceiver() {
    const receiver = {
        url: '',
        requests: [],
        answer: () => ({ status: 200 }),
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
    const server = (0, node_http_1.createServer)((req, res) => {
        let text = '';
        req.on('data', (d) => (text += d.toString()));
        req.on('end', () => {
            const r = { path: req.url ?? '/', headers: req.headers, body: text ? JSON.parse(text) : undefined };
            receiver.requests.push(r);
            const a = receiver.answer(r, receiver.requests.length - 1);
            res.writeHead(a.status, { 'content-type': 'application/json' });
            res.end(a.body === undefined ? '' : JSON.stringify(a.body));
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${server.address().port}`;
    return receiver;
}
//# sourceMappingURL=httpReceiver.js.map