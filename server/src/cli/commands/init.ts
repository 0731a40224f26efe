import * as path from 'node:path';
import { initWorkspace } from '../../init/starterWorkspace';
import { EXIT, type Command } from '../command';

export const init: Command = {
  name: 'init',
  args: '',
  summary: 'write a starter retl.yaml (with --demo: the demo warehouse and two models)',
  flags: ['demo', 'dir'],
  async run({ values, io }) {
    const dir = path.resolve(values.dir ?? process.cwd());
    const files = await initWorkspace(dir, values.demo ?? false);
    if (io.json) io.out(JSON.stringify({ dir, files }));
    else io.out(`Wrote ${files.map((f) => path.relative(process.cwd(), f) || f).join(', ')}`);
    return EXIT.ok;
  },
};
