// Secrets cross from the extension to the engine sealed, so no trace of the LSP channel can show them:
// with "retl.trace.server": "verbose" the language client logs every response with its result, and VS
// Code keeps that log on disk. The key is made per engine start and handed to the engine process in its
// environment, which no trace includes; it lives only in the memory of the two processes. The client
// seals (client/src/secretChannel.ts), the engine unseals (server/src/lsp/secretChannel.ts).

/** The environment variable that carries the key (base64 of 32 bytes); the engine removes it once read. */
export const SECRET_KEY_ENV = 'RETL_SECRET_CHANNEL_KEY';

export const SEAL_CIPHER = 'aes-256-gcm';
export const SEAL_IV_BYTES = 12;
export const SEAL_TAG_BYTES = 16;

export interface SealedSecret {
  /** base64 of iv + auth tag + ciphertext. */
  sealed: string;
}
