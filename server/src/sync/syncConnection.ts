// From a connection id to a sync run: its model, the model's SQL, the warehouse, and the destination,
// opened only after the mapping has been checked against the model's columns.
import type { Connection, Destination, RetlConfig } from '../../../protocol/src/config';
import type { FailedRowRecord, SyncPlanReport, SyncResult, SyncRunRecord } from '../../../protocol/src/sync';
import { EngineError, type Engine } from '../engine';
import type { SyncDestination } from './destination';
import { postgresDestination } from './postgresDestination';
import { rudderstackDestination } from './rudderstackDestination';
import { SyncError, type SyncDialect } from './syncDialect';
import { planSync, type PlanOptions } from './syncPlan';
import { runSync, syncDialectOf, type SyncOptions } from './syncRunner';
import { webhookDestination } from './webhookDestination';

function connectionOf(engine: Engine, connectionId: string): { config: RetlConfig; connection: Connection } {
  const config = engine.store.config;
  if (!config) throw new EngineError('retl.yaml has problems; fix them first.', 'configBroken');
  const connection = config.connections.find((c) => c.id === connectionId);
  if (!connection) throw new EngineError(`No connection with id "${connectionId}".`, 'notFound');
  return { config, connection };
}

/** What the next run of the connection would send; nothing is sent (syncPlan.ts). */
export async function planConnection(engine: Engine, connectionId: string, options: PlanOptions): Promise<SyncPlanReport> {
  const { config, connection } = connectionOf(engine, connectionId);
  const model = engine.model(connection.model);
  const warehouse = await engine.warehouses.get(engine.credentials(model.credentials));
  return planSync({ config, connection, model, modelSql: await engine.modelSql(model), destination: destinationOf(config, connection), warehouse }, options);
}

function destinationOf(config: RetlConfig, connection: Connection): Destination {
  if (!connection.destination) throw new SyncError(`Connection "${connection.id}" has no destination yet.`);
  const destination = config.destinations.find((d) => d.id === connection.destination);
  if (!destination) throw new EngineError(`No destination with id "${connection.destination}".`, 'notFound');
  return destination;
}

export async function syncConnection(engine: Engine, connectionId: string, options: SyncOptions, env: NodeJS.ProcessEnv = process.env): Promise<SyncResult> {
  const { config, connection } = connectionOf(engine, connectionId);
  const destination = destinationOf(config, connection);
  const model = engine.model(connection.model);
  const warehouse = await engine.warehouses.get(engine.credentials(model.credentials));
  const openDestination = async (keyField: string): Promise<SyncDestination> => {
    switch (destination.type) {
      case 'webhook':
        return webhookDestination(connection.id, destination, env);
      case 'rudderstack':
        return rudderstackDestination(connection, destination, env);
      case 'postgres':
        return postgresDestination(destination, await engine.warehouses.get(engine.credentials(destination.credentials)), keyField);
    }
  };
  return runSync({ config, connection, model, modelSql: await engine.modelSql(model), destination, warehouse, openDestination }, options);
}

/** Runs `fn` with the connection's sync dialect on a session of the model's warehouse, outside any run's lock. */
async function withStateTables<T>(engine: Engine, connectionId: string, signal: AbortSignal, none: T, fn: (dialect: SyncDialect) => Promise<T>): Promise<T> {
  const { config, connection } = connectionOf(engine, connectionId);
  const warehouse = await engine.warehouses.get(engine.credentials(engine.model(connection.model).credentials));
  if (!warehouse.withSqlSession) return none;
  return warehouse.withSqlSession(signal, (db) => fn(syncDialectOf(warehouse, db, config.stateSchema, connection.id)));
}

/** The connection's last runs from the state schema's history, newest first (none before the first run). */
export async function syncHistory(engine: Engine, connectionId: string, signal: AbortSignal, limit = 20): Promise<SyncRunRecord[]> {
  return withStateTables(engine, connectionId, signal, [], (dialect) => dialect.history(limit));
}

/** The rows the connection's destination refused and no run has got acknowledged since, latest first. */
export async function syncFailures(engine: Engine, connectionId: string, signal: AbortSignal, limit = 1000): Promise<FailedRowRecord[]> {
  return withStateTables(engine, connectionId, signal, [], (dialect) => dialect.failedRows(limit));
}
