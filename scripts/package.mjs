// `npm run package`: a production build, then a .vsix with @vscode/vsce holding only the bundles.
// `--out FILE` puts it elsewhere (npm run demo keeps its copy beside the demo). Needs no network.
import { parseArgs } from 'node:util';
import { ensureDeps, run } from './ensureDeps.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'retl-models.vsix' } } });
ensureDeps();
run('node scripts/build.mjs --production');
run(`npx vsce package --no-dependencies --no-rewrite-relative-links --out ${JSON.stringify(values.out)}`);
