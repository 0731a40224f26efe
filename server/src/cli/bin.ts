// Entry point of the bundled CLI (dist/cli.js).
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The command is over: nothing may keep retl running now. A write to a pipe nobody reads (an export
    // cancelled while its reader was stopped) would otherwise hold the process until the reader reads.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`retl: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
