// Every `retl` command, in the order the help lists them.
import type { Command } from '../command';
import { exportCommand } from './export';
import { failures } from './failures';
import { history } from './history';
import { init } from './init';
import { modelsCreate, modelsDelete, modelsList, modelsRename } from './models';
import { plan } from './plan';
import { preview } from './preview';
import { schedule } from './schedule';
import { sync } from './sync';
import { validate } from './validate';
import { verify } from './verify';

export const COMMANDS: readonly Command[] = [init, modelsList, modelsCreate, modelsRename, modelsDelete, verify, preview, exportCommand, plan, sync, schedule, history, failures, validate];
