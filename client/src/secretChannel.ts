// The extension's half of the sealed secret channel (protocol/src/sealedSecret.ts): a key per engine
// start, and sealing of each answer to retl/secrets/get.
import { createCipheriv, randomBytes } from 'node:crypto';
import { SEAL_CIPHER, SEAL_IV_BYTES, type SealedSecret } from '../../protocol/src/sealedSecret';

export function newChannelKey(): string {
  return randomBytes(32).toString('base64');
}

export function seal(secret: string, key: string): SealedSecret {
  const iv = randomBytes(SEAL_IV_BYTES);
  const cipher = createCipheriv(SEAL_CIPHER, Buffer.from(key, 'base64'), iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return { sealed: Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64') };
}
