// The `retl` command line: the same engine modules as the language server, without LSP. This module
// only routes: it parses the flags, finds the command in the table (commands/index.ts), checks what the
// command takes, runs it, and turns what it throws into a message and an exit code (failures.ts).
import { parseArgs } from 'node:util';
import { COMMANDS } from './commands';
import { EXIT, FLAG_VALUES, GLOBAL_FLAGS, OPTIONS, UsageError, type Command, type Flag, type Output, type Values } from './command';
import { cliContext } from './context';
import { reportFailure } from './failures';

export { EXIT } from './command';

export async function main(argv: string[], io: Output = consoleOutput(argv)): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (err) {
    io.err(`retl: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  io.json = values.json ?? false;
  if (values.help || positionals.length === 0) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  let command: Command | undefined;
  try {
    command = findCommand(positionals);
    const args = positionals.slice(command.name.split(' ').length);
    checkCall(command, args, values);
    return await command.run(cliContext(values, io), args);
  } catch (err) {
    // A usage error shows how the command is called (or where the list is), not the whole help.
    const code = reportFailure(err, io, command ? `Usage: retl ${usageLine(command)}
  ${command.summary.replace(/\n/g, '\n  ')}` : 'Run "retl --help" for the commands.');
    if (code !== undefined) return code;
    io.err(`retl: ${(err as Error).message}`);
    return EXIT.usage;
  }
}

function findCommand(positionals: string[]): Command {
  const matches = COMMANDS.filter((c) => c.name.split(' ').every((word, i) => positionals[i] === word));
  const found = matches.sort((a, b) => b.name.length - a.name.length)[0];
  if (found) return found;
  const group = COMMANDS.filter((c) => c.name.startsWith(`${positionals[0]} `));
  if (group.length) {
    const subs = group.map((c) => c.name.split(' ')[1]).join(', ');
    throw new UsageError(positionals[1] ? `unknown ${positionals[0]} command "${positionals[1]}"; known: ${subs}.` : `${positionals[0]} needs a command: ${subs}.`);
  }
  throw new UsageError(`unknown command "${positionals[0]}".`);
}

/** The arguments and flags a command takes, as its table entry says; anything else is a usage error. */
function checkCall(command: Command, args: string[], values: Values): void {
  const allowed = new Set<Flag>([...GLOBAL_FLAGS, ...(command.flags ?? [])]);
  for (const flag of Object.keys(values) as Flag[]) {
    if (!allowed.has(flag)) throw new UsageError(`retl ${command.name} does not take --${flag}.`);
  }
  for (const flag of command.required ?? []) if (values[flag] === undefined) throw new UsageError(`--${flag} is required.`);
  const words = command.args.split(' ').filter(Boolean);
  const variadic = words.some((w) => w.endsWith('...'));
  if (variadic ? args.length < words.length : args.length !== words.length) {
    throw new UsageError(`retl ${command.name} takes ${words.length ? `${variadic ? 'at least ' : ''}${words.join(' ')}` : 'no arguments'}, not ${args.length ? args.map((a) => `"${a}"`).join(' ') : 'none'}.`);
  }
}

function usageLine(c: Command): string {
  const flag = (f: Flag) => `--${f}${FLAG_VALUES[f] ? ` ${FLAG_VALUES[f]}` : ''}`;
  const required = c.required ?? [];
  const flags = (c.flags ?? []).map((f) => (required.includes(f) ? flag(f) : `[${flag(f)}]`));
  return [c.name, c.args, ...flags].filter(Boolean).join(' ');
}

const USAGE = [
  'Usage: retl <command> [options]',
  '',
  'Commands:',
  ...COMMANDS.flatMap((c) => [`  ${usageLine(c)}`, ...c.summary.split('\n').map((l) => `      ${l}`)]),
  '',
  'Options:',
  '  --config PATH   retl.yaml to use (default: the nearest one in this folder or above)',
  '  --json          print machine-readable JSON',
  '  -h, --help      show this help',
  '',
  'Exit codes: 0 ok, 1 checks failed, 2 usage or config error, 3 refused.',
].join('\n');

function consoleOutput(argv: string[]): Output {
  return {
    json: argv.includes('--json'),
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    // A pipe's process.stdout writes synchronously on Linux: a reader that stops reading (a pager)
    // would freeze retl, Ctrl-C included. The data of `retl export` goes out without blocking instead.
    get stream() {
      const handle = (process.stdout as unknown as { _handle?: { setBlocking?(blocking: boolean): void } })._handle;
      handle?.setBlocking?.(false);
      return process.stdout;
    },
    errIsTerminal: process.stderr.isTTY === true,
  };
}
