// Bundles the extension (client), the engine (language server), the CLI and the webview with esbuild,
// and puts the demo warehouse's wasm and data files next to the engine bundles, where PGlite looks.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

// ESM packages (PGlite) locate their wasm through import.meta.url, which a CommonJS bundle lacks.
const engineOptions = {
  ...node,
  define: { 'import.meta.url': '__retl_import_meta_url' },
  banner: { js: 'const __retl_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  external: ['snowflake-sdk', '@polyglot-sql/sdk'],
};

mkdirSync(out, { recursive: true });
await Promise.all([
  // The banner marks when the bundle starts loading, so activation time includes loading it.
  build({
    ...node,
    entryPoints: { extension: join(root, 'client/src/extension.ts') },
    outdir: out,
    external: ['vscode'],
    // One vscode-jsonrpc at run time: the language client bundle's. The protocol's message types are built
    // on a stand-in that takes the parameter structure from it (client/src/messageTypes.ts).
    alias: { 'vscode-languageserver-protocol': join(root, 'client/src/messageTypes.ts') },
    banner: { js: 'globalThis.__retlLoadStart = performance.now();' },
    footer: { js: 'globalThis.__retlLoadEnd = performance.now();' },
  }),
  // Loaded by the extension right after activation (client/src/engineClient.ts).
  build({ ...node, entryPoints: { languageclient: 'vscode-languageclient/node' }, outdir: out, external: ['vscode'] }),
  // snowflake-sdk is its own bundle, loaded only when Snowflake credentials are used (loadSnowflakeSdk.ts).
  build({ ...engineOptions, entryPoints: { server: join(root, 'server/src/lsp/main.ts') }, outdir: out }),
  build({ ...engineOptions, entryPoints: { cli: join(root, 'server/src/cli/bin.ts') }, outdir: out }),
  // The demo warehouse's thread, started by both engine bundles from the file beside them (demoWarehouse.ts).
  build({ ...engineOptions, entryPoints: { demoWorker: join(root, 'server/src/warehouse/demo/demoWorker.ts') }, outdir: out }),
  build({ ...node, entryPoints: { 'snowflake-sdk': 'snowflake-sdk' }, outdir: out, logLevel: 'error' }),
  // The Snowflake parser (Rust in wasm) likewise, loaded with the first Snowflake text (snowflakeParser.ts).
  build({ ...node, entryPoints: { polyglot: join(root, 'node_modules/@polyglot-sql/sdk/dist/index.cjs') }, outdir: out, logLevel: 'error' }),
  build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    entryPoints: { webview: join(root, 'webview/src/main.ts') },
    outdir: out,
  }),
]);

const pglite = join(root, 'node_modules/@electric-sql/pglite/dist');
for (const file of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) copyFileSync(join(pglite, file), join(out, file));
// The PostgreSQL parser's wasm, found next to the bundle that loads it.
copyFileSync(join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm'), join(out, 'libpg-query.wasm'));
// polyglot reads its wasm from the folder of the bundle that holds it.
copyFileSync(join(root, 'node_modules/@polyglot-sql/sdk/dist/polyglot_sql.wasm'), join(out, 'polyglot_sql.wasm'));
console.log(`built ${out}${production ? ' (production)' : ''}`);
