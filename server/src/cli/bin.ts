// Entry point of the bundled CLI (dist/cli.js).
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`retl: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
