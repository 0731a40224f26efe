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

mkdirSync(out, { recursive: true });
await Promise.all([
  build({ ...node, entryPoints: { extension: join(root, 'client/src/extension.ts') }, outdir: out, external: ['vscode'] }),
  build({ ...node, entryPoints: { server: join(root, 'server/src/lsp/main.ts') }, outdir: out }),
  build({ ...node, entryPoints: { cli: join(root, 'server/src/cli/bin.ts') }, outdir: out }),
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
console.log(`built ${out}${production ? ' (production)' : ''}`);
