// Where an export's text goes. A file is written beside its final name and renamed into place only
// once every row is in: a failed or cancelled export leaves no partial file, and an older file of that
// name stays as it was until the new one is complete.
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export interface ExportTarget {
  /** Resolves when the text was taken (after `drain` when the stream's buffer is full). */
  write(text: string): Promise<void>;
  /** Every byte written so far. */
  readonly bytes: number;
}

/** A writable stream as a target, honouring its backpressure; a stream error fails the next write. */
export function streamTarget(stream: Writable): ExportTarget & { failed(): Error | undefined } {
  let error: Error | undefined;
  stream.on('error', (err) => (error ??= err));
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    failed: () => error,
    async write(text) {
      if (error) throw error;
      if (text === '') return;
      const chunk = Buffer.from(text, 'utf8');
      bytes += chunk.length;
      // once() rejects when 'error' comes first, and removes both of its listeners either way.
      if (!stream.write(chunk)) await once(stream, 'drain');
      if (error) throw error;
    },
  };
}

/** The temporary name a file is written under: hidden, beside the target (same filesystem, so the rename is atomic). */
export function partialName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.retl-partial`);
}

/**
 * Runs `fn` with a target writing `file`'s temporary twin; renames it to `file` when `fn` resolves, and
 * removes it when `fn` (or the writing) fails.
 */
export async function writeFileAtomically<T>(file: string, fn: (target: ExportTarget) => Promise<T>): Promise<T> {
  const partial = partialName(file);
  const existing = await fs.stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new ExportFileError(`${file} is a folder; name a file to write.`);
  let out: WriteStream;
  try {
    out = createWriteStream(partial, { flags: 'wx', mode: 0o644 });
    await once(out, 'open');
  } catch (err) {
    throw new ExportFileError(`Cannot write ${file}: ${errorText(err)}.`);
  }
  const target = streamTarget(out);
  try {
    const result = await fn(target);
    out.end();
    await once(out, 'finish');
    const failed = target.failed();
    if (failed) throw failed;
    await fs.rename(partial, file);
    return result;
  } catch (err) {
    if (!out.closed) {
      const closed = once(out, 'close').catch(() => undefined);
      out.destroy();
      await closed;
    }
    await fs.rm(partial, { force: true }).catch(() => undefined);
    throw err instanceof Error && (err as NodeJS.ErrnoException).syscall ? new ExportFileError(`Cannot write ${file}: ${errorText(err)}.`) : err;
  }
}

/** The file could not be written (a full disk, no permission, a folder that is gone). */
export class ExportFileError extends Error {}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is not a folder',
};

/** A system error in words; its own message names the temporary file, which the user never chose. */
function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && ERRNO_TEXT[e.code]) ?? e.code ?? String(e.message ?? err);
}
