// Cancellation helpers: AbortSignal is how cancel travels from the UI (or Ctrl-C) to a warehouse query.
import { abortError } from './warehouse';

/** Resolves like `p`, or rejects when `signal` aborts first; a late result is handed to `late`. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal, late: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    p.then(late, () => undefined);
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbortFn = () => {
      p.then(late, () => undefined);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbortFn, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbortFn);
        if (!signal.aborted) resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbortFn);
        reject(e);
      },
    );
  });
}

export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}
