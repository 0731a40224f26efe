// Wizard steps that ask for a credentials entry field by field (new or edited), then for its secret.
import * as vscode from 'vscode';
import { WAREHOUSE_LABEL, type Credentials, type WarehouseType } from '../../../protocol/src/config';
import { CREDENTIAL_FIELDS, credentialsFromAnswers, needsStoredSecret, type CredentialField } from '../../../protocol/src/credentialFields';
import { idProblem } from '../../../protocol/src/names';
import type { MultiStepInput, Step } from './multiStepInput';

export interface CredentialAnswers {
  type: WarehouseType;
  id: string;
  answers: Record<string, string>;
  /** Set when the user typed a secret; undefined keeps the stored one (on edit). */
  secret?: string;
  credentials?: Credentials;
}

/**
 * The steps that fill `target`. `existing` holds the ids already taken (for a new entry), `editing` the
 * entry being edited (its id is then fixed and its values are the defaults). `then` follows the last step.
 */
export function credentialSteps(
  title: string,
  target: CredentialAnswers,
  existingIds: readonly string[],
  then: Step | undefined,
  editing?: Credentials,
): Step {
  const fields: readonly CredentialField[] = target.type === 'demo' ? [] : CREDENTIAL_FIELDS[target.type];

  const secretStep: Step = async (input) => {
    const built = credentialsFromAnswers(target.type, target.id, target.answers);
    if ('problem' in built) throw new Error(built.problem);
    target.credentials = built.credentials;
    if (!needsStoredSecret(built.credentials)) {
      target.secret = undefined;
      return then;
    }
    const value = await input.input({
      title,
      prompt: editing
        ? 'Password (kept in VS Code SecretStorage). Leave empty to keep the stored one.'
        : 'Password (kept in VS Code SecretStorage, never written to a file)',
      password: true,
      validate: (v) => (!editing && v.length === 0 ? 'Type the password, or go back and name an environment variable.' : undefined),
    });
    target.secret = value.length > 0 ? value : undefined;
    return then;
  };

  const fieldStep = (index: number): Step => async (input: MultiStepInput) => {
    const field = fields[index];
    if (!field) return secretStep;
    if (field.when && !field.when(target.answers)) {
      delete target.answers[field.key];
      return fieldStep(index + 1);
    }
    const current = target.answers[field.key] ?? field.defaultValue ?? '';
    if (field.choices) {
      const items = field.choices.map((c) => ({ label: c, picked: c === current }));
      const chosen = await input.pick({
        title,
        placeholder: field.prompt,
        items,
        active: items.find((i) => i.label === current),
      });
      target.answers[field.key] = chosen.label;
    } else {
      target.answers[field.key] = (
        await input.input({
          title,
          prompt: `${field.label}: ${field.prompt}`,
          value: current,
          placeholder: field.placeholder,
          validate: (v) => field.validate?.(v) ?? (!field.optional && !v.trim() ? `${field.label} must not be empty.` : undefined),
        })
      ).trim();
    }
    return fieldStep(index + 1);
  };

  if (editing) {
    for (const [k, v] of Object.entries(editing)) if (k !== 'id' && k !== 'type' && v !== undefined) target.answers[k] = String(v);
    return fieldStep(0);
  }

  return async (input) => {
    input.setTotalSteps(4 + fields.length + 1);
    let n = 1;
    while (existingIds.includes(`${target.type}_${n}`)) n++;
    target.id = (
      await input.input({
        title,
        prompt: `An id for these ${WAREHOUSE_LABEL[target.type]} credentials (used in retl.yaml)`,
        value: target.id || (target.type === 'demo' && !existingIds.includes('demo') ? 'demo' : `${target.type}_${n}`),
        validate: (v) => idProblem(v, 'Credentials id') ?? (existingIds.includes(v) ? `Credentials "${v}" already exist.` : undefined),
      })
    ).trim();
    return fieldStep(0);
  };
}

/** Stores the typed secret; returns false (with a message shown) when the OS keychain refused. */
export async function storeSecret(store: (id: string, secret: string) => Thenable<void>, answers: CredentialAnswers): Promise<boolean> {
  if (answers.secret === undefined) return true;
  try {
    await store(answers.id, answers.secret);
    return true;
  } catch (err) {
    void vscode.window.showErrorMessage(`Could not store the password in SecretStorage: ${(err as Error).message}`);
    return false;
  }
}
