// Failures as the CLI shows them: one exit code per kind, and one way to print them (text or --json).
import { classify, type Failure, type FailureKind } from '../errors';
import { EXIT, UsageError, type Output } from './command';

const EXIT_FOR: Record<FailureKind, number> = {
  invalid: EXIT.refused,
  conflict: EXIT.refused,
  notFound: EXIT.refused,
  inUse: EXIT.refused,
  sync: EXIT.refused,
  configBroken: EXIT.usage,
  io: EXIT.usage,
  warehouse: EXIT.checksFailed,
};

/** A failure a command found itself (a refused change, a preview error), thrown to be printed by main. */
export class CliFailure extends Error {
  constructor(
    readonly failure: Failure,
    readonly shown: { exitCode?: number; jsonKind?: string; text?: string } = {},
  ) {
    super(failure.message);
  }
}

/**
 * Prints `err` and returns the exit code; undefined when it is not a failure of ours (a bug). `usage`
 * follows a usage error.
 */
export function reportFailure(err: unknown, io: Output, usage: string): number | undefined {
  if (err instanceof UsageError) {
    io.err(`retl: ${err.message}\n${usage}`);
    return EXIT.usage;
  }
  const cli = err instanceof CliFailure ? err : undefined;
  const failure = cli?.failure ?? classify(err);
  if (!failure) return undefined;
  if (io.json) io.err(JSON.stringify({ error: cli?.shown.jsonKind ?? failure.kind, message: failure.message, ...failure.details }));
  else io.err(`retl: ${cli?.shown.text ?? failure.message}`);
  return cli?.shown.exitCode ?? EXIT_FOR[failure.kind];
}
