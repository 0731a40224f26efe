// The engine's half of the sealed secret channel (protocol/src/sealedSecret.ts): the key from the
// environment, read once and removed, and unsealing of the extension's answers.
import { createDecipheriv } from 'node:crypto';
import { SEAL_CIPHER, SEAL_IV_BYTES, SEAL_TAG_BYTES, SECRET_KEY_ENV, type SealedSecret } from '../../../protocol/src/sealedSecret';

/** Takes the key out of the environment, so nothing this process starts or prints carries it. */
export function takeChannelKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = env[SECRET_KEY_ENV];
  delete env[SECRET_KEY_ENV];
  return key;
}

export function unseal(s: SealedSecret, key: string): string {
  const raw = Buffer.from(s.sealed, 'base64');
  const decipher = createDecipheriv(SEAL_CIPHER, Buffer.from(key, 'base64'), raw.subarray(0, SEAL_IV_BYTES));
  decipher.setAuthTag(raw.subarray(SEAL_IV_BYTES, SEAL_IV_BYTES + SEAL_TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(SEAL_IV_BYTES + SEAL_TAG_BYTES)), decipher.final()]).toString('utf8');
}
