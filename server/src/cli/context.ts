// The context a command runs in: its flags and output, the store of retl.yaml, the CLI's engine.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE, ConfigStore } from '../config/configStore';
import { Engine } from '../engine';
import { ConfigProblemsError } from '../errors';
import { closeDemoWarehouses } from '../warehouse/demo/demoWarehouse';
import { NO_STORED_SECRETS } from '../warehouse/registry';
import { UsageError, type CliContext, type Output, type Values } from './command';

/** Finds retl.yaml from --config, or upward from the current folder. */
export function findConfig(explicit: string | undefined, from = process.cwd()): string | undefined {
  if (explicit) return path.resolve(explicit);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The CLI's engine: secrets only from variables named in retl.yaml; the demo warehouse under .retl/. */
export function cliEngine(store: ConfigStore): Engine {
  return new Engine(store, NO_STORED_SECRETS, path.join(store.root, '.retl', 'demo'));
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function cliContext(values: Values, io: Output): CliContext {
  const openStore = async (): Promise<ConfigStore> => {
    const configPath = findConfig(values.config);
    if (!configPath) throw new UsageError(`no ${CONFIG_FILE} found in ${process.cwd()} or above; run "retl init" or pass --config.`);
    if (!existsSync(configPath)) throw new UsageError(`${configPath} does not exist.`);
    const store = new ConfigStore(configPath);
    const state = await store.load();
    if (state.problems.length > 0) throw new ConfigProblemsError(configPath, state.problems);
    return store;
  };
  return {
    values,
    io,
    openStore,
    async withEngine(fn) {
      const engine = cliEngine(await openStore());
      const controller = new AbortController();
      // SIGTERM (a scheduler's stop, `kill`) and SIGHUP (a closed terminal) cancel like Ctrl-C, so what
      // runs on the warehouse is stopped and a half-written export file is removed.
      const onStop = () => controller.abort();
      for (const signal of STOP_SIGNALS) process.once(signal, onStop);
      try {
        return await fn(engine, controller.signal);
      } finally {
        for (const signal of STOP_SIGNALS) process.removeListener(signal, onStop);
        await engine.dispose();
        await closeDemoWarehouses();
      }
    },
  };
}
