// New Model: warehouse type → name → existing or new credentials → description → query file in the editor.
import * as vscode from 'vscode';
import type { WarehouseType } from '../../../protocol/src/config';
import { idFromName, newModelNameProblem } from '../../../protocol/src/names';
import type { EngineClient } from '../engineClient';
import type { CredentialSecrets } from '../secrets';
import { showRefusal } from '../feedback';
import { credentialSteps, storeSecret, TYPE_LABEL, type CredentialAnswers } from './credentialSteps';
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
      { label: NEW_CREDENTIALS, description: `new ${TYPE_LABEL[a.type]} credentials` },
    ];
    const chosen = await input.pick({
      title: TITLE,
      placeholder: `Credentials for ${TYPE_LABEL[a.type]}`,
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
    a.name = (
      await input.input({
        title: TITLE,
        prompt: 'Model name (the id used in files is derived from it)',
        value: a.name,
        placeholder: 'e.g. Active users',
        validate: (v) => newModelNameProblem(v, state.models) ?? undefined,
      })
    ).trim();
    return pickCredentials;
  };

  const pickType: Step = async (input) => {
    const items: (vscode.QuickPickItem & { type: WarehouseType })[] = [
      { label: 'PostgreSQL', description: 'pg', type: 'postgres' },
      { label: 'Snowflake', description: 'snowflake-sdk', type: 'snowflake' },
      { label: 'Demo warehouse', description: 'embedded, with sample data: no set-up', type: 'demo' },
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

  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Creating model "${a.name}"…` }, async () => {
    let credentialsId = a.credentialsId;
    if (a.newCredentials?.credentials) {
      const creds = a.newCredentials;
      const saved = await engine.saveCredentials({ credentials: creds.credentials!, create: true });
      if (!saved.ok) {
        if (creds.secret !== undefined) await secrets.delete(creds.id);
        await showRefusal(saved);
        return;
      }
      credentialsId = creds.id;
    }
    if (!credentialsId) return;
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
      return;
    }
    const model = result.state.models.find((m) => m.id === id);
    if (model) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(model.queryPath));
      await vscode.window.showTextDocument(doc, { preview: false });
      void vscode.window.showInformationMessage(`Model "${model.name}" created in retl.yaml. Write its query in ${model.query}.`);
    }
  });
}

