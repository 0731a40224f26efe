// Where an export's text goes. A regular file is written beside its final name and renamed into place
// only once every row is in: a failed or cancelled export leaves no partial file, and an older file of
// that name stays as it was until the new one is complete. A pipe or a device named as the file is
// written as it is (renaming onto it would replace the pipe with a file nobody reads).
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export interface ExportTarget {
  /** Resolves when the text was taken (after `drain` when the stream's buffer is full); `signal` stops the wait. */
  write(text: string, signal?: AbortSignal): Promise<void>;
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
    async write(text, signal) {
      if (error) throw error;
      if (text === '') return;
      const chunk = Buffer.from(text, 'utf8');
      bytes += chunk.length;
      // once() rejects when 'error' (or the abort) comes first, and removes its listeners either way:
      // a reader that stopped reading (a pager left open) must not keep Ctrl-C waiting.
      if (!stream.write(chunk)) await once(stream, 'drain', signal ? { signal } : {});
      if (error) throw error;
    },
  };
}

/** The temporary name a file is written under: hidden, beside the target (same filesystem, so the rename is atomic). */
export function partialName(target: string): string {
  // Cut so the name stays within the usual 255-byte limit whatever the target's length.
  const base = Buffer.from(path.basename(target)).subarray(0, 180).toString('utf8').replace(/\uFFFD$/, '');
  return path.join(path.dirname(target), `.${base}.${randomBytes(4).toString('hex')}.retl-partial`);
}

/**
 * Runs `fn` with a target writing `file`'s temporary twin; renames it to `file` when `fn` resolves, and
 * removes it when `fn` (or the writing) fails. The new file keeps an older file's permissions.
 */
export async function writeFileAtomically<T>(file: string, fn: (target: ExportTarget) => Promise<T>): Promise<T> {
  const existing = await fs.stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new ExportFileError(`${file} is a folder; name a file to write.`);
  const direct = existing !== undefined && !existing.isFile();
  const written = direct ? file : partialName(file);
  let out: WriteStream;
  try {
    out = createWriteStream(written, { flags: direct ? 'w' : 'wx', mode: existing?.isFile() ? existing.mode & 0o7777 : 0o644 });
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
    if (!direct) await fs.rename(written, file);
    return result;
  } catch (err) {
    if (!out.closed) {
      const closed = once(out, 'close').catch(() => undefined);
      out.destroy();
      await closed;
    }
    if (!direct) await fs.rm(written, { force: true }).catch(() => undefined);
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
  ENAMETOOLONG: 'the name is too long',
};

/** A system error in words; its own message names the temporary file, which the user never chose. */
function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && ERRNO_TEXT[e.code]) ?? e.code ?? String(e.message ?? err);
}
