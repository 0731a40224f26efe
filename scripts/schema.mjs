// `npm run schema`: writes schemas/retl.schema.json from the engine's schema (server/src/config/jsonSchema.ts).
// esbuild compiles the TypeScript in memory, so this needs no `tsc -b` first. test/unit/jsonSchema.test.ts
// fails when the committed file is not what this writes.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { root } from './ensureDeps.mjs';

const result = await build({
  entryPoints: [join(root, 'server/src/config/jsonSchema.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  logLevel: 'warning',
});
const module = { exports: {} };
new Function('module', 'exports', 'require', result.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
const { JSON_SCHEMA_FILE, retlJsonSchemaText } = module.exports;
const file = join(root, JSON_SCHEMA_FILE);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, retlJsonSchemaText());
console.log(`wrote ${JSON_SCHEMA_FILE}`);
