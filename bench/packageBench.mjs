// Section 5: the .vsix `npm run package` makes, with the bytes of each part, and activation time of the
// extension in the real extension host (code-server, the e2e harness's desktop-smoke scenario).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root, round, stats } from './lib.mjs';

/** What each file in the package is, and who loads it (nothing should be in it that nothing loads). */
const PARTS = [
  { part: 'client (extension host)', files: ['extension/dist/extension.js', 'extension/dist/languageclient.js'], loadedBy: 'VS Code on activation' },
  { part: 'engine (language server)', files: ['extension/dist/server.js'], loadedBy: 'the extension, right after activation' },
  { part: 'webview', files: ['extension/dist/webview.js', 'extension/dist/webview.css'], loadedBy: 'the model panel' },
  { part: 'parser (libpg-query wasm)', files: ['extension/dist/libpg-query.wasm'], loadedBy: 'the engine, on the first SQL check' },
  { part: 'Snowflake driver (snowflake-sdk)', files: ['extension/dist/snowflake-sdk.js'], loadedBy: 'the engine, for Snowflake credentials only' },
  { part: 'Snowflake parser (polyglot-sql, wasm)', files: ['extension/dist/polyglot.js', 'extension/dist/polyglot_sql.wasm'], loadedBy: 'the engine, with the first Snowflake text' },
  { part: 'demo warehouse (PGlite wasm + data)', files: ['extension/dist/demoWorker.js', 'extension/dist/pglite.wasm', 'extension/dist/pglite.data', 'extension/dist/initdb.wasm'], loadedBy: 'the engine, for demo credentials only (on its own thread)' },
];

/** Entries of a zip file from its central directory: name, compressed and uncompressed bytes. */
export function zipEntries(file) {
  const buf = readFileSync(file);
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('broken central directory');
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), compressed, size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export function packageBench() {
  const vsix = join(root, 'retl-models.vsix');
  rmSync(vsix, { force: true });
  execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
  const entries = zipEntries(vsix);
  const claimed = new Set();
  const parts = PARTS.map(({ part, files, loadedBy }) => {
    const found = entries.filter((e) => files.includes(e.name));
    for (const e of found) claimed.add(e.name);
    return { part, loadedBy, files: found.map((e) => e.name.replace('extension/', '')), bytes: sum(found, 'size'), compressedBytes: sum(found, 'compressed') };
  });
  const rest = entries.filter((e) => !claimed.has(e.name));
  parts.push({
    part: 'manifest, README, icons',
    loadedBy: 'VS Code',
    files: rest.map((e) => e.name.replace('extension/', '')),
    bytes: sum(rest, 'size'),
    compressedBytes: sum(rest, 'compressed'),
  });
  return { vsixBytes: statSync(vsix).size, vsixMB: round(statSync(vsix).size / 1e6, 2), goalMB: 15, parts };
}

function sum(list, key) {
  return list.reduce((n, e) => n + e[key], 0);
}

/** Starts the real extension host `runs` times (desktop-smoke scenario) and reads what it measured. */
export function activationBench({ runs }) {
  const samples = [];
  const load = [];
  for (let i = 0; i < runs; i++) {
    execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./scripts/e2e/run.mjs'); const r = await m.runScenarios(); if (r.failed) process.exit(1);"], {
      cwd: root,
      env: { ...process.env, RETL_E2E_ONLY: 'desktop-smoke' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const measured = JSON.parse(readFileSync(join(root, 'test-results', 'e2e', 'activation.json'), 'utf8'));
    samples.push(measured.activationMs);
    load.push(measured.loadMs);
  }
  return { activationMs: stats(samples), bundleLoadMs: stats(load), samples: samples.map((s) => round(s, 1)), goalMs: 50 };
}
