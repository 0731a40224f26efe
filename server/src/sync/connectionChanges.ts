// New connections in retl.yaml, through the same store as every other change (comments kept, the result
// checked before it is written); shared by the language server and, later, the CLI.
import { idProblem } from '../../../protocol/src/names';
import type { ChangeResult, CreateConnectionParams, PauseConnectionParams, UpdateConnectionParams } from '../../../protocol/src/requests';
import { appendItem, itemMap, refuse, type ConfigStore } from '../config/configStore';

export function addConnection(store: ConfigStore, p: CreateConnectionParams): Promise<ChangeResult> {
  return store.change((doc, config) => {
    const badId = idProblem(p.id, 'Connection id');
    if (badId) return refuse('invalid', badId);
    if (config.connections.some((c) => c.id === p.id)) return refuse('conflict', `A connection with id "${p.id}" already exists.`);
    if (!config.models.some((m) => m.id === p.model)) return refuse('notFound', `No model with id "${p.model}".`);
    const destination = config.destinations.find((d) => d.id === p.destination);
    if (!destination) return refuse('notFound', `No destination with id "${p.destination}".`);
    const item: Record<string, unknown> = { id: p.id, model: p.model, destination: p.destination, mode: p.mode };
    if (p.mapping && Object.keys(p.mapping).length > 0) item.mapping = p.mapping;
    if (p.event) item.event = p.event;
    appendItem(doc, 'connections', item);
    return undefined;
  });
}

/** A new mapping for a connection: model column → destination field; every field named once. */
export function updateConnection(store: ConfigStore, p: UpdateConnectionParams): Promise<ChangeResult> {
  return store.change((doc, config) => {
    const index = config.connections.findIndex((c) => c.id === p.id);
    if (index < 0) return refuse('notFound', `No connection with id "${p.id}".`);
    const map = itemMap(doc, 'connections', index);
    if (p.mapping === null || Object.keys(p.mapping).length === 0) {
      map.delete('mapping');
      return undefined;
    }
    const fields = Object.values(p.mapping).map((f) => f.trim());
    if (fields.some((f) => !f)) return refuse('invalid', 'Every mapped column needs a destination field name.');
    const twice = fields.find((f, i) => fields.indexOf(f) !== i);
    if (twice) return refuse('invalid', `The field "${twice}" is mapped from two columns.`);
    const model = config.models.find((m) => m.id === config.connections[index]!.model);
    if (model?.primaryKey && !(model.primaryKey in p.mapping)) {
      return refuse('invalid', `The primary key "${model.primaryKey}" must be sent: the destination matches rows on it.`);
    }
    map.set('mapping', doc.createNode(Object.fromEntries(Object.entries(p.mapping).map(([c, f]) => [c, f.trim()]))));
    return undefined;
  });
}

/** Pause (`paused: true`) or resume (the key removed) a connection; its schedule keeps its text. */
export function pauseConnection(store: ConfigStore, p: PauseConnectionParams): Promise<ChangeResult> {
  return store.change((doc, config) => {
    const index = config.connections.findIndex((c) => c.id === p.id);
    if (index < 0) return refuse('notFound', `No connection with id "${p.id}".`);
    const map = itemMap(doc, 'connections', index);
    if (p.paused) map.set('paused', true);
    else map.delete('paused');
    return undefined;
  });
}
