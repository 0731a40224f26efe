import { createServer } from 'node:http';
let rows = 0;
createServer((req, res) => { const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => { rows += JSON.parse(Buffer.concat(chunks).toString()).batch.length; res.writeHead(200, { 'content-type': 'application/json' }).end('{}'); }); }).listen(18999, '127.0.0.1');
