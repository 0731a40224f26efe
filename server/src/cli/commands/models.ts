// `retl models ...`: list, create, rename and delete models in retl.yaml, as the extension does.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createModel, defaultQueryPath, deleteModel, updateModel } from '../../models/modelChanges';
import { EXIT, UsageError, type Command } from '../command';
import { publicModel, savedModel, showChange } from '../format';

export const modelsList: Command = {
  name: 'models list',
  args: '',
  summary: 'list the models',
  async run({ io, openStore }) {
    const models = (await openStore()).state().models.map(publicModel);
    if (io.json) io.out(JSON.stringify(models, null, 2));
    else if (models.length === 0) io.out('No models yet.');
    else for (const m of models) io.out(`${m.id}\t${m.name}\t${m.credentials}\t${m.query}${m.connections.length ? `\tused by ${m.connections.join(', ')}` : ''}`);
    return EXIT.ok;
  },
};

export const modelsCreate: Command = {
  name: 'models create',
  args: '',
  summary: 'add a model; a query file inside the workspace is referenced, one outside is copied to models/ID.sql',
  flags: ['id', 'name', 'credentials', 'query-file', 'description', 'primary-key'],
  required: ['id', 'name', 'credentials', 'query-file'],
  async run({ values, io, openStore }) {
    const store = await openStore();
    const id = values.id!;
    const queryFile = path.resolve(values['query-file']!);
    let sql: string;
    try {
      sql = await fs.readFile(queryFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --query-file ${queryFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    // A file inside the workspace is referenced where it is; one outside is copied in, so the model is kept with the code.
    const relative = path.relative(store.root, queryFile);
    const inside = !relative.startsWith('..') && !path.isAbsolute(relative) && relative.endsWith('.sql');
    const result = await createModel(store, {
      id,
      name: values.name!,
      credentials: values.credentials!,
      query: inside ? relative.split(path.sep).join('/') : defaultQueryPath(id),
      initialSql: sql,
      ...(values.description !== undefined ? { description: values.description } : {}),
      ...(values['primary-key'] !== undefined ? { primaryKey: values['primary-key'] } : {}),
    });
    return showChange(result, io, (s) => savedModel(s, id));
  },
};

export const modelsRename: Command = {
  name: 'models rename',
  args: 'ID NEW_NAME',
  summary: "change a model's display name (the id stays)",
  async run({ io, openStore }, [id, newName]) {
    const result = await updateModel(await openStore(), { id: id!, name: newName! });
    return showChange(result, io, (s) => savedModel(s, id!));
  },
};

export const modelsDelete: Command = {
  name: 'models delete',
  args: 'ID',
  summary: 'delete a model no connection uses',
  flags: ['delete-query-file'],
  async run({ values, io, openStore }, [id]) {
    const result = await deleteModel(await openStore(), { id: id!, deleteQueryFile: values['delete-query-file'] ?? false });
    return showChange(result, io, () => ({ json: { deleted: id }, text: `Deleted model ${id}.` }));
  },
};
