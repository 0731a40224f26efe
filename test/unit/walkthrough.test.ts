// The Get Started walkthrough and the retl.yaml schema contribution: every link and event names something
// the extension really contributes, and the files they point at are in the .vsix.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { JSON_SCHEMA_FILE } from '../../server/src/config/jsonSchema';
import { REPO } from '../helpers/cli';

interface Step { id: string; title: string; description: string; media: { markdown?: string }; completionEvents?: string[] }
interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
    walkthroughs: { id: string; steps: Step[] }[];
    yamlValidation: { fileMatch: string | string[]; url: string }[];
  };
}

const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;
const c = manifest.contributes;
const commands = new Set(c.commands.map((x) => x.command));
// VS Code makes one command per view container that shows it.
const containerCommands = new Set(c.viewsContainers.activitybar.map((x) => `workbench.view.extension.${x.id}`));
const views = new Set(Object.values(c.views).flat().map((v) => v.id));
const steps = c.walkthroughs.flatMap((w) => w.steps);

describe('walkthrough and yamlValidation in package.json', () => {
  it('walks through demo, warehouse, model, run and connect, each step with its own markdown', () => {
    assert.deepEqual(steps.map((s) => s.id), ['tryDemo', 'addWarehouse', 'createModel', 'runModel', 'connectModel']);
    for (const s of steps) {
      assert.ok(s.media.markdown, `${s.id} has no markdown media (VS Code refuses a step without media)`);
      assert.ok(existsSync(path.join(REPO, s.media.markdown)), `${s.media.markdown} is missing`);
    }
  });

  it('links and completion events name real commands and views', () => {
    for (const s of steps) {
      const links = [...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]!);
      assert.ok(links.length > 0, `${s.id} offers no button`);
      for (const id of links) assert.ok(commands.has(id) || containerCommands.has(id), `${s.id} links to unknown command ${id}`);
      for (const e of s.completionEvents ?? []) {
        const [kind, id] = e.split(':') as [string, string];
        if (kind === 'onCommand') assert.ok(commands.has(id), `${s.id}: ${e} is no command of ours`);
        else if (kind === 'onView') assert.ok(views.has(id), `${s.id}: ${e} is no view of ours`);
        else assert.fail(`${s.id}: unexpected completion event ${e}`);
      }
    }
  });

  it('gives retl.yaml the generated schema, and the .vsix holds it and the walkthrough pages', () => {
    assert.deepEqual(c.yamlValidation, [{ fileMatch: 'retl.yaml', url: `./${JSON_SCHEMA_FILE}` }]);
    const listed = execFileSync(process.execPath, [path.join(REPO, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim());
    for (const file of [JSON_SCHEMA_FILE, ...steps.map((s) => s.media.markdown!)]) assert.ok(listed.includes(file), `${file} is not in the .vsix`);
  });
});
