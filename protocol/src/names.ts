// Rules for ids and display names. Pure functions, so the wizard can validate on every keystroke
// and the engine enforces the very same rules when it writes retl.yaml.

/** Ids name files (`models/<id>.sql`) and warehouse tables (`snap_<id>`), so they stay plain. */
export const ID_PATTERN = /^[a-z][a-z0-9_]*$/;
export const ID_MAX_LENGTH = 63; // PostgreSQL's identifier limit
export const NAME_MAX_LENGTH = 100;

/** Returns why `id` is not a valid id, or undefined when it is. */
export function idProblem(id: string, what = 'Id'): string | undefined {
  if (id.length === 0) return `${what} must not be empty.`;
  if (id.length > ID_MAX_LENGTH) return `${what} must be at most ${ID_MAX_LENGTH} characters.`;
  if (!ID_PATTERN.test(id)) {
    return `${what} "${id}" may hold only lowercase letters, digits and _, and must start with a letter.`;
  }
  return undefined;
}

/** Returns why `name` is not a usable display name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'Name must not be empty.';
  if (trimmed.length > NAME_MAX_LENGTH) return `Name must be at most ${NAME_MAX_LENGTH} characters.`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'Name must not hold control characters or line breaks.';
  if (!/[\p{L}\p{N}]/u.test(trimmed)) return 'Name must hold at least one letter or digit.';
  return undefined;
}

/** Derives an id from a display name: "Active users (EU)" → "active_users_eu". */
export function idFromName(name: string): string {
  let id = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (id.length > 0 && !/^[a-z]/.test(id)) id = `m_${id}`;
  return id.slice(0, ID_MAX_LENGTH).replace(/_+$/, '');
}

export interface Named {
  id: string;
  name: string;
}

/**
 * Why `name` (or, for a new model, the id derived from it) clashes with an existing model.
 * `self` is the id of the model being renamed, which may keep its own name.
 */
export function modelNameConflict(name: string, existing: readonly Named[], self?: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  const clash = existing.find((m) => m.id !== self && m.name.trim().toLowerCase() === wanted);
  if (clash) return `A model named "${clash.name}" already exists.`;
  if (self === undefined) {
    const id = idFromName(name);
    if (existing.some((m) => m.id === id)) return `A model with id "${id}" already exists; choose another name.`;
  }
  return undefined;
}

/** Everything the New Model wizard checks as the user types a name. */
export function newModelNameProblem(name: string, existing: readonly Named[], self?: string): string | undefined {
  return (
    nameProblem(name) ??
    (self === undefined ? idProblem(idFromName(name), 'The id derived from this name') : undefined) ??
    modelNameConflict(name, existing, self)
  );
}
