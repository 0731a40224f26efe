// New connections in retl.yaml, through the same store as every other change (comments kept, the result
// checked before it is written); shared by the language server and, later, the CLI.
import { idProblem } from '../../../protocol/src/names';
import type { ChangeResult, CreateConnectionParams } from '../../../protocol/src/requests';
import { appendItem, refuse, type ConfigStore } from '../config/configStore';

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
