// `npm run package`: a production build, then a .vsix with @vscode/vsce holding only the bundles.
import { ensureDeps, run } from './ensureDeps.mjs';

ensureDeps();
run('node scripts/build.mjs --production');
run('npx vsce package --no-dependencies --no-rewrite-relative-links --out retl-models.vsix');
