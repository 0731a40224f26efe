// The palette's commands: every command package.json contributes is registered by the extension's one
// table (client/src/commands.ts), and every command of the table is contributed (or it would have no title
// in the palette). Read from the sources: the table needs the vscode module, which only the host has.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/cli';

interface Manifest {
  activationEvents: string[];
  contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string }[]> };
}

const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;
const contributed = manifest.contributes.commands.map((c) => c.command).sort();
const source = (file: string) => readFileSync(path.join(REPO, 'client', 'src', file), 'utf8');
const table = [...source('commands.ts').matchAll(/^\s+'(retl\.\w+)':/gm)].map((m) => m[1]!).sort();
/** Called by the extension itself (the panel reveals a connection in the tree), never from the palette. */
const internal = [...source('extension.ts').matchAll(/registerCommand\('(retl\.\w+)'/g)].map((m) => m[1]!);

describe('command table and package.json', () => {
  it('registers every contributed command in the one table, and contributes every command of it', () => {
    assert.ok(table.length > 10, `the table was read (${table.join(', ')})`);
    assert.deepEqual(table, contributed);
    for (const id of internal) assert.ok(!contributed.includes(id), `${id} is internal: not in the palette`);
  });

  it('activation events and menus name contributed commands only', () => {
    for (const e of manifest.activationEvents.filter((x) => x.startsWith('onCommand:'))) assert.ok(contributed.includes(e.slice('onCommand:'.length)), e);
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) for (const i of items) assert.ok(contributed.includes(i.command), `${menu}: ${i.command}`);
  });

  it('offers Export Results on a model in the tree and in the palette', () => {
    assert.equal(manifest.contributes.commands.find((c) => c.command === 'retl.exportResults')?.title, 'Export Results...');
    assert.ok(manifest.contributes.menus['view/item/context']!.some((i) => i.command === 'retl.exportResults'));
    assert.ok(!manifest.contributes.menus.commandPalette!.some((i) => i.command === 'retl.exportResults'), 'not hidden from the palette');
  });
});
