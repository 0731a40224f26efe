// New Model: warehouse type → name → existing or new credentials → description → the model is created, its
// starter query runs and one of its columns becomes the primary key → query file in the editor.
import * as vscode from 'vscode';
import { WAREHOUSE_LABEL, type ModelSummary, type WarehouseType } from '../../../protocol/src/config';
import { idFromName, newModelNameProblem } from '../../../protocol/src/names';
import type { ModelColumns } from '../../../protocol/src/requests';
import type { EngineClient } from '../engineClient';
import type { CredentialSecrets } from '../secrets';
import { showRefusal } from '../feedback';
import { credentialSteps, storeSecret, type CredentialAnswers } from './credentialSteps';
import { MultiStepInput, type Step } from './multiStepInput';
import { verifyStep } from './verifyStep';

const TITLE = 'New Model';
const NEW_CREDENTIALS = '$(add) Create credentials from scratch';

interface Answers {
  type: WarehouseType;
  name: string;
  credentialsId?: string;
  newCredentials?: CredentialAnswers;
  description: string;
}

export function starterSql(type: WarehouseType): string {
  if (type === 'demo') {
    return `-- One SELECT whose rows are sent to destinations; the first column is a good primary key.
SELECT u.id AS user_id,
       u.email,
       u.full_name,
       u.last_seen_at
FROM public.users AS u
WHERE u.last_seen_at IS NOT NULL
`;
  }
  return `-- One SELECT whose rows are sent to destinations; give it a unique key column.
SELECT 1 AS id
`;
}

export async function runNewModelWizard(engine: EngineClient, secrets: CredentialSecrets): Promise<void> {
  const state = await engine.state();
  if (state.problems.length > 0) {
    await showRefusal({ ok: false, code: 'configBroken', message: 'retl.yaml has problems; fix them before adding a model.' }, state);
    return;
  }
  const a: Answers = { type: state.credentials.length === 0 ? 'demo' : 'postgres', name: '', description: '' };

  const describe: Step = async (input) => {
    a.description = (
      await input.input({
        title: TITLE,
        prompt: 'Description (optional): what the rows are and who uses them',
        value: a.description,
      })
    ).trim();
    return undefined;
  };

  // The checks run on credentials not yet in retl.yaml; the engine asks for their secret by id, so a
  // typed password goes to SecretStorage first (and is removed again if the wizard is abandoned).
  const storedSecrets = new Set<string>();
  const verify = verifyStep(TITLE, engine, async () => {
    const fresh = a.newCredentials;
    if (!fresh?.credentials) return { id: a.credentialsId ?? '' };
    if (fresh.secret !== undefined) {
      if (!(await storeSecret((id, s) => secrets.set(id, s), fresh))) throw new Error('The password could not be stored.');
      storedSecrets.add(fresh.id);
      await engine.secretChanged(fresh.id);
    }
    return { id: fresh.id, unsaved: fresh.credentials };
  }, describe);

  const pickCredentials: Step = async (input) => {
    const ofType = state.credentials.filter((c) => c.type === a.type);
    const items: vscode.QuickPickItem[] = [
      ...ofType.map((c) => ({ label: c.id, description: c.type === 'demo' ? 'embedded' : 'existing credentials' })),
      { label: NEW_CREDENTIALS, description: `new ${WAREHOUSE_LABEL[a.type]} credentials` },
    ];
    const chosen = await input.pick({
      title: TITLE,
      placeholder: `Credentials for ${WAREHOUSE_LABEL[a.type]}`,
      items,
      active: items.find((i) => i.label === a.credentialsId),
    });
    if (chosen.label !== NEW_CREDENTIALS) {
      a.credentialsId = chosen.label;
      a.newCredentials = undefined;
      return verify;
    }
    a.credentialsId = undefined;
    a.newCredentials ??= { type: a.type, id: '', answers: {} };
    if (a.newCredentials.type !== a.type) a.newCredentials = { type: a.type, id: '', answers: {} };
    return credentialSteps(TITLE, a.newCredentials, state.credentials.map((c) => c.id), verify);
  };

  const askName: Step = async (input) => {
    const prompt = 'Model name: the id in retl.yaml and the query file\'s name are made from it';
    a.name = (
      await input.input({
        title: TITLE,
        prompt,
        value: a.name,
        placeholder: 'e.g. Active users',
        validate: (v) => newModelNameProblem(v, state.models) ?? undefined,
        describe: (v) => {
          const id = idFromName(v);
          return id ? `${prompt} · id: ${id} · file: models/${id}.sql` : prompt;
        },
      })
    ).trim();
    return pickCredentials;
  };

  const pickType: Step = async (input) => {
    const items: (vscode.QuickPickItem & { type: WarehouseType })[] = [
      { label: WAREHOUSE_LABEL.postgres, description: 'host, database, user; a password or key pair', type: 'postgres' },
      { label: WAREHOUSE_LABEL.snowflake, description: 'account, user, warehouse; a password or key pair', type: 'snowflake' },
      { label: WAREHOUSE_LABEL.demo, description: 'embedded, with sample data: nothing to set up', type: 'demo' },
    ];
    const chosen = await input.pick({
      title: TITLE,
      placeholder: 'Which warehouse does the model read from?',
      items,
      active: items.find((i) => i.type === a.type),
    });
    a.type = chosen.type;
    return askName;
  };

  const finished = await MultiStepInput.run(pickType, 5);
  const keptSecret = finished ? a.newCredentials?.id : undefined;
  for (const id of storedSecrets) if (id !== keptSecret) await secrets.delete(id);
  if (!finished) return;

  const model = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Creating model "${a.name}"…` }, async () => {
    let credentialsId = a.credentialsId;
    if (a.newCredentials?.credentials) {
      const creds = a.newCredentials;
      const saved = await engine.saveCredentials({ credentials: creds.credentials!, create: true });
      if (!saved.ok) {
        if (creds.secret !== undefined) await secrets.delete(creds.id);
        await showRefusal(saved);
        return undefined;
      }
      credentialsId = creds.id;
    }
    if (!credentialsId) return undefined;
    const id = idFromName(a.name);
    const result = await engine.createModel({
      id,
      name: a.name,
      description: a.description,
      credentials: credentialsId,
      initialSql: starterSql(a.type),
    });
    if (!result.ok) {
      await showRefusal(result);
      return undefined;
    }
    return result.state.models.find((m) => m.id === id);
  });
  if (!model) return;
  // Only the demo's starter query is a real model; another warehouse's is a placeholder (SELECT 1 AS id)
  // whose column would be a wrong key, and the step would wait on a warehouse that may be far away.
  const key = a.type === 'demo' ? await askPrimaryKey(engine, model) : undefined;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(model.queryPath));
  await vscode.window.showTextDocument(doc, { preview: false });
  void vscode.window.showInformationMessage(
    `Model "${model.name}" created in retl.yaml${key ? ` with primary key ${key}` : ''}. Write its query in ${model.query}${key ? '' : ', then set its primary key in the model\'s Configuration tab (a sync needs one)'}.`,
  );
}

/**
 * The last step: the starter query runs (read only) and its columns are offered as the primary key, the
 * first one suggested. Escape or "None for now" leaves the model without one. Answers the key set.
 */
async function askPrimaryKey(engine: EngineClient, model: ModelSummary): Promise<string | undefined> {
  const columns = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Running the query of "${model.name}" to list its columns…`, cancellable: true },
    async (progress, token): Promise<ModelColumns> => {
      // The first query of a new demo warehouse creates it (seconds): the notification says which step.
      if (engine.demoStarting) progress.report({ message: engine.demoStarting });
      const told = engine.onDemoStarting((message) => progress.report({ message: message ?? '' }));
      try {
        return await engine.modelColumns(model.id, token);
      } catch (err) {
        // The model exists already: a failure here must not stop its file from opening.
        return { ok: false, message: token.isCancellationRequested ? 'cancelled' : (err as Error).message };
      } finally {
        told.dispose();
      }
    },
  );
  if (!columns.ok || columns.columns.length === 0) {
    const why = columns.ok ? 'it returns no columns' : columns.message;
    void vscode.window.showWarningMessage(`"${model.name}" has no primary key yet: its query could not list its columns (${why}). Set one in the model's Configuration tab.`);
    return undefined;
  }
  const none = { label: '$(circle-slash) None for now', description: 'a sync needs one: set it later in the Configuration tab', column: undefined };
  const items = [...columns.columns.map((c, i) => ({ label: c, description: i === 0 ? 'suggested: the first column' : '', column: c })), none];
  const chosen = await vscode.window.showQuickPick(items, {
    title: `${TITLE}: primary key of "${model.name}"`,
    placeHolder: 'Primary key: the column whose value tells the rows apart (a sync matches destination records on it)',
    ignoreFocusOut: true,
  });
  if (!chosen?.column) return undefined;
  const r = await engine.updateModel({ id: model.id, primaryKey: chosen.column });
  if (!r.ok) {
    await showRefusal(r);
    return undefined;
  }
  return chosen.column;
}
